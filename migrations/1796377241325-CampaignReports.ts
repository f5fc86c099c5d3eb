import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The first time each session of a campaign reached each funnel step, for the reports. The tables and
 * indexes are generated from the entities; the trigger that keeps campaign_session_steps is written by
 * hand (TypeORM does not model triggers). It is statement-level with a transition table, so a group
 * commit of 500 events costs one extra INSERT, and it fires for INSERT and COPY alike. Rows are
 * upserted in key order, so concurrent commits lock them in the same order and cannot deadlock.
 */
const STEPS_OF_EVENTS = (source: string) => `
  SELECT tenant_id, campaign_id,
         CASE WHEN event_name IN ('claim_started', 'swap_started', 'checkout_started') THEN 'conversion_started' ELSE event_name END AS step,
         app_id, session_id, min(occurred_at) AS first_at
  FROM ${source}
  WHERE campaign_id IS NOT NULL
    AND event_name IN ('miniapp_opened', 'sign_in_completed', 'claim_started', 'swap_started', 'checkout_started')
  GROUP BY 1, 2, 3, 4, 5
  ORDER BY 1, 2, 3, 4, 5`;

export class CampaignReports1796377241325 implements MigrationInterface {
  name = 'CampaignReports1796377241325';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE TABLE "campaign_session_steps" ("tenant_id" uuid NOT NULL, "campaign_id" uuid NOT NULL, "step" character varying(32) NOT NULL, "app_id" uuid NOT NULL, "session_id" character varying(128) NOT NULL, "first_at" TIMESTAMP WITH TIME ZONE NOT NULL, CONSTRAINT "pk_campaign_session_steps" PRIMARY KEY ("tenant_id", "campaign_id", "step", "app_id", "session_id"))`);
    await queryRunner.query(`CREATE INDEX "ix_campaign_session_steps_first_at" ON "campaign_session_steps" ("tenant_id", "campaign_id", "step", "first_at", "app_id")`);
    await queryRunner.query(`
      CREATE FUNCTION record_campaign_session_steps() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        INSERT INTO campaign_session_steps AS s (tenant_id, campaign_id, step, app_id, session_id, first_at)
        ${STEPS_OF_EVENTS('new_events')}
        ON CONFLICT (tenant_id, campaign_id, step, app_id, session_id)
        DO UPDATE SET first_at = excluded.first_at WHERE s.first_at > excluded.first_at;
        RETURN NULL;
      END
      $$`);
    await queryRunner.query(
      `CREATE TRIGGER events_campaign_session_steps AFTER INSERT ON events REFERENCING NEW TABLE AS new_events
       FOR EACH STATEMENT EXECUTE FUNCTION record_campaign_session_steps()`,
    );
    await queryRunner.query(`INSERT INTO campaign_session_steps (tenant_id, campaign_id, step, app_id, session_id, first_at) ${STEPS_OF_EVENTS('events')}`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TRIGGER events_campaign_session_steps ON events`);
    await queryRunner.query(`DROP FUNCTION record_campaign_session_steps()`);
    await queryRunner.query(`DROP INDEX "public"."ix_campaign_session_steps_first_at"`);
    await queryRunner.query(`DROP TABLE "campaign_session_steps"`);
  }
}
