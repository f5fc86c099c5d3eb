import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

export const FUNNEL_STEPS = ['miniapp_opened', 'sign_in_completed', 'conversion_started'] as const;
export type FunnelStep = (typeof FUNNEL_STEPS)[number];

/**
 * When each session of a campaign first reached each funnel step: one row per (campaign, step,
 * session), so the funnel counts rows in a time range instead of de-duplicating every event. Kept by
 * a statement-level trigger on `events` (migration CampaignSessionSteps), in the transaction that
 * stores the events, whichever path wrote them (group commit INSERT, COPY, a backfill); a late event
 * with an earlier time moves `first_at` back.
 */
@Entity({ name: 'campaign_session_steps' })
@Index('ix_campaign_session_steps_first_at', ['tenantId', 'campaignId', 'step', 'firstAt', 'appId'])
export class CampaignSessionStep {
  @PrimaryColumn({ name: 'tenant_id', type: 'uuid', primaryKeyConstraintName: 'pk_campaign_session_steps' })
  tenantId: string;

  @PrimaryColumn({ name: 'campaign_id', type: 'uuid', primaryKeyConstraintName: 'pk_campaign_session_steps' })
  campaignId: string;

  /** `conversion_started` stands for any `*_started` event. */
  @PrimaryColumn({ type: 'varchar', length: 32, primaryKeyConstraintName: 'pk_campaign_session_steps' })
  step: FunnelStep;

  @PrimaryColumn({ name: 'app_id', type: 'uuid', primaryKeyConstraintName: 'pk_campaign_session_steps' })
  appId: string;

  @PrimaryColumn({ name: 'session_id', type: 'varchar', length: 128, primaryKeyConstraintName: 'pk_campaign_session_steps' })
  sessionId: string;

  @Column({ name: 'first_at', type: 'timestamptz' })
  firstAt: Date;
}
