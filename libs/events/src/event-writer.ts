import { BeforeApplicationShutdown, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DomainError, MetricsRegistry, pgPool, serviceUnavailable } from '@refos/platform';
import { Counter, Histogram } from 'prom-client';
import { DataSource } from 'typeorm';
import type { ValidEvent } from './event-catalog';

/** An event ready to store: validated, owned, with the server's own fields. */
export interface EventRecord extends ValidEvent {
  id: string;
  tenantId: string;
  appId: string;
  trusted: boolean;
  receivedAt: Date;
}

export interface FirstEvent {
  id: string;
  eventName: string;
  receivedAt: Date;
}

export type WriteOutcome =
  | { stored: true; record: EventRecord }
  | { stored: false; duplicateOf: FirstEvent }
  | { stored: false; error: DomainError };

/** The most rows one statement carries; a larger backlog goes in the following statements. */
export const MAX_ROWS_PER_COMMIT = 1_000;

interface Waiting {
  records: EventRecord[];
  resolve(outcomes: WriteOutcome[]): void;
  reject(error: unknown): void;
}

// One statement, so one transaction: the events and the conversion jobs of their completed
// conversions commit together or not at all. A key the app already used (with the same trust) conflicts
// and is skipped.
const INSERT_EVENTS = {
  name: 'refos_insert_events',
  text: `WITH input AS (
           SELECT * FROM jsonb_to_recordset($1::jsonb) AS t(id uuid, tenant_id uuid, app_id uuid, event_name text, category text,
             session_id text, campaign_id uuid, referral_link_id uuid, click_id text, fid bigint, user_id text, idempotency_key text,
             tx_hash text, value_usdc numeric, revenue numeric, currency text, properties jsonb, context jsonb, trusted boolean,
             occurred_at timestamptz, received_at timestamptz)
         ), stored AS (
           INSERT INTO events (id, tenant_id, app_id, event_name, category, session_id, campaign_id, referral_link_id, click_id, fid,
             user_id, idempotency_key, tx_hash, value_usdc, revenue, currency, properties, context, trusted, occurred_at, received_at)
           SELECT id, tenant_id, app_id, event_name, category, session_id, campaign_id, referral_link_id, click_id, fid,
             user_id, idempotency_key, tx_hash, value_usdc, revenue, currency, properties, context, trusted, occurred_at, received_at
           FROM input
           ON CONFLICT (app_id, trusted, idempotency_key) WHERE idempotency_key IS NOT NULL DO NOTHING
           RETURNING id, tenant_id, category, received_at
         ), jobs AS (
           INSERT INTO conversion_jobs (tenant_id, event_id, run_at)
           SELECT tenant_id, id, received_at FROM stored WHERE category = 'conversion_completed'
         )
         SELECT id FROM stored`,
};

const FIND_DUPLICATES = {
  name: 'refos_find_event_duplicates',
  text: `SELECT e.id, e.app_id, e.trusted, e.idempotency_key, e.event_name, e.received_at
         FROM events e
         JOIN jsonb_to_recordset($1::jsonb) AS k(tenant_id uuid, app_id uuid, trusted boolean, idempotency_key text)
           USING (tenant_id, app_id, trusted, idempotency_key)
         WHERE e.idempotency_key IS NOT NULL`,
};
const DUPLICATE_LOOKUP_ATTEMPTS = 3;

/**
 * Group commit for event ingestion. A request's events wait for a shared multi-row INSERT and are
 * answered after it commits, so an acknowledged event is durable. Adaptive: when no statement is
 * running the next one starts at once; while one runs, arrivals gather and go together in the next.
 * A timer would make every request wait for it; this way batches grow only with load.
 */
