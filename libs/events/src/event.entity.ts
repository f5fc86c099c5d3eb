import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import type { EventCategory } from './event-catalog';

/**
 * One ingested event, stored once. Append-only and written by group commit, so it carries no foreign
 * keys (each would cost a lookup per event); ingestion checks the campaign and link against the app.
 */
@Entity({ name: 'events' })
// Trusted and client events have separate key spaces: a client cannot take the key of a conversion its
// server will send. Partial, so events without a key cost no entry here.
@Index('uq_events_app_trusted_idempotency_key', ['appId', 'trusted', 'idempotencyKey'], { unique: true, where: 'idempotency_key IS NOT NULL' })
@Index('ix_events_tenant_session_time', ['tenantId', 'sessionId', 'occurredAt'])
// Attribution follows a signed-in fid across its sessions; only events that carry one are indexed.
@Index('ix_events_tenant_app_fid_time', ['tenantId', 'appId', 'fid', 'occurredAt'], { where: 'fid IS NOT NULL' })
export class Event {
  /** A UUIDv7 assigned by the API: time-ordered, so inserts append to the index. */
  @PrimaryColumn({ type: 'uuid', primaryKeyConstraintName: 'pk_events' })
  id: string;

  @Column({ name: 'tenant_id', type: 'uuid' })
  tenantId: string;

  @Column({ name: 'app_id', type: 'uuid' })
  appId: string;

  @Column({ name: 'event_name', type: 'varchar', length: 64 })
  eventName: string;

  @Column({ type: 'varchar', length: 24 })
  category: EventCategory;

  @Column({ name: 'session_id', type: 'varchar', length: 128 })
  sessionId: string;

  @Column({ name: 'campaign_id', type: 'uuid', nullable: true })
  campaignId: string | null;

  @Column({ name: 'referral_link_id', type: 'uuid', nullable: true })
  referralLinkId: string | null;

  /** The click_id forwarded by /r/:code: binds this session to that touch. */
  @Column({ name: 'click_id', type: 'varchar', length: 32, nullable: true })
  clickId: string | null;

  @Column({ type: 'bigint', nullable: true })
  fid: string | null;

  @Column({ name: 'user_id', type: 'varchar', length: 128, nullable: true })
  userId: string | null;

  /** Unique per app and trust: a retried event finds its first copy instead of becoming a second one. */
  @Column({ name: 'idempotency_key', type: 'varchar', length: 255, nullable: true })
  idempotencyKey: string | null;

  @Column({ name: 'tx_hash', type: 'varchar', length: 128, nullable: true })
  txHash: string | null;

  @Column({ name: 'value_usdc', type: 'numeric', precision: 18, scale: 6, nullable: true })
  valueUsdc: string | null;

  @Column({ type: 'numeric', precision: 18, scale: 6, nullable: true })
  revenue: string | null;

  @Column({ type: 'char', length: 3, nullable: true })
  currency: string | null;

  @Column({ type: 'jsonb', default: () => `'{}'` })
  properties: Record<string, unknown>;

  /** The client's platform, app version, locale and country, plus the user agent the server saw. */
  @Column({ type: 'jsonb', default: () => `'{}'` })
  context: Record<string, string>;

  /** Sent with the app's valid server secret. */
  @Column({ type: 'boolean' })
  trusted: boolean;

  @Column({ name: 'occurred_at', type: 'timestamptz' })
  occurredAt: Date;

  @Column({ name: 'received_at', type: 'timestamptz' })
  receivedAt: Date;
}
