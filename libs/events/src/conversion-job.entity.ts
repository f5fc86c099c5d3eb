import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';

export const CONVERSION_JOB_STATUSES = ['pending', 'running', 'dead'] as const;
export type ConversionJobStatus = (typeof CONVERSION_JOB_STATUSES)[number];

/**
 * The outbox of ingestion: one row per completed conversion event, written in the same statement as
 * the event, so an event is never stored without its job nor a job without its event. Attribution
 * works the queue; nothing is derived on the request path. A job is deleted in the statement that
 * derives its conversion: the conversion (unique per event) is the record of the work, and the queue
 * holds only the work left, so it stays small and its scans stay cheap.
 */
@Entity({ name: 'conversion_jobs' })
@Index('ix_conversion_jobs_due', ['runAt'], { where: `status = 'pending'` })
@Index('ix_conversion_jobs_leases', ['lockedUntil'], { where: `status = 'running'` })
@Index('ix_conversion_jobs_tenant_status', ['tenantId', 'status', 'updatedAt'])
export class ConversionJob {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'pk_conversion_jobs' })
  id: string;

  @Column({ name: 'tenant_id', type: 'uuid' })
  tenantId: string;

  @Index('uq_conversion_jobs_event', { unique: true })
  @Column({ name: 'event_id', type: 'uuid' })
  eventId: string;

  @Column({ type: 'varchar', length: 16, default: 'pending' })
  status: ConversionJobStatus;

  @Column({ type: 'int', default: 0 })
  attempts: number;

  @Column({ name: 'run_at', type: 'timestamptz' })
  runAt: Date;

  @Column({ name: 'locked_until', type: 'timestamptz', nullable: true })
  lockedUntil: Date | null;

  @Column({ name: 'last_error', type: 'text', nullable: true })
  lastError: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}
