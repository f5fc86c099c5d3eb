import { MigrationInterface, QueryRunner } from 'typeorm';

export class EventIdempotencyKeySpaces1796372651604 implements MigrationInterface {
  name = 'EventIdempotencyKeySpaces1796372651604';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "events" DROP CONSTRAINT "uq_events_app_idempotency_key"`);
    await queryRunner.query(`CREATE UNIQUE INDEX "uq_events_app_trusted_idempotency_key" ON "events" ("app_id", "trusted", "idempotency_key") WHERE idempotency_key IS NOT NULL`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "public"."uq_events_app_trusted_idempotency_key"`);
    await queryRunner.query(`ALTER TABLE "events" ADD CONSTRAINT "uq_events_app_idempotency_key" UNIQUE ("app_id", "idempotency_key")`);
  }
}
