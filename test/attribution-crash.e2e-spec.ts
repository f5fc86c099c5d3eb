/*
 * The conversion queue across a real crash: a built worker process takes a batch, is held in the
 * middle of deriving it, and is killed -9 there. Whether the database drops its connection (the batch
 * rolls back: nothing claimed, every job due again at once) or its statement still completes for a
 * client that is gone, every job ends done and no conversion exists twice.
 *
 * "Mid-batch" is made deterministic with a table lock: a second connection holds
 * `LOCK TABLE conversions IN SHARE MODE`, so the worker's statement has locked its jobs (FOR UPDATE
 * SKIP LOCKED) and then waits to INSERT the conversions. The lease path (a batch that failed, worked
 * job by job) is covered in attribution.e2e-spec.ts.
 */
import { ConversionQueue } from '@refos/attribution';
import { randomBase62 } from '@refos/platform';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { TouchBuffer } from '../libs/links/src/redirect/touch-buffer';
import { AppFixture, createApp, createReferralLink } from './factories/apps';
import { createTenant, TenantFixture } from './factories/tenants';
import { RunningProcess, startProcess } from './support/processes';
import { createTestApp, TestApp } from './support/test-app';

const onServer = process.env.DATABASE_URL ? describe : describe.skip;
const JOBS = 200;
const CLICKS = 20;
const MINUTE = 60_000;
const WAIT_MS = 30_000;

interface JobRow {
  status: string;
  attempts: number;
  locked_until: Date | null;
}

