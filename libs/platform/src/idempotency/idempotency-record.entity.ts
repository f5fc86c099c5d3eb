import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn, Unique } from 'typeorm';

export type IdempotencyState = 'in_progress' | 'completed';

/** The first answer to a request carrying an Idempotency-Key, kept so retries get it back. */
@Entity({ name: 'idempotency_records' })
@Unique('uq_idempotency_records_scope_key', ['scope', 'key'])
@Index('ix_idempotency_records_expires_at', ['expiresAt'])
export class IdempotencyRecord {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  /** The credential namespace (tenant, app, operator): keys of different callers never collide. */
  @Column({ type: 'varchar', length: 120 })
  scope: string;

  @Column({ type: 'varchar', length: 255 })
  key: string;

  /** SHA-256 of method, path and canonical body: the same key with another request is refused. */
  @Column({ type: 'char', length: 64 })
  fingerprint: string;

  @Column({ type: 'varchar', length: 16 })
  state: IdempotencyState;

  @Column({ name: 'response_status', type: 'smallint', nullable: true })
  responseStatus: number | null;

  /** The body exactly as first sent, AES-GCM sealed (text, not jsonb, so a replay is byte-identical). */
  @Column({ name: 'response_body', type: 'text', nullable: true })
  responseBody: string | null;

  /** While in progress: after this a crashed request's key may be taken over. */
  @Column({ name: 'locked_until', type: 'timestamptz' })
  lockedUntil: Date;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @Column({ name: 'expires_at', type: 'timestamptz' })
  expiresAt: Date;
}
