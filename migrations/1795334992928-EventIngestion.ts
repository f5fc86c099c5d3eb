import { MigrationInterface, QueryRunner } from 'typeorm';

export class EventIngestion1795334992928 implements MigrationInterface {
  name = 'EventIngestion1795334992928';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE TABLE "conversion_jobs" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "tenant_id" uuid NOT NULL, "event_id" uuid NOT NULL, "status" character varying(16) NOT NULL DEFAULT 'pending', "attempts" integer NOT NULL DEFAULT '0', "run_at" TIMESTAMP WITH TIME ZONE NOT NULL, "locked_until" TIMESTAMP WITH TIME ZONE, "last_error" text, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "pk_conversion_jobs" PRIMARY KEY ("id"))`);
    await queryRunner.query(`CREATE UNIQUE INDEX "uq_conversion_jobs_event" ON "conversion_jobs"  ("event_id") `);
    await queryRunner.query(`CREATE INDEX "ix_conversion_jobs_due" ON "conversion_jobs"  ("run_at") WHERE status = 'pending'`);
    await queryRunner.query(`CREATE TABLE "events" ("id" uuid NOT NULL, "tenant_id" uuid NOT NULL, "app_id" uuid NOT NULL, "event_name" character varying(64) NOT NULL, "category" character varying(24) NOT NULL, "session_id" character varying(128) NOT NULL, "campaign_id" uuid, "referral_link_id" uuid, "click_id" character varying(32), "fid" bigint, "user_id" character varying(128), "idempotency_key" character varying(255), "tx_hash" character varying(128), "value_usdc" numeric(18,6), "revenue" numeric(18,6), "currency" character(3), "properties" jsonb NOT NULL DEFAULT '{}', "context" jsonb NOT NULL DEFAULT '{}', "trusted" boolean NOT NULL, "occurred_at" TIMESTAMP WITH TIME ZONE NOT NULL, "received_at" TIMESTAMP WITH TIME ZONE NOT NULL, CONSTRAINT "uq_events_app_idempotency_key" UNIQUE ("app_id", "idempotency_key"), CONSTRAINT "pk_events" PRIMARY KEY ("id"))`);
    await queryRunner.query(`CREATE INDEX "ix_events_tenant_session_time" ON "events"  ("tenant_id", "session_id", "occurred_at") `);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "public"."ix_events_tenant_session_time"`);
    await queryRunner.query(`DROP TABLE "events"`);
    await queryRunner.query(`DROP INDEX "public"."ix_conversion_jobs_due"`);
    await queryRunner.query(`DROP INDEX "public"."uq_conversion_jobs_event"`);
    await queryRunner.query(`DROP TABLE "conversion_jobs"`);
  }
}
