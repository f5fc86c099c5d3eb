import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Finished conversion jobs are now deleted in the statement that derives their conversion (the
 * conversion, unique per event, is the record); this removes those kept by the earlier queue. Written
 * by hand: no entity changed, only the data.
 */
export class DeleteFinishedConversionJobs1796379145526 implements MigrationInterface {
  name = 'DeleteFinishedConversionJobs1796379145526';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DELETE FROM conversion_jobs WHERE status = 'done'`);
  }

  async down(): Promise<void> {
    // Deleted jobs stay deleted: their conversions exist, and the earlier queue never read done jobs.
  }
}
