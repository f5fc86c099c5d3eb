import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/**
 * Signatures already accepted, so none is accepted twice. Rows older than the timestamp window are
 * purged: by then the timestamp check alone refuses a replay.
 */
@Entity({ name: 'agent_signatures' })
export class AgentSignature {
  /** SHA-256 of the signature bytes. */
  @PrimaryColumn({ name: 'signature_hash', type: 'char', length: 64 })
  signatureHash: string;

  @Column({ type: 'varchar', length: 32 })
  purpose: string;

  /** The request's signed timestamp. */
  @Index('ix_agent_signatures_signed_at')
  @Column({ name: 'signed_at', type: 'timestamptz' })
  signedAt: Date;
}
