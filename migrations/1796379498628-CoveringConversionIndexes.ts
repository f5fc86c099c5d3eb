import { MigrationInterface, QueryRunner } from 'typeorm';

/** Each model's campaign index covers what the reports read of a conversion, for index-only scans. */

export class CoveringConversionIndexes1796379498628 implements MigrationInterface {
  name = 'CoveringConversionIndexes1796379498628';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "public"."ix_conversions_tenant_last_campaign_time"`);
    await queryRunner.query(`DROP INDEX "public"."ix_conversions_tenant_first_campaign_time"`);
    await queryRunner.query(`CREATE INDEX "ix_conversions_tenant_last_campaign_time" ON "conversions" ("tenant_id", "last_click_campaign_id", "occurred_at", "last_click_link_id", "kind", "value_usdc", "session_id", "app_id")`);
    await queryRunner.query(`CREATE INDEX "ix_conversions_tenant_first_campaign_time" ON "conversions" ("tenant_id", "first_touch_campaign_id", "occurred_at", "first_touch_link_id", "kind", "value_usdc", "session_id", "app_id")`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "public"."ix_conversions_tenant_first_campaign_time"`);
    await queryRunner.query(`DROP INDEX "public"."ix_conversions_tenant_last_campaign_time"`);
    await queryRunner.query(`CREATE INDEX "ix_conversions_tenant_first_campaign_time" ON "conversions" ("tenant_id", "first_touch_campaign_id", "occurred_at")`);
    await queryRunner.query(`CREATE INDEX "ix_conversions_tenant_last_campaign_time" ON "conversions" ("tenant_id", "last_click_campaign_id", "occurred_at")`);
  }
}
