import { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateTenantsApiKeysAndIdempotencyRecords1795320958800 implements MigrationInterface {
  name = 'CreateTenantsApiKeysAndIdempotencyRecords1795320958800';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE TABLE "tenants" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "name" character varying(120) NOT NULL, "settings" jsonb NOT NULL DEFAULT '{}', "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_53be67a04681c66b87ee27c9321" PRIMARY KEY ("id"))`);
    await queryRunner.query(`CREATE TABLE "api_keys" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "tenant_id" uuid NOT NULL, "name" character varying(120) NOT NULL, "prefix" character varying(16) NOT NULL, "secret_hash" character(64) NOT NULL, "scopes" text array NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "expires_at" TIMESTAMP WITH TIME ZONE, "last_used_at" TIMESTAMP WITH TIME ZONE, "revoked_at" TIMESTAMP WITH TIME ZONE, CONSTRAINT "PK_5c8a79801b44bd27b79228e1dad" PRIMARY KEY ("id"))`);
    await queryRunner.query(`CREATE UNIQUE INDEX "uq_api_keys_prefix" ON "api_keys"  ("prefix") `);
    await queryRunner.query(`CREATE INDEX "ix_api_keys_tenant_created" ON "api_keys"  ("tenant_id", "created_at") `);
    await queryRunner.query(`CREATE TABLE "idempotency_records" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "scope" character varying(120) NOT NULL, "key" character varying(255) NOT NULL, "fingerprint" character(64) NOT NULL, "state" character varying(16) NOT NULL, "response_status" smallint, "response_body" text, "locked_until" TIMESTAMP WITH TIME ZONE NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "expires_at" TIMESTAMP WITH TIME ZONE NOT NULL, CONSTRAINT "uq_idempotency_records_scope_key" UNIQUE ("scope", "key"), CONSTRAINT "PK_9ae4e93699362b0d4e3da3dd1c2" PRIMARY KEY ("id"))`);
    await queryRunner.query(`CREATE INDEX "ix_idempotency_records_expires_at" ON "idempotency_records"  ("expires_at") `);
    await queryRunner.query(`ALTER TABLE "api_keys" ADD CONSTRAINT "FK_3ac18429c8d27858d79432e0dda" FOREIGN KEY ("tenant_id") REFERENCES "tenants"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "api_keys" DROP CONSTRAINT "FK_3ac18429c8d27858d79432e0dda"`);
    await queryRunner.query(`DROP INDEX "public"."ix_idempotency_records_expires_at"`);
    await queryRunner.query(`DROP TABLE "idempotency_records"`);
    await queryRunner.query(`DROP INDEX "public"."ix_api_keys_tenant_created"`);
    await queryRunner.query(`DROP INDEX "public"."uq_api_keys_prefix"`);
    await queryRunner.query(`DROP TABLE "api_keys"`);
    await queryRunner.query(`DROP TABLE "tenants"`);
  }
}
