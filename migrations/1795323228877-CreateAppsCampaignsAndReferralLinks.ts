import { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateAppsCampaignsAndReferralLinks1795323228877 implements MigrationInterface {
  name = 'CreateAppsCampaignsAndReferralLinks1795323228877';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE TABLE "apps" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "tenant_id" uuid NOT NULL, "name" character varying(120) NOT NULL, "status" character varying(16) NOT NULL DEFAULT 'active', "api_key_prefix" character varying(16) NOT NULL, "api_key_hash" character(64) NOT NULL, "server_secret_hash" character(64) NOT NULL, "previous_api_key_prefix" character varying(16), "previous_api_key_hash" character(64), "previous_server_secret_hash" character(64), "previous_credentials_expire_at" TIMESTAMP WITH TIME ZONE, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "archived_at" TIMESTAMP WITH TIME ZONE, CONSTRAINT "PK_c5121fda0f8268f1f7f84134e19" PRIMARY KEY ("id"))`);
    await queryRunner.query(`CREATE UNIQUE INDEX "uq_apps_api_key_prefix" ON "apps"  ("api_key_prefix") `);
    await queryRunner.query(`CREATE INDEX "ix_apps_previous_api_key_prefix" ON "apps"  ("previous_api_key_prefix") `);
    await queryRunner.query(`CREATE INDEX "ix_apps_tenant_created" ON "apps"  ("tenant_id", "created_at") `);
    await queryRunner.query(`CREATE TABLE "campaigns" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "tenant_id" uuid NOT NULL, "app_id" uuid NOT NULL, "name" character varying(120) NOT NULL, "status" character varying(16) NOT NULL DEFAULT 'active', "starts_at" TIMESTAMP WITH TIME ZONE, "ends_at" TIMESTAMP WITH TIME ZONE, "payout_amount" numeric(20,6), "payout_currency" character varying(10) NOT NULL DEFAULT 'USDC', "payout_event" character varying(32) NOT NULL DEFAULT 'any_completed', "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "archived_at" TIMESTAMP WITH TIME ZONE, CONSTRAINT "PK_831e3fcd4fc45b4e4c3f57a9ee4" PRIMARY KEY ("id"))`);
    await queryRunner.query(`CREATE INDEX "ix_campaigns_tenant_created" ON "campaigns"  ("tenant_id", "created_at") `);
    await queryRunner.query(`CREATE INDEX "ix_campaigns_tenant_app_created" ON "campaigns"  ("tenant_id", "app_id", "created_at") `);
    await queryRunner.query(`CREATE TABLE "referral_links" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "tenant_id" uuid NOT NULL, "app_id" uuid NOT NULL, "campaign_id" uuid, "code" character varying(64) NOT NULL, "creator_fid" bigint, "creator_handle" character varying(64), "channel" character varying(64), "cast_hash" character varying(66), "destination_url" character varying(2048) NOT NULL, "status" character varying(16) NOT NULL DEFAULT 'active', "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "disabled_at" TIMESTAMP WITH TIME ZONE, CONSTRAINT "PK_ba9165a54bafa386574ba5a8a6a" PRIMARY KEY ("id"))`);
    await queryRunner.query(`CREATE UNIQUE INDEX "uq_referral_links_code" ON "referral_links"  ("code") `);
    await queryRunner.query(`CREATE INDEX "ix_referral_links_tenant_campaign" ON "referral_links"  ("tenant_id", "campaign_id") `);
    await queryRunner.query(`CREATE INDEX "ix_referral_links_tenant_app_created" ON "referral_links"  ("tenant_id", "app_id", "created_at") `);
    // Declared with @ForeignKey in the entities (no relations). Deleting a tenant removes its rows; apps and campaigns
    // are archived, never deleted, so references to them refuse deletion.
    await queryRunner.query(`ALTER TABLE "apps" ADD CONSTRAINT "fk_apps_tenant" FOREIGN KEY ("tenant_id") REFERENCES "tenants"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
    await queryRunner.query(`ALTER TABLE "campaigns" ADD CONSTRAINT "fk_campaigns_tenant" FOREIGN KEY ("tenant_id") REFERENCES "tenants"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
    await queryRunner.query(`ALTER TABLE "campaigns" ADD CONSTRAINT "fk_campaigns_app" FOREIGN KEY ("app_id") REFERENCES "apps"("id") ON DELETE NO ACTION ON UPDATE NO ACTION`);
    await queryRunner.query(`ALTER TABLE "referral_links" ADD CONSTRAINT "fk_referral_links_tenant" FOREIGN KEY ("tenant_id") REFERENCES "tenants"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
    await queryRunner.query(`ALTER TABLE "referral_links" ADD CONSTRAINT "fk_referral_links_app" FOREIGN KEY ("app_id") REFERENCES "apps"("id") ON DELETE NO ACTION ON UPDATE NO ACTION`);
    await queryRunner.query(`ALTER TABLE "referral_links" ADD CONSTRAINT "fk_referral_links_campaign" FOREIGN KEY ("campaign_id") REFERENCES "campaigns"("id") ON DELETE NO ACTION ON UPDATE NO ACTION`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "referral_links" DROP CONSTRAINT "fk_referral_links_campaign"`);
    await queryRunner.query(`ALTER TABLE "referral_links" DROP CONSTRAINT "fk_referral_links_app"`);
    await queryRunner.query(`ALTER TABLE "referral_links" DROP CONSTRAINT "fk_referral_links_tenant"`);
    await queryRunner.query(`ALTER TABLE "campaigns" DROP CONSTRAINT "fk_campaigns_app"`);
    await queryRunner.query(`ALTER TABLE "campaigns" DROP CONSTRAINT "fk_campaigns_tenant"`);
    await queryRunner.query(`ALTER TABLE "apps" DROP CONSTRAINT "fk_apps_tenant"`);
    await queryRunner.query(`DROP INDEX "public"."ix_referral_links_tenant_app_created"`);
    await queryRunner.query(`DROP INDEX "public"."ix_referral_links_tenant_campaign"`);
    await queryRunner.query(`DROP INDEX "public"."uq_referral_links_code"`);
    await queryRunner.query(`DROP TABLE "referral_links"`);
    await queryRunner.query(`DROP INDEX "public"."ix_campaigns_tenant_app_created"`);
    await queryRunner.query(`DROP INDEX "public"."ix_campaigns_tenant_created"`);
    await queryRunner.query(`DROP TABLE "campaigns"`);
    await queryRunner.query(`DROP INDEX "public"."ix_apps_tenant_created"`);
    await queryRunner.query(`DROP INDEX "public"."ix_apps_previous_api_key_prefix"`);
    await queryRunner.query(`DROP INDEX "public"."uq_apps_api_key_prefix"`);
    await queryRunner.query(`DROP TABLE "apps"`);
  }
}
