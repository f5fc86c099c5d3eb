import { BeforeApplicationShutdown, Inject, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { BinaryCopyFields, BinaryCopyRows, BinaryCopyType, copyIn, DATABASE_ENDPOINT, DatabaseEndpoint, pgPool, readBinaryCopyRows } from '@refos/platform';
import { DataSource } from 'typeorm';

/** What a touch takes from its link: the same for every click on it, so encoded once per link. */
export interface TouchSource {
  tenantId: string;
  appId: string;
  linkId: string;
  campaignId: string | null;
  creatorFid: string | null;
  creatorHandle: string | null;
  channel: string | null;
  castHash: string | null;
}

/** What each click adds. */
export interface TouchClick {
  clickId: string;
  isBot: boolean;
  userAgent: string | null;
  referer: string | null;
  ipHash: string | null;
  occurredAt: Date;
}

export const MAX_TOUCH_BATCH = 500;
/** Beyond this many unwritten touches (a long database outage) the oldest batches are dropped, loudly. */
const MAX_PENDING = 200_000;
const RETRY_DELAY_MS = 1_000;
/** The longest a click waits in memory before its batch is written. */
export const TOUCH_FLUSH_INTERVAL_MS = 50;
/** Room for a typical batch (a touch is ~330 bytes); a batch of long headers grows its buffer. */
const BATCH_BYTES = MAX_TOUCH_BATCH * 512;
/**
 * Written batches are kept for reuse: a fresh buffer this size is mapped from the kernel, faulted
 * in page by page as clicks fill it and unmapped once written, which cost more API CPU per click
 * than encoding the click.
 */
const SPARE_BATCHES = 4;
/** In the order `record` encodes them. */
const TOUCH_COLUMNS: readonly (readonly [string, BinaryCopyType])[] = [
  ['tenant_id', 'uuid'], ['app_id', 'uuid'], ['link_id', 'uuid'], ['campaign_id', 'uuid'], ['creator_fid', 'int8'],
  ['creator_handle', 'text'], ['channel', 'text'], ['cast_hash', 'text'],
  ['click_id', 'text'], ['is_bot', 'bool'], ['user_agent', 'text'], ['referer', 'text'], ['ip_hash', 'text'], ['occurred_at', 'timestamptz'],
];
const COLUMN_NAMES = TOUCH_COLUMNS.map(([name]) => name);
const COLUMN_TYPES = TOUCH_COLUMNS.map(([, type]) => type);
const COPY_TOUCHES = `COPY touches (${COLUMN_NAMES.join(', ')}) FROM STDIN (FORMAT binary)`;
const UNIQUE_VIOLATION = '23505';
// The INSERT path, for the embedded database (no COPY) and for a batch retried after a lost
// acknowledgement. The batch travels as one JSON parameter (JSON.stringify is native; pg's per-element array escaping
// is not), and one statement text serves every batch size, so PostgreSQL plans it once per connection.
const SQL_TYPES: Record<BinaryCopyType, string> = { uuid: 'uuid', text: 'text', bool: 'boolean', int8: 'bigint', timestamptz: 'timestamptz' };
const INSERT_TOUCHES = {
  name: 'refos_insert_touches',
  text: `INSERT INTO touches (${COLUMN_NAMES.join(', ')})
         SELECT * FROM jsonb_to_recordset($1::jsonb) AS t(${TOUCH_COLUMNS.map(([name, type]) => `${name} ${SQL_TYPES[type]}`).join(', ')})
         ON CONFLICT (click_id) DO NOTHING`,
};

/**
 * Takes click touches off the redirect's request path. Nobody waits for these writes (the 302 has
 * gone), so they are gathered for up to 50 ms or 500 rows and written in one statement: a busy link
 * costs one statement per 500 clicks instead of one per handful. On a PostgreSQL server a batch goes
 * in through binary COPY, PostgreSQL's cheapest write path. Shutdown writes whatever is left.
 */
@Injectable()
export class TouchBuffer implements BeforeApplicationShutdown {
  private readonly logger = new Logger(TouchBuffer.name);
  /**
   * Unwritten touches as binary COPY rows, up to MAX_TOUCH_BATCH per batch: a few hundred bytes per
   * click in one buffer instead of an object graph that would outlive the young generation and be
   * copied by every scavenge until its batch is written. New rows go into the last batch.
   */
  private batches: BinaryCopyRows[] = [];
  private readonly spareBatches: BinaryCopyRows[] = [];
  private pendingRows = 0;
  /** Each link's own columns, encoded on its first click; the resolver's cached link is the key. */
  private readonly encodedSources = new WeakMap<TouchSource, Buffer>();
  private flushing: Promise<void> | null = null;
  private retryTimer: NodeJS.Timeout | null = null;
  private flushTimer: NodeJS.Timeout | null = null;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(DATABASE_ENDPOINT) private readonly database: DatabaseEndpoint,
  ) {}

  record(source: TouchSource, click: TouchClick): void {
    // First: a source that fails to encode must leave neither half a row nor an empty batch behind.
    const sourceFields = this.sourceFields(source);
    let batch = this.batches.at(-1);
    if (!batch || batch.rowCount >= MAX_TOUCH_BATCH) this.batches.push((batch = this.spareBatches.pop() ?? new BinaryCopyRows(BATCH_BYTES)));
    batch
      .row(TOUCH_COLUMNS.length)
      .encoded(sourceFields)
      .text(click.clickId)
      .bool(click.isBot)
      .text(click.userAgent)
      .text(click.referer)
      .text(click.ipHash)
      .timestamptz(click.occurredAt.getTime());
    this.pendingRows++;
    if (this.pendingRows > MAX_PENDING) this.dropOldest();
    // A running flush or a pending retry picks these rows up when it ends.
    if (this.flushing || this.retryTimer) return;
    if (this.batches[0].rowCount >= MAX_TOUCH_BATCH) this.startFlush('full');
    else this.armTimer();
  }

  /** Unwritten touches, for metrics and tests. */
  get size(): number {
    return this.pendingRows;
  }

  /** Writes everything buffered now; used at shutdown, so it gives up after a few failed attempts. */
  async drain(attempts = 3): Promise<void> {
    for (let attempt = 1; attempt <= attempts; attempt++) {
      if (this.flushing) await this.flushing;
      this.clearTimers();
      if (this.pendingRows === 0) return;
      this.flushing = this.flushLoop('all');
      await this.flushing;
      if (this.pendingRows === 0) return;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    this.logger.error({ lost: this.pendingRows }, 'could not write the remaining touches before shutdown');
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.drain();
  }

  private sourceFields(source: TouchSource): Buffer {
    let fields = this.encodedSources.get(source);
    if (!fields) {
      fields = new BinaryCopyFields()
        .uuid(source.tenantId)
        .uuid(source.appId)
        .uuid(source.linkId)
        .uuid(source.campaignId)
        .int8(source.creatorFid)
        .text(source.creatorHandle)
        .text(source.channel)
        .text(source.castHash)
        .bytes();
      this.encodedSources.set(source, fields);
    }
    return fields;
  }

  /** Drops whole batches, a tenth of the limit at least: trimming one row per click would cost every redirect. */
  private dropOldest(): void {
    let dropped = 0;
    while (this.batches.length > 1 && dropped < MAX_PENDING / 10) dropped += this.batches.shift()!.rowCount;
    this.pendingRows -= dropped;
    this.logger.error({ dropped }, 'touch buffer full: dropped the oldest unwritten touches');
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
      while (this.batches.length > 0 && this.batches[0].rowCount >= minimum) {
        if (mode === 'due') minimum = MAX_TOUCH_BATCH;
        // Out of the queue while it is written, so new clicks start a batch of their own.
        const batch = this.batches.shift()!;
        this.pendingRows -= batch.rowCount;
        try {
          await this.insert(batch.payload());
          if (this.spareBatches.length < SPARE_BATCHES) this.spareBatches.push(batch.reset());
        } catch (error) {
          this.batches.unshift(batch);
          this.pendingRows += batch.rowCount;
          this.logger.error({ err: error, pending: this.pendingRows }, 'could not write touches; retrying');
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
      if (this.pendingRows > 0 && !this.retryTimer) this.armTimer();
    }
  }

  private async insert(payload: Buffer): Promise<void> {
    if (this.database.embedded) return this.insertIgnoringDuplicates(payload);
    try {
      await copyIn(pgPool(this.dataSource), COPY_TOUCHES, payload);
    } catch (error) {
      // COPY has no ON CONFLICT: a batch whose first attempt committed unacknowledged comes back here.
      if ((error as { code?: string }).code !== UNIQUE_VIOLATION) throw error;
      await this.insertIgnoringDuplicates(payload);
    }
  }

  private async insertIgnoringDuplicates(payload: Buffer): Promise<void> {
    const rows = readBinaryCopyRows(payload, COLUMN_TYPES).map((fields) =>
      Object.fromEntries(COLUMN_NAMES.map((name, i) => [name, fields[i]])),
    );
    // click_id is unique: a batch retried after a lost acknowledgement cannot double-count.
    await pgPool(this.dataSource).query({ ...INSERT_TOUCHES, values: [JSON.stringify(rows)] });
  }
}