async function until<T>(what: string, probe: () => Promise<T | undefined>, worker?: RunningProcess): Promise<T> {
  const deadline = Date.now() + WAIT_MS;
  for (;;) {
    const found = await probe();
    if (found !== undefined) return found;
    if (worker && (worker.child.exitCode !== null || worker.child.signalCode !== null)) throw new Error(`the worker exited while waiting for ${what}:\n${worker.output()}`);
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${worker ? `; worker output:\n${worker.output()}` : ''}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

onServer('a worker killed mid-batch', () => {
  let t: TestApp;
  let tenant: TenantFixture;
  let app: AppFixture;
  let clickIds: string[];
  let dataDir: string;
  const workers: RunningProcess[] = [];
  const lockClients: Client[] = [];

  const sql = <T>(query: string, params: unknown[] = []): Promise<T[]> => t.app.get(DataSource).query(query, params);
  const jobsOf = (events: string[]) =>
    sql<JobRow>(`SELECT status, attempts, locked_until FROM conversion_jobs WHERE event_id = ANY($1::uuid[])`, [events]);
  const conversionCounts = async (events: string[]) =>
    (
      await sql<{ total: number; distinct_events: number; attributed: number }>(
        `SELECT count(*)::int AS total, count(DISTINCT event_id)::int AS distinct_events,
                count(*) FILTER (WHERE last_click_source = 'click')::int AS attributed
         FROM conversions WHERE event_id = ANY($1::uuid[])`,
        [events],
      )
    )[0];

  const startWorker = async () => {
    const worker = await startProcess('worker', {
      DATABASE_URL: t.database.url,
      DATA_DIR: dataDir,
      ADMIN_TOKEN: `adm_${randomBase62(40)}`,
      ENCRYPTION_KEY: `test:${randomBytes(32).toString('base64')}`,
      CONVERSIONS_POLL_MS: '100',
    });
    workers.push(worker);
    return worker;
  };

  /** JOBS trusted payments, each in a session opened from a human click: JOBS pending jobs with a candidate each. */
  const ingestPayments = async (prefix: string): Promise<string[]> => {
    const sessions = Array.from({ length: JOBS }, (_, i) => `${prefix}_${i}`);
    const opened = await t.http
      .post('/api/v1/events/batch')
      .set('x-api-key', app.apiKey)
      .send({ events: sessions.map((session, i) => ({ event_name: 'miniapp_opened', session_id: session, click_id: clickIds[i % CLICKS] })) })
      .expect(200);
    expect(opened.body.accepted).toBe(JOBS);
    t.clock.set(new Date(t.clock.now().getTime() + MINUTE));
    const paid = await t.http
      .post('/api/v1/events/batch')
      .set('x-api-key', app.apiKey)
      .set('x-server-secret', app.serverSecret)
      .send({
        events: sessions.map((session) => ({ event_name: 'payment_completed', session_id: session, idempotency_key: `tx:${session}`, value_usdc: '9.99' })),
      })
      .expect(200);
    expect(paid.body.accepted).toBe(JOBS);
    return paid.body.results.map((result: { id: string }) => result.id);
  };

  /**
   * Starts a worker while `conversions` is locked, waits until its derive statement (holding the jobs
   * of `events`) waits on the lock, and kills it -9. With `dropConnection`, its backend is terminated
   * too, as PostgreSQL does once it notices the client is gone; without, the backend is left to run
   * the statement to its end when the lock is released.
   */
  const killWorkerMidBatch = async (events: string[], dropConnection: boolean): Promise<void> => {
    const lock = new Client({ connectionString: t.database.url });
    lockClients.push(lock);
    await lock.connect();
    const [{ pid: lockPid }] = (await lock.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows;
    await lock.query('BEGIN');
    await lock.query('LOCK TABLE conversions IN SHARE MODE');

    const worker = await startWorker();
    const blocked = await until('the derive statement to wait on the lock', async () => {
      // Test files run in parallel on clones of one template: the same relation oid exists in each database.
      const { rows } = await lock.query<{ pid: number }>(
        `SELECT DISTINCT l.pid FROM pg_locks l
         WHERE l.relation = 'conversions'::regclass AND NOT l.granted
           AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database()) AND $1 = ANY(pg_blocking_pids(l.pid))`,
        [lockPid],
      );
      return rows.length > 0 ? rows.map((row) => row.pid) : undefined;
    }, worker);
    // The jobs it holds are row-locked, not claimed: nothing of the batch is visible yet.
    expect((await jobsOf(events)).every((job) => job.status === 'pending' && job.attempts === 0)).toBe(true);

    await worker.stop('SIGKILL');
    if (dropConnection) {
      const { rows } = await lock.query<{ done: boolean }>(`SELECT pg_terminate_backend(pid, 10000) AS done FROM unnest($1::int[]) AS pid`, [blocked]);
      expect(rows.every((row) => row.done)).toBe(true);
    }
    await lock.query('ROLLBACK');
    await lock.end();
    if (!dropConnection) {
      await until('the orphaned statement to finish', async () => {
        const active = await sql(`SELECT 1 FROM pg_stat_activity WHERE pid = ANY($1::int[]) AND state = 'active'`, [blocked]);
        return active.length === 0 ? true : undefined;
      });
    }
  };

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'refos-attribution-crash-'));
    t = await createTestApp();
    // The worker process reads the real clock: the data is made at real time so its jobs are due there.
    t.clock.set(new Date(Date.now() - 10 * MINUTE));
    tenant = await createTenant(t, 'Crash attribution');
    app = await createApp(t, tenant);
    const link = await createReferralLink(t, tenant, app.id, { creator_handle: 'crash' });
    clickIds = [];
    for (let i = 0; i < CLICKS; i++) {
      const res = await t.http.get(`/r/${link.code}`).set('User-Agent', 'Mozilla/5.0 (iPhone) Safari/604.1').expect(302);
      clickIds.push(new URL(res.headers.location).searchParams.get('click_id')!);
    }
    await t.app.get(TouchBuffer).drain();
  });

  afterEach(async () => {
    await Promise.all(workers.splice(0).map((worker) => worker.stop('SIGKILL')));
    await Promise.all(lockClients.splice(0).map((client) => client.end().catch(() => undefined)));
  });

  afterAll(async () => {
    await t?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('leaves nothing claimed when its connection drops: another worker derives each job once, at once', async () => {
    const events = await ingestPayments('killed');
    await killWorkerMidBatch(events, true);
    const left = await jobsOf(events);
    expect(left).toHaveLength(JOBS);
    expect(left.every((job) => job.status === 'pending' && job.attempts === 0 && job.locked_until === null)).toBe(true);
    expect(await conversionCounts(events)).toEqual({ total: 0, distinct_events: 0, attributed: 0 });

    const queue = t.app.get(ConversionQueue);
    t.clock.set(new Date());
    expect(await queue.process(500)).toEqual({ processed: JOBS, failed: 0, remaining: 0 });
    expect(await conversionCounts(events)).toEqual({ total: JOBS, distinct_events: JOBS, attributed: JOBS });
    expect(await jobsOf(events)).toEqual([]);
    expect(await queue.process(500)).toEqual({ processed: 0, failed: 0, remaining: 0 });
    expect(await conversionCounts(events)).toMatchObject({ total: JOBS });
  }, 90_000);

  it('is replaced by a fresh worker process that derives its batch once', async () => {
    t.clock.set(new Date(Date.now() - 2 * MINUTE));
    const events = await ingestPayments('restarted');
    await killWorkerMidBatch(events, true);
    const fresh = await startWorker();
    await until('the fresh worker to derive every job', async () => ((await jobsOf(events)).length === 0 ? true : undefined), fresh);
    expect(await fresh.stop('SIGTERM')).toBe(0);
    expect(await conversionCounts(events)).toEqual({ total: JOBS, distinct_events: JOBS, attributed: JOBS });
  }, 90_000);

  it('still derives each job once when the dead worker\'s statement completes after all', async () => {
    t.clock.set(new Date(Date.now() - 2 * MINUTE));
    const events = await ingestPayments('orphaned');
    await killWorkerMidBatch(events, false);
    expect(await conversionCounts(events)).toEqual({ total: JOBS, distinct_events: JOBS, attributed: JOBS });
    expect(await jobsOf(events)).toEqual([]);
    t.clock.set(new Date());
    expect(await t.app.get(ConversionQueue).process(500)).toEqual({ processed: 0, failed: 0, remaining: 0 });
    expect(await conversionCounts(events)).toMatchObject({ total: JOBS });
  }, 90_000);
});
