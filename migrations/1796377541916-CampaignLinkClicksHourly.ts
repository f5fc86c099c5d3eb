import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Human clicks per campaign link and UTC hour. The table is generated from the entity; the trigger
 * that keeps it is written by hand: statement-level with a transition table (one upsert per flush of
 * the touch buffer, COPY or INSERT), rows upserted in key order so concurrent flushes cannot deadlock.
 */
const CLICKS_OF_TOUCHES = (source: string) => `
  SELECT tenant_id, campaign_id, date_trunc('hour', occurred_at, 'UTC') AS hour, link_id, app_id, count(*)::int AS clicks
  FROM ${source}
  WHERE campaign_id IS NOT NULL AND NOT is_bot
  GROUP BY 1, 2, 3, 4, 5
  ORDER BY 1, 2, 3, 4`;

export class CampaignLinkClicksHourly1796377541916 implements MigrationInterface {
  name = 'CampaignLinkClicksHourly1796377541916';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE TABLE "campaign_link_clicks_hourly" ("tenant_id" uuid NOT NULL, "campaign_id" uuid NOT NULL, "hour" TIMESTAMP WITH TIME ZONE NOT NULL, "link_id" uuid NOT NULL, "app_id" uuid NOT NULL, "clicks" integer NOT NULL, CONSTRAINT "pk_campaign_link_clicks_hourly" PRIMARY KEY ("tenant_id", "campaign_id", "hour", "link_id"))`);
    await queryRunner.query(`
      CREATE FUNCTION count_campaign_link_clicks() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        INSERT INTO campaign_link_clicks_hourly AS h (tenant_id, campaign_id, hour, link_id, app_id, clicks)
        ${CLICKS_OF_TOUCHES('new_touches')}
        ON CONFLICT (tenant_id, campaign_id, hour, link_id) DO UPDATE SET clicks = h.clicks + excluded.clicks;
        RETURN NULL;
      END
      $$`);
    await queryRunner.query(
      `CREATE TRIGGER touches_campaign_link_clicks AFTER INSERT ON touches REFERENCING NEW TABLE AS new_touches
       FOR EACH STATEMENT EXECUTE FUNCTION count_campaign_link_clicks()`,
    );
    await queryRunner.query(`INSERT INTO campaign_link_clicks_hourly (tenant_id, campaign_id, hour, link_id, app_id, clicks) ${CLICKS_OF_TOUCHES('touches')}`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TRIGGER touches_campaign_link_clicks ON touches`);
    await queryRunner.query(`DROP FUNCTION count_campaign_link_clicks()`);
    await queryRunner.query(`DROP TABLE "campaign_link_clicks_hourly"`);
  }
}
