import { Column, Entity, ForeignKey, Index, PrimaryGeneratedColumn } from 'typeorm';

/** Who changed what, when: one row per SCIM change, kept with the tenant. */
@Entity({ name: 'audit_log' })
@Index('ix_audit_log_tenant_created', ['tenantId', 'createdAt'])
export class AuditLogEntry {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @ForeignKey('tenants', { name: 'fk_audit_log_tenant', onDelete: 'CASCADE' })
  @Column({ name: 'tenant_id', type: 'uuid' })
  tenantId: string;

  /** The API key that made the change; no foreign key, so the entry outlives the key. */
  @Column({ name: 'actor_api_key_id', type: 'uuid', nullable: true })
  actorApiKeyId: string | null;

  /** e.g. `user.created`, `user.deactivated`, `group.members_changed`. */
  @Column({ type: 'varchar', length: 40 })
  action: string;

  @Column({ name: 'resource_type', type: 'varchar', length: 16 })
  resourceType: string;

  @Column({ name: 'resource_id', type: 'uuid' })
  resourceId: string;

  @Column({ type: 'varchar', length: 500 })
  summary: string;

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;
}
