import { App } from './app.entity';
import { Column, CreateDateColumn, Entity, ForeignKey, Index, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';

export const CAMPAIGN_STATUSES = ['draft', 'active', 'paused', 'ended', 'archived'] as const;
export type CampaignStatus = (typeof CAMPAIGN_STATUSES)[number];

/** What a payout is owed for: any completed conversion, or one kind of completed conversion event. */
export const PAYOUT_EVENTS = ['any_completed', 'claim_completed', 'swap_completed', 'payment_completed'] as const;
export type PayoutEvent = (typeof PAYOUT_EVENTS)[number];

/** A campaign groups an app's referral links for reporting and carries the payout terms. */
@Entity({ name: 'campaigns' })
@Index('ix_campaigns_tenant_app_created', ['tenantId', 'appId', 'createdAt'])
@Index('ix_campaigns_tenant_created', ['tenantId', 'createdAt'])
export class Campaign {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @ForeignKey('tenants', { name: 'fk_campaigns_tenant', onDelete: 'CASCADE' })
  @Column({ name: 'tenant_id', type: 'uuid' })
  tenantId: string;

  /** Apps are archived, never deleted: the reference refuses deletion. */
  @ForeignKey(() => App, { name: 'fk_campaigns_app' })
  @Column({ name: 'app_id', type: 'uuid' })
  appId: string;

  @Column({ type: 'varchar', length: 120 })
  name: string;

  @Column({ type: 'varchar', length: 16, default: 'active' })
  status: CampaignStatus;

  @Column({ name: 'starts_at', type: 'timestamptz', nullable: true })
  startsAt: Date | null;

  @Column({ name: 'ends_at', type: 'timestamptz', nullable: true })
  endsAt: Date | null;

  /** numeric comes back from pg as a string: money never passes through a float. */
  @Column({ name: 'payout_amount', type: 'numeric', precision: 20, scale: 6, nullable: true })
  payoutAmount: string | null;

  @Column({ name: 'payout_currency', type: 'varchar', length: 10, default: 'USDC' })
  payoutCurrency: string;

  @Column({ name: 'payout_event', type: 'varchar', length: 32, default: 'any_completed' })
  payoutEvent: PayoutEvent;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;

  @Column({ name: 'archived_at', type: 'timestamptz', nullable: true })
  archivedAt: Date | null;
}
