import { Column, CreateDateColumn, Entity, ForeignKey, Index, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';

export const APP_STATUSES = ['active', 'archived'] as const;
export type AppStatus = (typeof APP_STATUSES)[number];

/**
 * A tenant's client app. Its credentials `rk_<prefix>_<secret>` (API key) and `rss_<secret>` (server
 * secret) are kept as SHA-256 hashes; the previous pair survives a rotation until its grace period ends.
 */
@Entity({ name: 'apps' })
@Index('ix_apps_tenant_created', ['tenantId', 'createdAt'])
export class App {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  /** By table name, not class: no import across modules, no relation, just the constraint. */
  @ForeignKey('tenants', { name: 'fk_apps_tenant', onDelete: 'CASCADE' })
  @Column({ name: 'tenant_id', type: 'uuid' })
  tenantId: string;

  @Column({ type: 'varchar', length: 120 })
  name: string;

  @Column({ type: 'varchar', length: 16, default: 'active' })
  status: AppStatus;

  @Index('uq_apps_api_key_prefix', { unique: true })
  @Column({ name: 'api_key_prefix', type: 'varchar', length: 16 })
  apiKeyPrefix: string;

  @Column({ name: 'api_key_hash', type: 'char', length: 64 })
  apiKeyHash: string;

  @Column({ name: 'server_secret_hash', type: 'char', length: 64 })
  serverSecretHash: string;

  @Index('ix_apps_previous_api_key_prefix')
  @Column({ name: 'previous_api_key_prefix', type: 'varchar', length: 16, nullable: true })
  previousApiKeyPrefix: string | null;

  @Column({ name: 'previous_api_key_hash', type: 'char', length: 64, nullable: true })
  previousApiKeyHash: string | null;

  @Column({ name: 'previous_server_secret_hash', type: 'char', length: 64, nullable: true })
  previousServerSecretHash: string | null;

  @Column({ name: 'previous_credentials_expire_at', type: 'timestamptz', nullable: true })
  previousCredentialsExpireAt: Date | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;

  @Column({ name: 'archived_at', type: 'timestamptz', nullable: true })
  archivedAt: Date | null;
}
