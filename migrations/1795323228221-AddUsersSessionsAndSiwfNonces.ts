import { MigrationInterface, QueryRunner } from 'typeorm';

export class AddUsersSessionsAndSiwfNonces1795323228221 implements MigrationInterface {
  name = 'AddUsersSessionsAndSiwfNonces1795323228221';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE TABLE "sessions" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "fid" bigint NOT NULL, "token_hash" character(64) NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "expires_at" TIMESTAMP WITH TIME ZONE NOT NULL, "revoked_at" TIMESTAMP WITH TIME ZONE, "user_agent" character varying(512), CONSTRAINT "PK_3238ef96f18b355b671619111bc" PRIMARY KEY ("id"))`);
    await queryRunner.query(`CREATE UNIQUE INDEX "uq_sessions_token_hash" ON "sessions"  ("token_hash") `);
    await queryRunner.query(`CREATE INDEX "ix_sessions_expires_at" ON "sessions"  ("expires_at") `);
    await queryRunner.query(`CREATE INDEX "ix_sessions_fid" ON "sessions"  ("fid") `);
    await queryRunner.query(`CREATE TABLE "siwf_nonces" ("nonce" character varying(64) NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "expires_at" TIMESTAMP WITH TIME ZONE NOT NULL, "used_at" TIMESTAMP WITH TIME ZONE, CONSTRAINT "PK_af7e5960fd3cf17fd757fb941a8" PRIMARY KEY ("nonce"))`);
    await queryRunner.query(`CREATE INDEX "ix_siwf_nonces_expires_at" ON "siwf_nonces"  ("expires_at") `);
    await queryRunner.query(`CREATE TABLE "users" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "tenant_id" uuid NOT NULL, "fid" bigint, "username" character varying(64), "display_name" character varying(120), "role" character varying(16) NOT NULL, "active" boolean NOT NULL DEFAULT true, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_a3ffb1c0c8416b9fc6f907b7433" PRIMARY KEY ("id"))`);
    await queryRunner.query(`CREATE INDEX "ix_users_fid" ON "users"  ("fid") `);
    await queryRunner.query(`CREATE UNIQUE INDEX "uq_users_tenant_fid" ON "users"  ("tenant_id", "fid") WHERE fid IS NOT NULL`);
    await queryRunner.query(`ALTER TABLE "users" ADD CONSTRAINT "FK_109638590074998bb72a2f2cf08" FOREIGN KEY ("tenant_id") REFERENCES "tenants"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "users" DROP CONSTRAINT "FK_109638590074998bb72a2f2cf08"`);
    await queryRunner.query(`DROP INDEX "public"."uq_users_tenant_fid"`);
    await queryRunner.query(`DROP INDEX "public"."ix_users_fid"`);
    await queryRunner.query(`DROP TABLE "users"`);
    await queryRunner.query(`DROP INDEX "public"."ix_siwf_nonces_expires_at"`);
    await queryRunner.query(`DROP TABLE "siwf_nonces"`);
    await queryRunner.query(`DROP INDEX "public"."ix_sessions_fid"`);
    await queryRunner.query(`DROP INDEX "public"."ix_sessions_expires_at"`);
    await queryRunner.query(`DROP INDEX "public"."uq_sessions_token_hash"`);
    await queryRunner.query(`DROP TABLE "sessions"`);
  }
}
