/*
 * The conversion queue: each completed conversion event derived once into a conversion with
 * first-touch and last-click credit, by parallel workers, across crashes, with dead jobs kept.
 */
import { CONVERSION_JOB_LEASE_MS, ConversionQueue, MAX_CONVERSION_JOB_ATTEMPTS } from '@refos/attribution';
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { DataSource } from 'typeorm';
import { TouchBuffer } from '../libs/links/src/redirect/touch-buffer';
import { AppFixture, createApp, createReferralLink } from './factories/apps';
import { createTenant, TenantFixture } from './factories/tenants';
import { createTestApp, TestApp } from './support/test-app';

const execFileAsync = promisify(execFile);
const MINUTE = 60_000;
const CAST = `0x${'ca'.repeat(20)}`;
const JOB_RUNNER_SECRET = 'jrs_test_secret_of_at_least_24_chars';

describe('conversion queue and attribution', () => {
  let t: TestApp;
  let tenant: TenantFixture;
  let app: AppFixture;
  let queue: ConversionQueue;

  const sql = <T>(query: string, params: unknown[] = []): Promise<T[]> => t.app.get(DataSource).query(query, params);
  const advance = (ms: number) => t.clock.set(new Date(t.clock.now().getTime() + ms));
  /** A click on the link as a browser makes it; answers the click_id forwarded to the destination. */
  const click = async (code: string, userAgent = 'Mozilla/5.0 (iPhone) Safari/604.1', method: 'get' | 'head' = 'get') => {
    const res = await t.http[method](`/r/${code}`).set('User-Agent', userAgent).expect(302);
    await t.app.get(TouchBuffer).drain();
    return new URL(res.headers.location).searchParams.get('click_id')!;
  };
  const event = async (body: Record<string, unknown>, trusted = false) => {
    const req = t.http.post('/api/v1/events').set('x-api-key', app.apiKey);
    const res = await (trusted ? req.set('x-server-secret', app.serverSecret) : req).send(body).expect(201);
    return res.body.id as string;
  };
  const complete = (session: string, key: string, extra: Record<string, unknown> = {}) =>
    event({ event_name: 'payment_completed', session_id: session, idempotency_key: key, value_usdc: '24.99', ...extra }, true);
  const conversionOf = async (eventId: string) => (await sql<Record<string, unknown>>(`SELECT * FROM conversions WHERE event_id = $1`, [eventId]))[0];

  beforeAll(async () => {
    t = await createTestApp({ JOB_RUNNER_SECRET });
    tenant = await createTenant(t, 'Attribution');
    app = await createApp(t, tenant);
    queue = t.app.get(ConversionQueue);
  });
  afterAll(() => t.close());

  describe('derivation', () => {
    it('credits the first click to first touch and the latest to last click, pairs the started event, once', async () => {
      const [first, second] = [
        await createReferralLink(t, tenant, app.id, { creator_handle: 'alice', channel: 'base', cast_hash: CAST }),
        await createReferralLink(t, tenant, app.id, { creator_handle: 'bob', creator_fid: 99, channel: 'memes' }),
      ];
      const firstClick = await click(first.code);
      await event({ event_name: 'miniapp_opened', session_id: 'anon_1', click_id: firstClick });
      advance(10 * MINUTE);
      const secondClick = await click(second.code);
      await event({ event_name: 'miniapp_opened', session_id: 'anon_1', click_id: secondClick });
      const started = await event({ event_name: 'checkout_started', session_id: 'anon_1', value_usdc: '24.99' });
      advance(MINUTE);
      const completed = await complete('anon_1', 'tx:derive-1', { tx_hash: '0xabc' });

      expect(await queue.process(100)).toMatchObject({ processed: 1, failed: 0 });
      expect(await conversionOf(completed)).toMatchObject({
        kind: 'payment',
        session_id: 'anon_1',
        started_event_id: started,
        value_usdc: '24.990000',
        tx_hash: '0xabc',
        candidates: 2,
        first_touch_source: 'click',
        first_touch_click_id: firstClick,
        first_touch_link_id: first.id,
        first_touch_creator_handle: 'alice',
        first_touch_channel: 'base',
        first_touch_cast_hash: CAST,
        last_click_click_id: secondClick,
        last_click_link_id: second.id,
        last_click_creator_handle: 'bob',
        last_click_creator_fid: '99',
        last_click_channel: 'memes',
      });
      // Done means gone: the conversion is the record, the queue keeps only the work left.
      expect(await sql(`SELECT 1 FROM conversion_jobs WHERE event_id = $1`, [completed])).toEqual([]);
      expect(await queue.process(100)).toMatchObject({ processed: 0 });
      expect(await sql(`SELECT 1 FROM conversions WHERE event_id = $1`, [completed])).toHaveLength(1);
    });

    it('never credits a bot click, and leaves a conversion without a qualifying touch unattributed', async () => {
      const link = await createReferralLink(t, tenant, app.id, { creator_handle: 'carol' });
      const botClick = await click(link.code, 'Twitterbot/1.0');
      const headClick = await click(link.code, 'Mozilla/5.0 (iPhone) Safari/604.1', 'head');
      await event({ event_name: 'miniapp_opened', session_id: 'anon_bot', click_id: botClick });
      await event({ event_name: 'miniapp_opened', session_id: 'anon_bot', click_id: headClick });
      const completed = await complete('anon_bot', 'tx:bot-1');
      await queue.process(100);
      expect(await conversionOf(completed)).toMatchObject({ candidates: 0, first_touch_link_id: null, last_click_link_id: null, started_event_id: null });
    });

    it("follows a signed-in fid to its earlier sessions, and counts an event's referral_link_id as a touch", async () => {
      const link = await createReferralLink(t, tenant, app.id, { creator_handle: 'dave' });
      const clicked = await click(link.code);
      await event({ event_name: 'miniapp_opened', session_id: 'phone', click_id: clicked });
      await event({ event_name: 'sign_in_completed', session_id: 'phone', fid: 777 });
      advance(60 * MINUTE);
      const shared = await createReferralLink(t, tenant, app.id, { creator_handle: 'erin' });
      await event({ event_name: 'sign_in_completed', session_id: 'desktop', fid: 777 });
      await event({ event_name: 'invite_accepted', session_id: 'desktop', referral_link_id: shared.id });
      const completed = await event({ event_name: 'claim_completed', session_id: 'desktop', idempotency_key: 'tx:fid-1', tx_hash: '0xf1d' }, true);
      await queue.process(100);
      expect(await conversionOf(completed)).toMatchObject({
        kind: 'claim',
        fid: '777',
        candidates: 2,
        first_touch_source: 'click',
        first_touch_link_id: link.id,
        last_click_source: 'event',
        last_click_link_id: shared.id,
        last_click_creator_handle: 'erin',
      });
    });

    it("ignores touches older than the tenant's lookback window", async () => {
      const other = await createTenant(t, 'Short memory');
      await t.http.patch('/api/v1/tenants/current').auth(other.adminKey, { type: 'bearer' }).send({ settings: { attribution_lookback_days: 1 } }).expect(200);
      const otherApp = await createApp(t, other);
      const link = await createReferralLink(t, other, otherApp.id);
      const clicked = await click(link.code);
      await t.http.post('/api/v1/events').set('x-api-key', otherApp.apiKey).send({ event_name: 'miniapp_opened', session_id: 'slow', click_id: clicked }).expect(201);
      advance(2 * 24 * 60 * MINUTE);
      const res = await t.http
        .post('/api/v1/events')
        .set('x-api-key', otherApp.apiKey)
        .set('x-server-secret', otherApp.serverSecret)
        .send({ event_name: 'payment_completed', session_id: 'slow', idempotency_key: 'tx:late', value_usdc: '1' })
        .expect(201);
      await queue.process(100);
      expect(await conversionOf(res.body.id)).toMatchObject({ lookback_days: 1, candidates: 0, first_touch_link_id: null });
    });
  });

  describe('reliability', () => {
    it('works each job once when workers run in parallel', async () => {
      const events = await Promise.all(Array.from({ length: 60 }, (_, i) => complete(`parallel_${i}`, `tx:parallel-${i}`)));
      const results = await Promise.all(Array.from({ length: 4 }, () => queue.process(20)));
      expect(results.reduce((sum, r) => sum + r.processed, 0)).toBe(60);
      const [{ n }] = await sql<{ n: number }>(`SELECT count(*)::int AS n FROM conversions WHERE event_id = ANY($1::uuid[])`, [events]);
      expect(n).toBe(60);
    });

    it("gives a dead worker's claimed jobs to another after the lease, without a second conversion", async () => {
      const completed = await complete('crashed', 'tx:crashed-1');
      const claimed = await queue.claim(100);
      expect(claimed.map((job) => job.id)).toHaveLength(1);
      // The worker that claimed it dies here: nothing derived, the job stays running until its lease ends.
      expect(await queue.process(100)).toMatchObject({ processed: 0, remaining: 1 });
      advance(CONVERSION_JOB_LEASE_MS + 1_000);
      expect(await queue.process(100)).toMatchObject({ processed: 1, remaining: 0 });
      expect(await sql(`SELECT 1 FROM conversions WHERE event_id = $1`, [completed])).toHaveLength(1);
      expect(await sql(`SELECT 1 FROM conversion_jobs WHERE event_id = $1`, [completed])).toEqual([]);
    });

    it('backs off a failing job until it is dead with its error, while the others go on; a dead job can be retried', async () => {
      const orphan = randomUUID();
      const [{ id: jobId }] = await sql<{ id: string }>(
        `INSERT INTO conversion_jobs (tenant_id, event_id, run_at) VALUES ($1, $2, $3) RETURNING id`,
        [tenant.id, orphan, t.clock.now()],
      );
      const healthy = await complete('healthy', 'tx:healthy-1');
      expect(await queue.process(100)).toMatchObject({ processed: 1, failed: 1 });
      expect(await sql(`SELECT 1 FROM conversions WHERE event_id = $1`, [healthy])).toHaveLength(1);
      for (let attempt = 2; attempt <= MAX_CONVERSION_JOB_ATTEMPTS; attempt++) {
        expect(await queue.process(100)).toMatchObject({ failed: 0 }); // not due yet: backing off
        advance(2 * 3_600_000);
        expect(await queue.process(100)).toMatchObject({ failed: 1 });
      }
      const [job] = await sql<{ status: string; attempts: number; last_error: string }>(`SELECT status, attempts, last_error FROM conversion_jobs WHERE id = $1`, [jobId]);
      expect(job).toEqual({ status: 'dead', attempts: MAX_CONVERSION_JOB_ATTEMPTS, last_error: 'the conversion event of this job does not exist' });

      const dead = await t.http.get('/api/v1/conversion-jobs?status=dead').auth(tenant.adminKey, { type: 'bearer' }).expect(200);
      expect(dead.body.data.map((j: { id: string }) => j.id)).toEqual([jobId]);
      const retried = await t.http.post(`/api/v1/conversion-jobs/${jobId}/retry`).auth(tenant.adminKey, { type: 'bearer' }).expect(200);
      expect(retried.body).toMatchObject({ status: 'pending', attempts: 0 });
      await t.http.post(`/api/v1/conversion-jobs/${jobId}/retry`).auth(tenant.adminKey, { type: 'bearer' }).expect(409);
      const stranger = await createTenant(t, 'Stranger');
      await t.http.post(`/api/v1/conversion-jobs/${jobId}/retry`).auth(stranger.adminKey, { type: 'bearer' }).expect(404);
      await sql(`DELETE FROM conversion_jobs WHERE id = $1`, [jobId]);
    });
  });

  describe('POST /api/internal/jobs/process-conversions', () => {
    it('needs the job runner secret, and answers the counts', async () => {
      await t.http.post('/api/internal/jobs/process-conversions').expect(401);
      await t.http.post('/api/internal/jobs/process-conversions').auth('jrs_wrong_secret_of_at_least_24_chars', { type: 'bearer' }).expect(401);
      await t.http.post('/api/internal/jobs/process-conversions?limit=0').auth(JOB_RUNNER_SECRET, { type: 'bearer' }).expect(400);
      const completed = await complete('internal', 'tx:internal-1');
      const res = await t.http.post('/api/internal/jobs/process-conversions?limit=10').auth(JOB_RUNNER_SECRET, { type: 'bearer' }).expect(200);
      expect(res.body).toEqual({ processed: 1, failed: 0, remaining: 0 });
      expect(await sql(`SELECT 1 FROM conversions WHERE event_id = $1`, [completed])).toHaveLength(1);
    });

    it('is what `npm run jobs:process-conversions` calls, with APP_BASE_URL, JOB_RUNNER_SECRET and PROCESS_CONVERSIONS_LIMIT', async () => {
      const completed = await complete('scheduled', 'tx:scheduled-1');
      await t.app.listen(0, '127.0.0.1');
      const { port } = t.app.getHttpServer().address() as AddressInfo;
      const script = join(__dirname, '..', 'dist', 'apps', 'cli', 'src', 'process-conversions.js');
      const env = { PATH: process.env.PATH, APP_BASE_URL: `http://127.0.0.1:${port}`, JOB_RUNNER_SECRET, PROCESS_CONVERSIONS_LIMIT: '50' };
      const { stdout } = await execFileAsync(process.execPath, [script], { env });
      expect(JSON.parse(stdout)).toEqual({ processed: 1, failed: 0, remaining: 0 });
      expect(await sql(`SELECT 1 FROM conversions WHERE event_id = $1`, [completed])).toHaveLength(1);
      await expect(execFileAsync(process.execPath, [script], { env: { ...env, JOB_RUNNER_SECRET: 'jrs_wrong_secret_of_at_least_24_chars' } })).rejects.toMatchObject({ code: 1 });
      await expect(execFileAsync(process.execPath, [script], { env: { PATH: process.env.PATH } })).rejects.toMatchObject({ code: 2 });
    });
  });
});