@Injectable()
export class EventWriter implements BeforeApplicationShutdown {
  private readonly logger = new Logger(EventWriter.name);
  private queue: Waiting[] = [];
  private draining: Promise<void> | null = null;
  private readonly batchSize: Histogram;
  private readonly outcomes: Record<'stored' | 'duplicate', { inc(count: number): void }>;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    metrics: MetricsRegistry,
  ) {
    this.batchSize = new Histogram({
      name: 'events_group_commit_rows',
      help: 'Events per group-commit statement',
      buckets: [1, 2, 5, 10, 25, 50, 100, 250, 500, 1000],
      registers: [metrics.registry],
    });
    const written = new Counter({ name: 'events_written_total', help: 'Events by write outcome', labelNames: ['outcome'], registers: [metrics.registry] });
    this.outcomes = { stored: written.labels('stored'), duplicate: written.labels('duplicate') };
  }

  /** Stores the records (in order) and answers, for each, whether it was stored or repeats an earlier event. */
  write(records: EventRecord[]): Promise<WriteOutcome[]> {
    if (records.length === 0) return Promise.resolve([]);
    return new Promise((resolve, reject) => {
      this.queue.push({ records, resolve, reject });
      this.draining ??= this.drain();
    });
  }

  /**
   * Writes what is queued before the pool closes. A client that hung up mid-request left its events
   * here; they were never acknowledged, but there is no reason to drop them.
   */
  async beforeApplicationShutdown(): Promise<void> {
    await this.draining;
  }

  private async drain(): Promise<void> {
    try {
      while (this.queue.length > 0) {
        const group = this.takeGroup();
        try {
          this.settle(group, await this.commit(group.flatMap((w) => w.records)));
        } catch (error) {
          await this.isolate(group, error);
        }
      }
    } finally {
      this.draining = null;
    }
  }

  /** Whole requests, up to MAX_ROWS_PER_COMMIT rows (a single larger request still goes alone). */
  private takeGroup(): Waiting[] {
    let rows = 0;
    let count = 0;
    while (count < this.queue.length && (count === 0 || rows + this.queue[count].records.length <= MAX_ROWS_PER_COMMIT)) {
      rows += this.queue[count].records.length;
      count++;
    }
    return this.queue.splice(0, count);
  }

  /**
   * A failed statement fails nothing it does not have to: each request is retried alone, so an event
   * the database refuses costs only its own request. Connection failures fail them all, as 503.
   */
  private async isolate(group: Waiting[], error: unknown): Promise<void> {
    if (group.length > 1 && isDataError(error)) {
      for (const waiting of group) {
        try {
          this.settle([waiting], await this.commit(waiting.records));
        } catch (own) {
          waiting.reject(toDomainError(own, this.logger));
        }
      }
      return;
    }
    for (const waiting of group) waiting.reject(toDomainError(error, this.logger));
  }

  private settle(group: Waiting[], outcomes: WriteOutcome[]): void {
    let offset = 0;
    for (const waiting of group) {
      waiting.resolve(outcomes.slice(offset, offset + waiting.records.length));
      offset += waiting.records.length;
    }
  }

  private async commit(records: EventRecord[]): Promise<WriteOutcome[]> {
    this.batchSize.observe(records.length);
    const { rows } = await pgPool(this.dataSource).query<{ id: string }>({ ...INSERT_EVENTS, values: [JSON.stringify(records.map(toRow))] });
    const stored = new Set(rows.map((row) => row.id));
    const skipped = records.filter((record) => !stored.has(record.id));
    this.outcomes.stored.inc(stored.size);
    this.outcomes.duplicate.inc(skipped.length);
    // From here the stored events are committed: whatever happens, they are answered as accepted.
    const firsts = skipped.length > 0 ? await this.findFirsts(skipped) : new Map<string, FirstEvent>();
    return records.map((record): WriteOutcome => {
      if (stored.has(record.id)) return { stored: true, record };
      const first = firsts instanceof Map ? firsts.get(duplicateKey(record)) : undefined;
      if (first) return { stored: false, duplicateOf: first };
      // Skipped means a committed row holds the key, so only a failed lookup leaves it unknown.
      if (firsts instanceof Map) this.logger.error({ eventId: record.id }, 'an event was neither stored nor found as a duplicate');
      return { stored: false, error: unavailable() };
    });
  }

  /** The first events of the skipped records' keys; the error when the lookup keeps failing. */
  private async findFirsts(skipped: EventRecord[]): Promise<Map<string, FirstEvent> | Error> {
    const keys = skipped.map((r) => ({ tenant_id: r.tenantId, app_id: r.appId, trusted: r.trusted, idempotency_key: r.idempotencyKey }));
    let failure: Error = new Error('no attempt');
    for (let attempt = 1; attempt <= DUPLICATE_LOOKUP_ATTEMPTS; attempt++) {
      try {
        const { rows } = await pgPool(this.dataSource).query<{ id: string; app_id: string; trusted: boolean; idempotency_key: string; event_name: string; received_at: Date }>({
          ...FIND_DUPLICATES,
          values: [JSON.stringify(keys)],
        });
        return new Map(rows.map((row) => [duplicateKey({ appId: row.app_id, trusted: row.trusted, idempotencyKey: row.idempotency_key }), { id: row.id, eventName: row.event_name, receivedAt: row.received_at }]));
      } catch (error) {
        failure = error as Error;
        this.logger.warn({ err: error, attempt }, 'could not look up the first events of duplicate idempotency keys');
      }
    }
    return failure;
  }
}

function duplicateKey(record: Pick<EventRecord, 'appId' | 'trusted' | 'idempotencyKey'>): string {
  return `${record.appId}\n${record.trusted}\n${record.idempotencyKey}`;
}

function toRow(record: EventRecord): Record<string, unknown> {
  return {
    id: record.id,
    tenant_id: record.tenantId,
    app_id: record.appId,
    event_name: record.eventName,
    category: record.category,
    session_id: record.sessionId,
    campaign_id: record.campaignId,
    referral_link_id: record.referralLinkId,
    click_id: record.clickId,
    fid: record.fid,
    user_id: record.userId,
    idempotency_key: record.idempotencyKey,
    tx_hash: record.txHash,
    value_usdc: record.valueUsdc,
    revenue: record.revenue,
    currency: record.currency,
    properties: record.properties,
    context: record.context,
    trusted: record.trusted,
    occurred_at: record.occurredAt,
    received_at: record.receivedAt,
  };
}

/** SQLSTATE classes 22 (data exception) and 23 (integrity violation): the rows, not the connection. */
function isDataError(error: unknown): boolean {
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' && (code.startsWith('22') || code.startsWith('23'));
}

function toDomainError(error: unknown, logger: Logger): DomainError {
  if (isDataError(error)) {
    // The database's own words name tables and constraints: logged, not answered.
    logger.warn({ err: error }, 'the database refused a request of events');
    return new DomainError('event_rejected', 422, 'The database refused a value of this event; check its fields against the catalog');
  }
  logger.error({ err: error }, 'could not store events');
  return unavailable();
}

function unavailable(): DomainError {
  return serviceUnavailable('Events cannot be stored right now; retry with the same idempotency_key');
}
