import { Column, CreateDateColumn, Entity, Index, PrimaryColumn } from 'typeorm';

/** A single-use Sign In With Farcaster nonce: spent by the first sign-in attempt that names it. */
@Entity({ name: 'siwf_nonces' })
@Index('ix_siwf_nonces_expires_at', ['expiresAt'])
export class SiwfNonce {
  @PrimaryColumn({ type: 'varchar', length: 64 })
  nonce: string;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @Column({ name: 'expires_at', type: 'timestamptz' })
  expiresAt: Date;

  @Column({ name: 'used_at', type: 'timestamptz', nullable: true })
  usedAt: Date | null;
}
