import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

export const CONVERSION_KINDS = ['claim', 'swap', 'payment'] as const;
export type ConversionKind = (typeof CONVERSION_KINDS)[number];

/**
 * One completed conversion, derived once from its event by the conversion queue, with the credit of
 * both attribution models side by side: reports switch model without re-deriving anything. A model's
 * columns are all null when no touch qualified (unattributed).
 */
@Entity({ name: 'conversions' })
// One per model, covering what campaign reports read of a credited conversion (its link, kind, value,
// session, app), so they are index-only range scans; creator, channel and cast come from the link.
@Index('ix_conversions_tenant_first_campaign_time', ['tenantId', 'firstTouchCampaignId', 'occurredAt', 'firstTouchLinkId', 'kind', 'valueUsdc', 'sessionId', 'appId'])
@Index('ix_conversions_tenant_last_campaign_time', ['tenantId', 'lastClickCampaignId', 'occurredAt', 'lastClickLinkId', 'kind', 'valueUsdc', 'sessionId', 'appId'])
@Index('ix_conversions_tenant_session', ['tenantId', 'sessionId'])
export class Conversion {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'pk_conversions' })
  id: string;

  @Column({ name: 'tenant_id', type: 'uuid' })
  tenantId: string;

  @Column({ name: 'app_id', type: 'uuid' })
  appId: string;

  /** The `*_completed` event: unique, so a job processed twice cannot make a second conversion. */
  @Index('uq_conversions_event', { unique: true })
  @Column({ name: 'event_id', type: 'uuid' })
  eventId: string;

  /** The session's latest matching `*_started` event before it (checkout_started for payments). */
  @Column({ name: 'started_event_id', type: 'uuid', nullable: true })
  startedEventId: string | null;

  @Column({ type: 'varchar', length: 16 })
  kind: ConversionKind;

  @Column({ name: 'session_id', type: 'varchar', length: 128 })
  sessionId: string;

  /** The event's fid, or the one the session signed in with. */
  @Column({ type: 'bigint', nullable: true })
  fid: string | null;

  @Column({ name: 'tx_hash', type: 'varchar', length: 128, nullable: true })
  txHash: string | null;

  @Column({ name: 'value_usdc', type: 'numeric', precision: 18, scale: 6, nullable: true })
  valueUsdc: string | null;

  @Column({ type: 'numeric', precision: 18, scale: 6, nullable: true })
  revenue: string | null;

  @Column({ type: 'char', length: 3, nullable: true })
  currency: string | null;

  /** The campaign the event itself named (or its link's), whatever the models credit. */
  @Column({ name: 'campaign_id', type: 'uuid', nullable: true })
  campaignId: string | null;

  @Column({ name: 'occurred_at', type: 'timestamptz' })
  occurredAt: Date;

  @Column({ name: 'derived_at', type: 'timestamptz' })
  derivedAt: Date;

  /** The tenant's lookback window when this was derived: touches older than this did not count. */
  @Column({ name: 'lookback_days', type: 'int' })
  lookbackDays: number;

  /** Qualifying touches considered (non-bot clicks and link-carrying events in the window). */
  @Column({ type: 'int' })
  candidates: number;

  @Column({ name: 'first_touch_source', type: 'varchar', length: 8, nullable: true })
  firstTouchSource: 'click' | 'event' | null;

  @Column({ name: 'first_touch_click_id', type: 'varchar', length: 32, nullable: true })
  firstTouchClickId: string | null;

  @Column({ name: 'first_touch_link_id', type: 'uuid', nullable: true })
  firstTouchLinkId: string | null;

  @Column({ name: 'first_touch_campaign_id', type: 'uuid', nullable: true })
  firstTouchCampaignId: string | null;

  @Column({ name: 'first_touch_creator_fid', type: 'bigint', nullable: true })
  firstTouchCreatorFid: string | null;

  @Column({ name: 'first_touch_creator_handle', type: 'varchar', length: 64, nullable: true })
  firstTouchCreatorHandle: string | null;

  @Column({ name: 'first_touch_channel', type: 'varchar', length: 64, nullable: true })
  firstTouchChannel: string | null;

  @Column({ name: 'first_touch_cast_hash', type: 'varchar', length: 66, nullable: true })
  firstTouchCastHash: string | null;

  @Column({ name: 'first_touch_at', type: 'timestamptz', nullable: true })
  firstTouchAt: Date | null;

  @Column({ name: 'last_click_source', type: 'varchar', length: 8, nullable: true })
  lastClickSource: 'click' | 'event' | null;

  @Column({ name: 'last_click_click_id', type: 'varchar', length: 32, nullable: true })
  lastClickClickId: string | null;

  @Column({ name: 'last_click_link_id', type: 'uuid', nullable: true })
  lastClickLinkId: string | null;

  @Column({ name: 'last_click_campaign_id', type: 'uuid', nullable: true })
  lastClickCampaignId: string | null;

  @Column({ name: 'last_click_creator_fid', type: 'bigint', nullable: true })
  lastClickCreatorFid: string | null;

  @Column({ name: 'last_click_creator_handle', type: 'varchar', length: 64, nullable: true })
  lastClickCreatorHandle: string | null;

  @Column({ name: 'last_click_channel', type: 'varchar', length: 64, nullable: true })
  lastClickChannel: string | null;

  @Column({ name: 'last_click_cast_hash', type: 'varchar', length: 66, nullable: true })
  lastClickCastHash: string | null;

  @Column({ name: 'last_click_at', type: 'timestamptz', nullable: true })
  lastClickAt: Date | null;
}
