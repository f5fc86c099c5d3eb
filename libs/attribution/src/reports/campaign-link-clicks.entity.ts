import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * Human clicks per campaign link and UTC hour, so a report counts a campaign's clicks by summing a
 * few hundred rows instead of scanning every touch. Kept by a statement-level trigger on `touches`
 * (migration CampaignLinkClicksHourly) in the transaction that stores the touches; reports add the raw
 * touches of the partial hours at the edges of a period, so any `from`/`to` stays exact.
 */
@Entity({ name: 'campaign_link_clicks_hourly' })
export class CampaignLinkClicks {
  @PrimaryColumn({ name: 'tenant_id', type: 'uuid', primaryKeyConstraintName: 'pk_campaign_link_clicks_hourly' })
  tenantId: string;

  @PrimaryColumn({ name: 'campaign_id', type: 'uuid', primaryKeyConstraintName: 'pk_campaign_link_clicks_hourly' })
  campaignId: string;

  /** The start of the UTC hour. */
  @PrimaryColumn({ type: 'timestamptz', primaryKeyConstraintName: 'pk_campaign_link_clicks_hourly' })
  hour: Date;

  @PrimaryColumn({ name: 'link_id', type: 'uuid', primaryKeyConstraintName: 'pk_campaign_link_clicks_hourly' })
  linkId: string;

  @Column({ name: 'app_id', type: 'uuid' })
  appId: string;

  @Column({ type: 'int' })
  clicks: number;
}
