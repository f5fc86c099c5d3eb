import { BeforeApplicationShutdown, Inject, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { copyField, copyIn, DATABASE_ENDPOINT, DatabaseEndpoint, DomainError, MetricsRegistry, pgPool, serviceUnavailable } from '@refos/platform';
import { Counter, Histogram } from 'prom-client';
import { DataSource } from 'typeorm';
import type { ValidEvent } from './event-catalog';
import { GroupCommit } from './group-commit';

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

const EVENT_COLUMNS = [
  'id', 'tenant_id', 'app_id', 'event_name', 'category', 'session_id', 'campaign_id', 'referral_link_id', 'click_id', 'fid',
  'user_id', 'idempotency_key', 'tx_hash', 'value_usdc', 'revenue', 'currency', 'properties', 'context', 'trusted',
  'occurred_at', 'received_at',
].join(', ');

// Events with an idempotency key: one statement, so one transaction: the events and the conversion
// jobs of their completed conversions commit together or not at all. A key the app already used (with
// the same trust) conflicts and is skipped. json, not jsonb: parsed once, in json_to_recordset.
const INSERT_EVENTS = {
  name: 'refos_insert_events',
  text: `WITH input AS (
           SELECT * FROM json_to_recordset($1::json) AS t(id uuid, tenant_id uuid, app_id uuid, event_name text, category text,
             session_id text, campaign_id uuid, referral_link_id uuid, click_id text, fid bigint, user_id text, idempotency_key text,
             tx_hash text, value_usdc numeric, revenue numeric, currency text, properties jsonb, context jsonb, trusted boolean,
             occurred_at timestamptz, received_at timestamptz)
         ), stored AS (
           INSERT INTO events (${EVENT_COLUMNS}) SELECT ${EVENT_COLUMNS} FROM input
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

const COPY_EVENTS = `COPY events (${EVENT_COLUMNS}) FROM STDIN`;

/**
 * Writes ingested events through two group commits (see GroupCommit) that run side by side. Events
 * without an idempotency key cannot conflict and need no conversion job, so on a PostgreSQL server
 * they go in by COPY, about half the database CPU of an INSERT; events with a key go through
 * INSERT … ON CONFLICT, which finds their duplicates and writes the conversion outbox in the same
 * statement. The embedded database cannot COPY and takes every event through the INSERT.
 */
@Injectable()
export class EventWriter implements BeforeApplicationShutdown {
  private readonly logger = new Logger(EventWriter.name);
  private readonly keyless: GroupCommit<EventRecord, WriteOutcome>;
  private readonly keyed: GroupCommit<EventRecord, WriteOutcome>;
  private readonly batchSize: Histogram;
  private readonly outcomes: Record<'stored' | 'duplicate', { inc(count: number): void }>;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(DATABASE_ENDPOINT) database: DatabaseEndpoint,
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
    const failures = { isDataError, toRequestError: (error: unknown) => toDomainError(error, this.logger) };
    this.keyed = new GroupCommit({ ...failures, commit: (records) => this.insert(records) });
    this.keyless = new GroupCommit({ ...failures, commit: (records) => (database.embedded ? this.insert(records) : this.copy(records)) });
  }

  /** Stores the records and answers, for each in order, whether it was stored, repeats an earlier event, or failed. */
  async write(records: EventRecord[]): Promise<WriteOutcome[]> {
    const keyed = records.filter(needsInsert);
    if (keyed.length === 0) return this.keyless.write(records);
    if (keyed.length === records.length) return this.keyed.write(records);
    const [keylessOutcomes, keyedOutcomes] = await Promise.all([this.keyless.write(records.filter((r) => !needsInsert(r))), this.keyed.write(keyed)]);
    let [k, n] = [0, 0];
    return records.map((record) => (needsInsert(record) ? keyedOutcomes[k++] : keylessOutcomes[n++]));
  }

  /**
   * Writes what is queued before the pool closes. A client that hung up mid-request left its events
   * here; they were never acknowledged, but there is no reason to drop them.
   */
  async beforeApplicationShutdown(): Promise<void> {
    await Promise.all([this.keyless.flushed(), this.keyed.flushed()]);
  }

  private async copy(records: EventRecord[]): Promise<WriteOutcome[]> {
    this.batchSize.observe(records.length);
    let rows = '';
    for (const record of records) rows += copyRow(record);
    await copyIn(pgPool(this.dataSource), COPY_EVENTS, rows);
    this.outcomes.stored.inc(records.length);
    return records.map((record) => ({ stored: true, record }));
  }

  private async insert(records: EventRecord[]): Promise<WriteOutcome[]> {
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

/** A key may conflict, and a completed conversion needs its job in the same statement. */
function needsInsert(record: EventRecord): boolean {
  return record.idempotencyKey !== null || record.category === 'conversion_completed';
}

const NULL_FIELD = '\\N';

/**
 * The event as one COPY line. Validation restricts every field but three to characters COPY takes
 * as they are (ids, names, digits, ISO times), so only user_id and the two JSON documents pay for escaping.
 */
function copyRow(r: EventRecord): string {
  const receivedAt = r.receivedAt.toISOString();
  const occurredAt = r.occurredAt === r.receivedAt ? receivedAt : r.occurredAt.toISOString();
  return (
    `${r.id}\t${r.tenantId}\t${r.appId}\t${r.eventName}\t${r.category}\t${r.sessionId}\t${r.campaignId ?? NULL_FIELD}\t` +
    `${r.referralLinkId ?? NULL_FIELD}\t${r.clickId ?? NULL_FIELD}\t${r.fid ?? NULL_FIELD}\t${copyField(r.userId)}\t` +
    `${copyField(r.idempotencyKey)}\t${r.txHash ?? NULL_FIELD}\t${r.valueUsdc ?? NULL_FIELD}\t${r.revenue ?? NULL_FIELD}\t` +
    `${r.currency ?? NULL_FIELD}\t${copyField(JSON.stringify(r.properties))}\t${copyField(JSON.stringify(r.context))}\t` +
    `${r.trusted ? 't' : 'f'}\t${occurredAt}\t${receivedAt}\n`
  );
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
