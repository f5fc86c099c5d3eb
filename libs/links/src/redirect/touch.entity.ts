import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/**
 * A click on a referral link (kind `link_clicked`), written in batches off the redirect's request
 * path. Append-only; attribution reads it by `click_id`, campaign reports by campaign and time.
 * Every index costs each click an insertion, so there are only the two those reads need.
 */
@Entity({ name: 'touches' })
// Only the rows campaign reports count: bot touches and clicks outside a campaign skip it.
@Index('ix_touches_campaign_clicks', ['tenantId', 'campaignId', 'occurredAt'], { where: '"campaign_id" IS NOT NULL AND NOT "is_bot"' })
export class Touch {
  @Column({ name: 'tenant_id', type: 'uuid' })
  tenantId: string;

  @Column({ name: 'app_id', type: 'uuid' })
  appId: string;

  @Column({ name: 'link_id', type: 'uuid' })
  linkId: string;

  @Column({ name: 'campaign_id', type: 'uuid', nullable: true })
  campaignId: string | null;

  @Column({ name: 'creator_fid', type: 'bigint', nullable: true })
  creatorFid: string | null;

  @Column({ name: 'creator_handle', type: 'varchar', length: 64, nullable: true })
  creatorHandle: string | null;

  @Column({ type: 'varchar', length: 64, nullable: true })
  channel: string | null;

  @Column({ name: 'cast_hash', type: 'varchar', length: 66, nullable: true })
  castHash: string | null;

  /**
   * The touch's identity, forwarded to the destination; events that carry it bind their session to
   * this touch. The primary key itself: a surrogate uuid would cost a second index write per click.
   * Time-ordered (`timeOrderedId`), so new keys go to the index's right edge.
   */
  @PrimaryColumn({ name: 'click_id', type: 'varchar', length: 32, primaryKeyConstraintName: 'pk_touches' })
  clickId: string;

  @Column({ type: 'varchar', length: 32, default: 'link_clicked' })
  kind: string;

  /** HEAD requests, unfurlers and crawlers: kept for debugging, never counted or credited. */
  @Column({ name: 'is_bot', type: 'boolean' })
  isBot: boolean;

  @Column({ name: 'user_agent', type: 'varchar', length: 512, nullable: true })
  userAgent: string | null;

  @Column({ type: 'varchar', length: 1024, nullable: true })
  referer: string | null;

  /** SHA-256 of the client IP with a secret salt derived from ENCRYPTION_KEY: the raw IP is never stored. */
  @Column({ name: 'ip_hash', type: 'char', length: 64, nullable: true })
  ipHash: string | null;

  @Column({ name: 'occurred_at', type: 'timestamptz' })
  occurredAt: Date;
}
