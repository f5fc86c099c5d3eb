import { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateTouches1795325669079 implements MigrationInterface {
  name = 'CreateTouches1795325669079';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE TABLE "touches" ("tenant_id" uuid NOT NULL, "app_id" uuid NOT NULL, "link_id" uuid NOT NULL, "campaign_id" uuid, "creator_fid" bigint, "creator_handle" character varying(64), "channel" character varying(64), "cast_hash" character varying(66), "click_id" character varying(32) NOT NULL, "kind" character varying(32) NOT NULL DEFAULT 'link_clicked', "is_bot" boolean NOT NULL, "user_agent" character varying(512), "referer" character varying(1024), "ip_hash" character(64), "occurred_at" TIMESTAMP WITH TIME ZONE NOT NULL, CONSTRAINT "pk_touches" PRIMARY KEY ("click_id"))`);
    await queryRunner.query(`CREATE INDEX "ix_touches_tenant_campaign_time" ON "touches"  ("tenant_id", "campaign_id", "occurred_at") `);
    await queryRunner.query(`CREATE INDEX "ix_touches_tenant_link_time" ON "touches"  ("tenant_id", "link_id", "occurred_at") `);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "public"."ix_touches_tenant_link_time"`);
    await queryRunner.query(`DROP INDEX "public"."ix_touches_tenant_campaign_time"`);
    await queryRunner.query(`DROP TABLE "touches"`);
  }
}
