import { MigrationInterface, QueryRunner } from 'typeorm';

export class ConversionsAndAttribution1796374422403 implements MigrationInterface {
  name = 'ConversionsAndAttribution1796374422403';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE TABLE "conversions" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "tenant_id" uuid NOT NULL, "app_id" uuid NOT NULL, "event_id" uuid NOT NULL, "started_event_id" uuid, "kind" character varying(16) NOT NULL, "session_id" character varying(128) NOT NULL, "fid" bigint, "tx_hash" character varying(128), "value_usdc" numeric(18,6), "revenue" numeric(18,6), "currency" character(3), "campaign_id" uuid, "occurred_at" TIMESTAMP WITH TIME ZONE NOT NULL, "derived_at" TIMESTAMP WITH TIME ZONE NOT NULL, "lookback_days" integer NOT NULL, "candidates" integer NOT NULL, "first_touch_source" character varying(8), "first_touch_click_id" character varying(32), "first_touch_link_id" uuid, "first_touch_campaign_id" uuid, "first_touch_creator_fid" bigint, "first_touch_creator_handle" character varying(64), "first_touch_channel" character varying(64), "first_touch_cast_hash" character varying(66), "first_touch_at" TIMESTAMP WITH TIME ZONE, "last_click_source" character varying(8), "last_click_click_id" character varying(32), "last_click_link_id" uuid, "last_click_campaign_id" uuid, "last_click_creator_fid" bigint, "last_click_creator_handle" character varying(64), "last_click_channel" character varying(64), "last_click_cast_hash" character varying(66), "last_click_at" TIMESTAMP WITH TIME ZONE, CONSTRAINT "pk_conversions" PRIMARY KEY ("id"))`);
    await queryRunner.query(`CREATE UNIQUE INDEX "uq_conversions_event" ON "conversions" ("event_id")`);
    await queryRunner.query(`CREATE INDEX "ix_conversions_tenant_session" ON "conversions" ("tenant_id", "session_id")`);
    await queryRunner.query(`CREATE INDEX "ix_conversions_tenant_last_campaign_time" ON "conversions" ("tenant_id", "last_click_campaign_id", "occurred_at")`);
    await queryRunner.query(`CREATE INDEX "ix_conversions_tenant_first_campaign_time" ON "conversions" ("tenant_id", "first_touch_campaign_id", "occurred_at")`);
    await queryRunner.query(`CREATE INDEX "ix_events_tenant_app_fid_time" ON "events" ("tenant_id", "app_id", "fid", "occurred_at") WHERE fid IS NOT NULL`);
    await queryRunner.query(`CREATE INDEX "ix_conversion_jobs_tenant_status" ON "conversion_jobs" ("tenant_id", "status", "updated_at")`);
    await queryRunner.query(`CREATE INDEX "ix_conversion_jobs_leases" ON "conversion_jobs" ("locked_until") WHERE status = 'running'`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "public"."ix_conversion_jobs_leases"`);
    await queryRunner.query(`DROP INDEX "public"."ix_conversion_jobs_tenant_status"`);
    await queryRunner.query(`DROP INDEX "public"."ix_events_tenant_app_fid_time"`);
    await queryRunner.query(`DROP INDEX "public"."ix_conversions_tenant_first_campaign_time"`);
    await queryRunner.query(`DROP INDEX "public"."ix_conversions_tenant_last_campaign_time"`);
    await queryRunner.query(`DROP INDEX "public"."ix_conversions_tenant_session"`);
    await queryRunner.query(`DROP INDEX "public"."uq_conversions_event"`);
    await queryRunner.query(`DROP TABLE "conversions"`);
  }
}
