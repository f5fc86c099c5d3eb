import { Injectable } from '@nestjs/common';
import { Interval } from '@nestjs/schedule';
import { JobRunner } from '../jobs/job-runner';
import { IdempotencyService } from './idempotency.service';

export const PURGE_IDEMPOTENCY_RECORDS_EVERY_MS = 15 * 60_000;

@Injectable()
export class PurgeIdempotencyRecordsJob {
  constructor(
    private readonly jobs: JobRunner,
    private readonly idempotency: IdempotencyService,
  ) {}

  @Interval('purge-idempotency-records', PURGE_IDEMPOTENCY_RECORDS_EVERY_MS)
  async tick(): Promise<void> {
    await this.jobs.run('purge-idempotency-records', async () => ({ purged: await this.idempotency.purgeExpired() }));
  }
}
