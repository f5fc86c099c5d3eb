import { Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import { Tenant } from './tenant.entity';

export const USER_ROLES = ['owner', 'admin', 'member'] as const;
export type UserRole = (typeof USER_ROLES)[number];

/**
 * A person's membership of one tenant: signed in with Farcaster (fid) or provisioned by SCIM (userName set).
 * The same FID has one row per tenant it belongs to.
 */
@Entity({ name: 'users' })
@Index('uq_users_tenant_fid', ['tenantId', 'fid'], { unique: true, where: 'fid IS NOT NULL' })
@Index('ix_users_fid', ['fid'])
// Case-insensitive userName per tenant (RFC 7643 caseExact false): an expression index, written by hand in the migration.
@Index('uq_users_tenant_user_name', { synchronize: false })
@Index('ix_users_tenant_external_id', ['tenantId', 'externalId'])
export class User {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ name: 'tenant_id', type: 'uuid' })
  tenantId: string;

  @ManyToOne(() => Tenant, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'tenant_id' })
  tenant?: Tenant;

  /** bigint: read back as a string by the pg driver. */
  @Column({ type: 'bigint', nullable: true })
  fid: string | null;

  /** Farcaster username (fname), without the @. */
  @Column({ type: 'varchar', length: 64, nullable: true })
  username: string | null;

  @Column({ name: 'display_name', type: 'varchar', length: 120, nullable: true })
  displayName: string | null;

  @Column({ type: 'varchar', length: 16 })
  role: UserRole;

  /** false = deactivated (e.g. by SCIM): every session of this user is refused in this tenant at once. */
  @Column({ type: 'boolean', default: true })
  active: boolean;

  /** SCIM userName; null for users who only signed in with Farcaster (SCIM neither sees nor manages those). */
  @Column({ name: 'user_name', type: 'varchar', length: 255, nullable: true })
  userName: string | null;

  /** The identity provider's own id of the person (SCIM externalId). */
  @Column({ name: 'external_id', type: 'varchar', length: 255, nullable: true })
  externalId: string | null;

  @Column({ name: 'given_name', type: 'varchar', length: 255, nullable: true })
  givenName: string | null;

  @Column({ name: 'family_name', type: 'varchar', length: 255, nullable: true })
  familyName: string | null;

  /** SCIM emails: `[{ value, type?, primary? }]`. */
  @Column({ type: 'jsonb', default: () => "'[]'" })
  emails: { value: string; type?: string; primary?: boolean }[];

  /** Bumped by every SCIM change: the resource's weak ETag, checked against If-Match. */
  @Column({ type: 'integer', default: 1 })
  version: number;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}
