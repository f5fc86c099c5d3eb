import { BeforeApplicationShutdown, Inject, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { copyIn, copyLine, DATABASE_ENDPOINT, DatabaseEndpoint, parseCopyLine, pgPool } from '@refos/platform';
import { DataSource } from 'typeorm';

export interface TouchRow {
  tenantId: string;
  appId: string;
  linkId: string;
  campaignId: string | null;
  creatorFid: string | null;
  creatorHandle: string | null;
  channel: string | null;
  castHash: string | null;
  clickId: string;
  isBot: boolean;
  userAgent: string | null;
  referer: string | null;
  ipHash: string | null;
  occurredAt: Date;
}

export const MAX_TOUCH_BATCH = 500;
/** Beyond this many unwritten touches (a long database outage) the oldest are dropped, loudly. */
const MAX_PENDING = 200_000;
const RETRY_DELAY_MS = 1_000;
/** The longest a click waits in memory before its batch is written. */
export const TOUCH_FLUSH_INTERVAL_MS = 50;
const TOUCH_FIELDS = [
  'tenant_id', 'app_id', 'link_id', 'campaign_id', 'creator_fid', 'creator_handle', 'channel', 'cast_hash',
  'click_id', 'is_bot', 'user_agent', 'referer', 'ip_hash', 'occurred_at',
] as const;
const TOUCH_COLUMNS = TOUCH_FIELDS.join(', ');
const COPY_TOUCHES = `COPY touches (${TOUCH_COLUMNS}) FROM STDIN`;
const UNIQUE_VIOLATION = '23505';
// The INSERT path, for the embedded database (no COPY) and for a batch retried after a lost
// acknowledgement. The batch travels as one JSON parameter (JSON.stringify is native; pg's per-element array escaping
// is not), and one statement text serves every batch size, so PostgreSQL plans it once per connection.
const INSERT_TOUCHES = {
  name: 'refos_insert_touches',
  text: `INSERT INTO touches (${TOUCH_COLUMNS})
         SELECT t.tenant_id, t.app_id, t.link_id, t.campaign_id, t.creator_fid, t.creator_handle, t.channel, t.cast_hash,
                t.click_id, t.is_bot, t.user_agent, t.referer, t.ip_hash, t.occurred_at
         FROM jsonb_to_recordset($1::jsonb) AS t(tenant_id uuid, app_id uuid, link_id uuid, campaign_id uuid, creator_fid bigint,
              creator_handle text, channel text, cast_hash text, click_id text, is_bot boolean, user_agent text, referer text,
              ip_hash text, occurred_at timestamptz)
         ON CONFLICT (click_id) DO NOTHING`,
};

/**
 * Takes click touches off the redirect's request path. Nobody waits for these writes (the 302 has
 * gone), so they are gathered for up to 50 ms or 500 rows and written in one INSERT: a busy link
 * costs one statement per 500 clicks instead of one per handful. On a PostgreSQL server a batch goes
 * in through COPY, half the database CPU of the INSERT. Shutdown writes whatever is left.
 */
@Injectable()
export class TouchBuffer implements BeforeApplicationShutdown {
  private readonly logger = new Logger(TouchBuffer.name);
  /**
   * Each touch as its COPY line: one flat string per click instead of an object graph that would
   * outlive the young generation and be copied by every scavenge until its batch is written.
   */
  private pending: string[] = [];
  private flushing: Promise<void> | null = null;
  private retryTimer: NodeJS.Timeout | null = null;
  private flushTimer: NodeJS.Timeout | null = null;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(DATABASE_ENDPOINT) private readonly database: DatabaseEndpoint,
  ) {}

  record(t: TouchRow): void {
    this.pending.push(
      copyLine([t.tenantId, t.appId, t.linkId, t.campaignId, t.creatorFid, t.creatorHandle, t.channel, t.castHash,
        t.clickId, t.isBot, t.userAgent, t.referer, t.ipHash, t.occurredAt]),
    );
    if (this.pending.length > MAX_PENDING) {
      // Drop a tenth at once: trimming one row per click would copy 200k entries per redirect.
      const dropped = this.pending.splice(0, MAX_PENDING / 10);
      this.logger.error({ dropped: dropped.length }, 'touch buffer full: dropped the oldest unwritten touches');
    }
    // A running flush or a pending retry picks these rows up when it ends.
    if (this.flushing || this.retryTimer) return;
    if (this.pending.length >= MAX_TOUCH_BATCH) this.startFlush('full');
    else this.armTimer();
  }

  /** Unwritten touches, for metrics and tests. */
  get size(): number {
    return this.pending.length;
  }

  /** Writes everything buffered now; used at shutdown, so it gives up after a few failed attempts. */
  async drain(attempts = 3): Promise<void> {
    for (let attempt = 1; attempt <= attempts; attempt++) {
      if (this.flushing) await this.flushing;
      this.clearTimers();
      if (this.pending.length === 0) return;
      this.flushing = this.flushLoop('all');
      await this.flushing;
      if (this.pending.length === 0) return;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    this.logger.error({ lost: this.pending.length }, 'could not write the remaining touches before shutdown');
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.drain();
  }

  private clearTimers(): void {
    for (const timer of [this.retryTimer, this.flushTimer]) if (timer) clearTimeout(timer);
    this.retryTimer = null;
    this.flushTimer = null;
  }

  private armTimer(): void {
    this.flushTimer ??= setTimeout(() => this.startFlush('due'), TOUCH_FLUSH_INTERVAL_MS).unref();
  }

  private startFlush(mode: 'full' | 'due'): void {
    if (this.flushTimer) clearTimeout(this.flushTimer);
    this.flushTimer = null;
    if (!this.flushing && !this.retryTimer) this.flushing = this.flushLoop(mode);
  }

  /**
   * `full`: full batches only. `due`: the timer fired, so one batch of whatever waits, then full ones.
   * `all`: until nothing is left (shutdown). A remainder waits for the timer.
   */
  private async flushLoop(mode: 'full' | 'due' | 'all'): Promise<void> {
    let minimum = mode === 'full' ? MAX_TOUCH_BATCH : 1;
    try {
      while (this.pending.length >= minimum) {
        if (mode === 'due') minimum = MAX_TOUCH_BATCH;
        const batch = this.pending.splice(0, MAX_TOUCH_BATCH);
        try {
          await this.insert(batch);
        } catch (error) {
          this.pending.unshift(...batch);
          this.logger.error({ err: error, pending: this.pending.length }, 'could not write touches; retrying');
          this.retryTimer = setTimeout(() => {
            this.retryTimer = null;
            this.startFlush('due');
          }, RETRY_DELAY_MS);
          this.retryTimer.unref();
          return;
        }
      }
    } finally {
      this.flushing = null;
      if (this.pending.length > 0 && !this.retryTimer) this.armTimer();
    }
  }

  private async insert(batch: string[]): Promise<void> {
    if (this.database.embedded) return this.insertIgnoringDuplicates(batch);
    try {
      await copyIn(pgPool(this.dataSource), COPY_TOUCHES, batch.join(''));
    } catch (error) {
      // COPY has no ON CONFLICT: a batch whose first attempt committed unacknowledged comes back here.
      if ((error as { code?: string }).code !== UNIQUE_VIOLATION) throw error;
      await this.insertIgnoringDuplicates(batch);
    }
  }

  private async insertIgnoringDuplicates(batch: string[]): Promise<void> {
    const rows = batch.map((line) => {
      const fields = parseCopyLine(line.slice(0, -1));
      return Object.fromEntries(TOUCH_FIELDS.map((name, i) => [name, fields[i]]));
    });
    // click_id is unique: a batch retried after a lost acknowledgement cannot double-count.
    await pgPool(this.dataSource).query({ ...INSERT_TOUCHES, values: [JSON.stringify(rows)] });
  }
}
