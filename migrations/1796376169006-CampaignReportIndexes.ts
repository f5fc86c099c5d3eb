import { MigrationInterface, QueryRunner } from 'typeorm';

export class CampaignReportIndexes1796376169006 implements MigrationInterface {
  name = 'CampaignReportIndexes1796376169006';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "public"."ix_touches_tenant_campaign_time"`);
    await queryRunner.query(`CREATE INDEX "ix_events_tenant_campaign_time" ON "events" ("tenant_id", "campaign_id", "occurred_at", "event_name", "session_id", "app_id") WHERE campaign_id IS NOT NULL`);
    await queryRunner.query(`CREATE INDEX "ix_touches_tenant_campaign_time" ON "touches" ("tenant_id", "campaign_id", "occurred_at", "link_id", "is_bot", "app_id")`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "public"."ix_touches_tenant_campaign_time"`);
    await queryRunner.query(`DROP INDEX "public"."ix_events_tenant_campaign_time"`);
    await queryRunner.query(`CREATE INDEX "ix_touches_tenant_campaign_time" ON "touches" ("tenant_id", "campaign_id", "occurred_at")`);
  }
}
