import { Column, CreateDateColumn, Entity, ForeignKey, Index, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';

export const REFERRAL_LINK_STATUSES = ['active', 'disabled'] as const;
export type ReferralLinkStatus = (typeof REFERRAL_LINK_STATUSES)[number];

/**
 * An app-scoped referral link, reached at `/r/<code>`. The code is unique across all tenants
 * because the redirect has no tenant context.
 */
@Entity({ name: 'referral_links' })
@Index('ix_referral_links_tenant_app_created', ['tenantId', 'appId', 'createdAt'])
@Index('ix_referral_links_tenant_campaign', ['tenantId', 'campaignId'])
export class ReferralLink {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  /** Foreign keys by table name: no import across modules, no relation, just the constraints. */
  @ForeignKey('tenants', { name: 'fk_referral_links_tenant', onDelete: 'CASCADE' })
  @Column({ name: 'tenant_id', type: 'uuid' })
  tenantId: string;

  @ForeignKey('apps', { name: 'fk_referral_links_app' })
  @Column({ name: 'app_id', type: 'uuid' })
  appId: string;

  /** A campaign of the same app (checked by the service). */
  @ForeignKey('campaigns', { name: 'fk_referral_links_campaign' })
  @Column({ name: 'campaign_id', type: 'uuid', nullable: true })
  campaignId: string | null;

  @Index('uq_referral_links_code', { unique: true })
  @Column({ type: 'varchar', length: 64 })
  code: string;

  /** bigint arrives from pg as a string; FIDs stay far below 2^53, so the API speaks numbers. */
  @Column({ name: 'creator_fid', type: 'bigint', nullable: true })
  creatorFid: string | null;

  @Column({ name: 'creator_handle', type: 'varchar', length: 64, nullable: true })
  creatorHandle: string | null;

  @Column({ type: 'varchar', length: 64, nullable: true })
  channel: string | null;

  @Column({ name: 'cast_hash', type: 'varchar', length: 66, nullable: true })
  castHash: string | null;

  @Column({ name: 'destination_url', type: 'varchar', length: 2048 })
  destinationUrl: string;

  @Column({ type: 'varchar', length: 16, default: 'active' })
  status: ReferralLinkStatus;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;

  @Column({ name: 'disabled_at', type: 'timestamptz', nullable: true })
  disabledAt: Date | null;
}
