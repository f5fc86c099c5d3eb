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
const MISSING_EVENT = 'the conversion event of this job does not exist';

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

// Two counts over the partial indexes of pending and running jobs, never over the done ones.
const REMAINING = `
  SELECT (SELECT count(*) FROM conversion_jobs WHERE status = 'pending')::int
       + (SELECT count(*) FROM conversion_jobs WHERE status = 'running')::int AS remaining`;

interface Claimed {
  id: string;
  attempts: number;
}

/**
 * The conversion queue (the outbox ingestion writes): takes due jobs in batches, derives their
 * conversions in one statement per batch, and backs off failed jobs exponentially until they are dead.
 * A batch that fails is retried job by job under leases, so one bad job cannot hold the others back.
 */
@Injectable()
export class ConversionQueue {
  private readonly logger = new Logger(ConversionQueue.name);

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly deriver: ConversionDeriver,
    private readonly clock: Clock,
  ) {}

  /**
   * Works up to `limit` due jobs: claimed, derived and marked done by one statement. Only when that
   * batch fails are its jobs claimed with a lease and worked one by one, so the bad one is found.
   */
  async process(limit: number): Promise<ProcessResult> {
    const now = this.clock.now();
    await this.dataSource.query(REAP_EXPIRED_LEASES, [now]);
    let processed = 0;
    let failed = 0;
    try {
      const { derived, orphans } = await this.deriver.deriveDue(limit, now, this.leaseEnd(now));
      for (const job of orphans) await this.fail(job, new Error(MISSING_EVENT), now);
      processed = derived;
      failed = orphans.length;
    } catch (error) {
      this.logger.warn({ err: error }, 'a batch of conversion jobs failed; working them one by one');
      const outcome = await this.deriveOneByOne(await this.claim(limit, now), now);
      processed = outcome.processed;
      failed = outcome.failed;
    }
    const [{ remaining }] = await this.dataSource.query(REMAINING);
    return { processed, failed, remaining };
  }

  /** Claims up to `limit` due jobs for this worker (leased for CONVERSION_JOB_LEASE_MS). */
  async claim(limit: number, now = this.clock.now()): Promise<Claimed[]> {
    const [rows] = await this.dataSource.query(CLAIM, [limit, now, this.leaseEnd(now)]);
    return rows as Claimed[];
  }

  private leaseEnd(now: Date): Date {
    return new Date(now.getTime() + CONVERSION_JOB_LEASE_MS);
  }

  private async deriveOneByOne(claimed: Claimed[], now: Date): Promise<{ processed: number; failed: number }> {
    let processed = 0;
    let failed = 0;
    for (const job of claimed) {
      try {
        const done = await this.deriver.derive([job.id], now);
        if (done.has(job.id)) processed++;
        else throw new Error(MISSING_EVENT);
      } catch (error) {
        await this.fail(job, error, now);
        failed++;
      }
    }
    return { processed, failed };
  }

  private async fail(job: Claimed, error: unknown, now: Date): Promise<void> {
    const message = (error instanceof Error ? error.message : String(error)).slice(0, MAX_ERROR_LENGTH);
    const delay = Math.min(BACKOFF_CAP_MS, BACKOFF_BASE_MS * 2 ** (job.attempts - 1));
    this.logger.warn({ jobId: job.id, attempts: job.attempts, err: error }, 'conversion job failed');
    await this.dataSource.query(FAIL, [job.id, message, new Date(now.getTime() + delay), MAX_CONVERSION_JOB_ATTEMPTS, now]);
  }
}
