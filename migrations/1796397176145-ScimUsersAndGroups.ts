import { MigrationInterface, QueryRunner } from 'typeorm';

export class ScimUsersAndGroups1796397176145 implements MigrationInterface {
  name = 'ScimUsersAndGroups1796397176145';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE TABLE "scim_group_members" ("group_id" uuid NOT NULL, "user_id" uuid NOT NULL, CONSTRAINT "PK_8b10e33ba5676208fb52a83bb89" PRIMARY KEY ("group_id", "user_id"))`);
    await queryRunner.query(`CREATE INDEX "ix_scim_group_members_user" ON "scim_group_members" ("user_id")`);
    await queryRunner.query(`CREATE TABLE "scim_groups" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "tenant_id" uuid NOT NULL, "display_name" character varying(255) NOT NULL, "external_id" character varying(255), "version" integer NOT NULL DEFAULT '1', "created_at" TIMESTAMP WITH TIME ZONE NOT NULL, "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL, CONSTRAINT "PK_8bacda70f9d3c4028b3abe53874" PRIMARY KEY ("id"))`);
    await queryRunner.query(`CREATE TABLE "audit_log" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "tenant_id" uuid NOT NULL, "actor_api_key_id" uuid, "action" character varying(40) NOT NULL, "resource_type" character varying(16) NOT NULL, "resource_id" uuid NOT NULL, "summary" character varying(500) NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL, CONSTRAINT "PK_07fefa57f7f5ab8fc3f52b3ed0b" PRIMARY KEY ("id"))`);
    await queryRunner.query(`CREATE INDEX "ix_audit_log_tenant_created" ON "audit_log" ("tenant_id", "created_at")`);
    await queryRunner.query(`ALTER TABLE "users" ADD "user_name" character varying(255)`);
    await queryRunner.query(`ALTER TABLE "users" ADD "external_id" character varying(255)`);
    await queryRunner.query(`ALTER TABLE "users" ADD "given_name" character varying(255)`);
    await queryRunner.query(`ALTER TABLE "users" ADD "family_name" character varying(255)`);
    await queryRunner.query(`ALTER TABLE "users" ADD "emails" jsonb NOT NULL DEFAULT '[]'`);
    await queryRunner.query(`ALTER TABLE "users" ADD "version" integer NOT NULL DEFAULT '1'`);
    await queryRunner.query(`CREATE INDEX "ix_users_tenant_external_id" ON "users" ("tenant_id", "external_id")`);
    // Expression indexes (case-insensitive uniqueness, RFC 7643 caseExact false): TypeORM cannot declare them.
    await queryRunner.query(`CREATE UNIQUE INDEX "uq_users_tenant_user_name" ON "users" ("tenant_id", lower("user_name")) WHERE "user_name" IS NOT NULL`);
    await queryRunner.query(`CREATE UNIQUE INDEX "uq_scim_groups_tenant_display_name" ON "scim_groups" ("tenant_id", lower("display_name"))`);
    await queryRunner.query(`ALTER TABLE "scim_group_members" ADD CONSTRAINT "fk_scim_group_members_group" FOREIGN KEY ("group_id") REFERENCES "scim_groups"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
    await queryRunner.query(`ALTER TABLE "scim_group_members" ADD CONSTRAINT "fk_scim_group_members_user" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
    await queryRunner.query(`ALTER TABLE "scim_groups" ADD CONSTRAINT "fk_scim_groups_tenant" FOREIGN KEY ("tenant_id") REFERENCES "tenants"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
    await queryRunner.query(`ALTER TABLE "audit_log" ADD CONSTRAINT "fk_audit_log_tenant" FOREIGN KEY ("tenant_id") REFERENCES "tenants"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "audit_log" DROP CONSTRAINT "fk_audit_log_tenant"`);
    await queryRunner.query(`ALTER TABLE "scim_groups" DROP CONSTRAINT "fk_scim_groups_tenant"`);
    await queryRunner.query(`ALTER TABLE "scim_group_members" DROP CONSTRAINT "fk_scim_group_members_user"`);
    await queryRunner.query(`ALTER TABLE "scim_group_members" DROP CONSTRAINT "fk_scim_group_members_group"`);
    await queryRunner.query(`DROP INDEX "public"."uq_scim_groups_tenant_display_name"`);
    await queryRunner.query(`DROP INDEX "public"."uq_users_tenant_user_name"`);
    await queryRunner.query(`DROP INDEX "public"."ix_users_tenant_external_id"`);
    await queryRunner.query(`ALTER TABLE "users" DROP COLUMN "version"`);
    await queryRunner.query(`ALTER TABLE "users" DROP COLUMN "emails"`);
    await queryRunner.query(`ALTER TABLE "users" DROP COLUMN "family_name"`);
    await queryRunner.query(`ALTER TABLE "users" DROP COLUMN "given_name"`);
    await queryRunner.query(`ALTER TABLE "users" DROP COLUMN "external_id"`);
    await queryRunner.query(`ALTER TABLE "users" DROP COLUMN "user_name"`);
    await queryRunner.query(`DROP INDEX "public"."ix_audit_log_tenant_created"`);
    await queryRunner.query(`DROP TABLE "audit_log"`);
    await queryRunner.query(`DROP TABLE "scim_groups"`);
    await queryRunner.query(`DROP INDEX "public"."ix_scim_group_members_user"`);
    await queryRunner.query(`DROP TABLE "scim_group_members"`);
  }
}
