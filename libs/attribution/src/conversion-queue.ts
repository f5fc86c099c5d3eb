import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Clock } from '@refos/platform';
import { DataSource } from 'typeorm';
import { ConversionDeriver } from './conversion-deriver';

/** How long a claimed job is a worker's; a worker that dies leaves it to be claimed again after this. */
export const CONVERSION_JOB_LEASE_MS = 60_000;
/** Attempts before a job is dead (kept with its last error, listed, retried by hand). */
export const MAX_CONVERSION_JOB_ATTEMPTS = 5;
const BACKOFF_BASE_MS = 5_000;
const BACKOFF_CAP_MS = 3_600_000;
const MAX_ERROR_LENGTH = 2_000;

export interface ProcessResult {
  processed: number;
  failed: number;
  /** Jobs still pending or running after this pass. */
  remaining: number;
}

// Leases of dead workers run out: their jobs become claimable again, with the attempt they used.
const REAP_EXPIRED_LEASES = `
  UPDATE conversion_jobs SET status = 'pending', locked_until = NULL, run_at = $1, updated_at = $1
  WHERE status = 'running' AND locked_until < $1`;

// SKIP LOCKED: parallel workers each take jobs nobody else holds, without waiting on each other.
const CLAIM = `
  UPDATE conversion_jobs j SET status = 'running', attempts = j.attempts + 1, locked_until = $3, updated_at = $2
  FROM (
    SELECT id FROM conversion_jobs WHERE status = 'pending' AND run_at <= $2
    ORDER BY run_at LIMIT $1 FOR UPDATE SKIP LOCKED
  ) due
  WHERE j.id = due.id
  RETURNING j.id, j.attempts`;

const FAIL = `
  UPDATE conversion_jobs
  SET status = CASE WHEN attempts >= $4 THEN 'dead' ELSE 'pending' END, run_at = $3, locked_until = NULL, last_error = $2, updated_at = $5
  WHERE id = $1 AND status = 'running'`;

const REMAINING = `SELECT count(*)::int AS remaining FROM conversion_jobs WHERE status IN ('pending', 'running')`;

interface Claimed {
  id: string;
  attempts: number;
}

/**
 * The conversion queue (the outbox ingestion writes): claims due jobs in batches, derives their
 * conversions in one statement per batch, and backs off failed jobs exponentially until they are dead.
 * A batch that fails is retried job by job, so one bad job cannot hold the others back.
 */
@Injectable()
export class ConversionQueue {
  private readonly logger = new Logger(ConversionQueue.name);

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly deriver: ConversionDeriver,
    private readonly clock: Clock,
  ) {}

  /** Works up to `limit` due jobs. */
  async process(limit: number): Promise<ProcessResult> {
    const now = this.clock.now();
    await this.dataSource.query(REAP_EXPIRED_LEASES, [now]);
    const claimed = await this.claim(limit, now);
    let processed = 0;
    let failed = 0;
    if (claimed.length > 0) {
      const outcome = await this.deriveBatch(claimed, now);
      processed = outcome.processed;
      failed = outcome.failed;
    }
    const [{ remaining }] = await this.dataSource.query(REMAINING);
    return { processed, failed, remaining };
  }

  /** Claims up to `limit` due jobs for this worker (leased for CONVERSION_JOB_LEASE_MS). */
  async claim(limit: number, now = this.clock.now()): Promise<Claimed[]> {
    const [rows] = await this.dataSource.query(CLAIM, [limit, now, new Date(now.getTime() + CONVERSION_JOB_LEASE_MS)]);
    return rows as Claimed[];
  }

  private async deriveBatch(claimed: Claimed[], now: Date): Promise<{ processed: number; failed: number }> {
    try {
      const done = await this.deriver.derive(claimed.map((job) => job.id), now);
      const missing = claimed.filter((job) => !done.has(job.id));
      for (const job of missing) await this.fail(job, new Error('the conversion event of this job does not exist'), now);
      return { processed: done.size, failed: missing.length };
    } catch (error) {
      if (claimed.length === 1) {
        await this.fail(claimed[0], error, now);
        return { processed: 0, failed: 1 };
      }
      this.logger.warn({ err: error, jobs: claimed.length }, 'a batch of conversion jobs failed; retrying them one by one');
      let processed = 0;
      let failed = 0;
      for (const job of claimed) {
        const outcome = await this.deriveBatch([job], now);
        processed += outcome.processed;
        failed += outcome.failed;
      }
      return { processed, failed };
    }
  }

  private async fail(job: Claimed, error: unknown, now: Date): Promise<void> {
    const message = (error instanceof Error ? error.message : String(error)).slice(0, MAX_ERROR_LENGTH);
    const delay = Math.min(BACKOFF_CAP_MS, BACKOFF_BASE_MS * 2 ** (job.attempts - 1));
    this.logger.warn({ jobId: job.id, attempts: job.attempts, err: error }, 'conversion job failed');
    await this.dataSource.query(FAIL, [job.id, message, new Date(now.getTime() + delay), MAX_CONVERSION_JOB_ATTEMPTS, now]);
  }
}
