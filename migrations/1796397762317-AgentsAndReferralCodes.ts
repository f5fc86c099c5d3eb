import { MigrationInterface, QueryRunner } from 'typeorm';

export class AgentsAndReferralCodes1796397762317 implements MigrationInterface {
  name = 'AgentsAndReferralCodes1796397762317';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE TABLE "agent_referrals" ("id" character varying(24) NOT NULL, "referrer_id" uuid NOT NULL, "referred_id" uuid NOT NULL, "code_id" uuid, "status" character varying(16) NOT NULL DEFAULT 'pending', "created_at" TIMESTAMP WITH TIME ZONE NOT NULL, "activated_at" TIMESTAMP WITH TIME ZONE, "ended_at" TIMESTAMP WITH TIME ZONE, CONSTRAINT "ck_agent_referrals_not_self" CHECK (referrer_id <> referred_id), CONSTRAINT "PK_f03e7602e629bc7d134528161b8" PRIMARY KEY ("id"))`);
    await queryRunner.query(`CREATE UNIQUE INDEX "uq_agent_referrals_referred" ON "agent_referrals" ("referred_id")`);
    await queryRunner.query(`CREATE INDEX "ix_agent_referrals_code" ON "agent_referrals" ("code_id")`);
    await queryRunner.query(`CREATE INDEX "ix_agent_referrals_pending" ON "agent_referrals" ("status") WHERE status = 'pending'`);
    await queryRunner.query(`CREATE INDEX "ix_agent_referrals_referrer" ON "agent_referrals" ("referrer_id", "created_at")`);
    await queryRunner.query(`CREATE TABLE "agent_signatures" ("signature_hash" character(64) NOT NULL, "purpose" character varying(32) NOT NULL, "signed_at" TIMESTAMP WITH TIME ZONE NOT NULL, CONSTRAINT "PK_abdb432a4f459db6a2fb6208302" PRIMARY KEY ("signature_hash"))`);
    await queryRunner.query(`CREATE INDEX "ix_agent_signatures_signed_at" ON "agent_signatures" ("signed_at")`);
    await queryRunner.query(`CREATE TABLE "agents" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "public_key" character varying(64) NOT NULL, "name" character varying(100) NOT NULL, "description" text, "capabilities" jsonb NOT NULL DEFAULT '[]', "tags" jsonb NOT NULL DEFAULT '[]', "website" character varying(2048), "avatar" character varying(2048), "reputation" integer NOT NULL DEFAULT '0', "status" character varying(16) NOT NULL DEFAULT 'active', "created_at" TIMESTAMP WITH TIME ZONE NOT NULL, "revoked_at" TIMESTAMP WITH TIME ZONE, CONSTRAINT "PK_9c653f28ae19c5884d5baf6a1d9" PRIMARY KEY ("id"))`);
    await queryRunner.query(`CREATE UNIQUE INDEX "uq_agents_public_key" ON "agents" ("public_key")`);
    await queryRunner.query(`CREATE TABLE "agent_referral_codes" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "code" character varying(16) NOT NULL, "owner_id" uuid NOT NULL, "max_uses" integer NOT NULL, "uses" integer NOT NULL DEFAULT '0', "expires_at" TIMESTAMP WITH TIME ZONE NOT NULL, "status" character varying(16) NOT NULL DEFAULT 'active', "created_at" TIMESTAMP WITH TIME ZONE NOT NULL, "disabled_at" TIMESTAMP WITH TIME ZONE, CONSTRAINT "ck_agent_referral_codes_uses" CHECK (uses >= 0 AND (max_uses = -1 OR uses <= max_uses)), CONSTRAINT "PK_11baab71296917de4424e09604d" PRIMARY KEY ("id"))`);
    await queryRunner.query(`CREATE UNIQUE INDEX "uq_agent_referral_codes_code" ON "agent_referral_codes" ("code")`);
    await queryRunner.query(`CREATE INDEX "ix_agent_referral_codes_owner" ON "agent_referral_codes" ("owner_id", "created_at")`);
    await queryRunner.query(`CREATE TABLE "agent_reviews" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "subject_id" uuid NOT NULL, "reviewer_id" uuid NOT NULL, "rating" smallint NOT NULL, "comment" text, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL, "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL, CONSTRAINT "ck_agent_reviews_not_self" CHECK (subject_id <> reviewer_id), CONSTRAINT "ck_agent_reviews_rating" CHECK (rating BETWEEN 1 AND 5), CONSTRAINT "PK_629d5b8c68e85d868158570f632" PRIMARY KEY ("id"))`);
    await queryRunner.query(`CREATE INDEX "ix_agent_reviews_reviewer" ON "agent_reviews" ("reviewer_id")`);
    await queryRunner.query(`CREATE UNIQUE INDEX "uq_agent_reviews_subject_reviewer" ON "agent_reviews" ("subject_id", "reviewer_id")`);
    await queryRunner.query(`ALTER TABLE "agent_referrals" ADD CONSTRAINT "fk_agent_referrals_referrer" FOREIGN KEY ("referrer_id") REFERENCES "agents"("id") ON DELETE NO ACTION ON UPDATE NO ACTION`);
    await queryRunner.query(`ALTER TABLE "agent_referrals" ADD CONSTRAINT "fk_agent_referrals_referred" FOREIGN KEY ("referred_id") REFERENCES "agents"("id") ON DELETE NO ACTION ON UPDATE NO ACTION`);
    await queryRunner.query(`ALTER TABLE "agent_referrals" ADD CONSTRAINT "fk_agent_referrals_code" FOREIGN KEY ("code_id") REFERENCES "agent_referral_codes"("id") ON DELETE NO ACTION ON UPDATE NO ACTION`);
    await queryRunner.query(`ALTER TABLE "agent_referral_codes" ADD CONSTRAINT "fk_agent_referral_codes_owner" FOREIGN KEY ("owner_id") REFERENCES "agents"("id") ON DELETE NO ACTION ON UPDATE NO ACTION`);
    await queryRunner.query(`ALTER TABLE "agent_reviews" ADD CONSTRAINT "fk_agent_reviews_subject" FOREIGN KEY ("subject_id") REFERENCES "agents"("id") ON DELETE NO ACTION ON UPDATE NO ACTION`);
    await queryRunner.query(`ALTER TABLE "agent_reviews" ADD CONSTRAINT "fk_agent_reviews_reviewer" FOREIGN KEY ("reviewer_id") REFERENCES "agents"("id") ON DELETE NO ACTION ON UPDATE NO ACTION`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "agent_reviews" DROP CONSTRAINT "fk_agent_reviews_reviewer"`);
    await queryRunner.query(`ALTER TABLE "agent_reviews" DROP CONSTRAINT "fk_agent_reviews_subject"`);
    await queryRunner.query(`ALTER TABLE "agent_referral_codes" DROP CONSTRAINT "fk_agent_referral_codes_owner"`);
    await queryRunner.query(`ALTER TABLE "agent_referrals" DROP CONSTRAINT "fk_agent_referrals_code"`);
    await queryRunner.query(`ALTER TABLE "agent_referrals" DROP CONSTRAINT "fk_agent_referrals_referred"`);
    await queryRunner.query(`ALTER TABLE "agent_referrals" DROP CONSTRAINT "fk_agent_referrals_referrer"`);
    await queryRunner.query(`DROP INDEX "public"."uq_agent_reviews_subject_reviewer"`);
    await queryRunner.query(`DROP INDEX "public"."ix_agent_reviews_reviewer"`);
    await queryRunner.query(`DROP TABLE "agent_reviews"`);
    await queryRunner.query(`DROP INDEX "public"."ix_agent_referral_codes_owner"`);
    await queryRunner.query(`DROP INDEX "public"."uq_agent_referral_codes_code"`);
    await queryRunner.query(`DROP TABLE "agent_referral_codes"`);
    await queryRunner.query(`DROP INDEX "public"."uq_agents_public_key"`);
    await queryRunner.query(`DROP TABLE "agents"`);
    await queryRunner.query(`DROP INDEX "public"."ix_agent_signatures_signed_at"`);
    await queryRunner.query(`DROP TABLE "agent_signatures"`);
    await queryRunner.query(`DROP INDEX "public"."ix_agent_referrals_referrer"`);
    await queryRunner.query(`DROP INDEX "public"."ix_agent_referrals_pending"`);
    await queryRunner.query(`DROP INDEX "public"."ix_agent_referrals_code"`);
    await queryRunner.query(`DROP INDEX "public"."uq_agent_referrals_referred"`);
    await queryRunner.query(`DROP TABLE "agent_referrals"`);
  }
}
