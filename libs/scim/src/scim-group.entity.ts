import { Column, Entity, ForeignKey, Index, PrimaryGeneratedColumn } from 'typeorm';

/** A SCIM group pushed by the tenant's identity provider; membership of an admin group grants the `admin` role. */
@Entity({ name: 'scim_groups' })
// displayName unique per tenant, case-insensitively: an expression index, written by hand in the migration.
@Index('uq_scim_groups_tenant_display_name', { synchronize: false })
export class ScimGroup {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @ForeignKey('tenants', { name: 'fk_scim_groups_tenant', onDelete: 'CASCADE' })
  @Column({ name: 'tenant_id', type: 'uuid' })
  tenantId: string;

  @Column({ name: 'display_name', type: 'varchar', length: 255 })
  displayName: string;

  @Column({ name: 'external_id', type: 'varchar', length: 255, nullable: true })
  externalId: string | null;

  /** Bumped by every change: the resource's weak ETag, checked against If-Match. */
  @Column({ type: 'integer', default: 1 })
  version: number;

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @Column({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}
