/*
 * Rate limits per credential (per client IP without one): 429 in the error shape with Retry-After,
 * health and metrics never limited, and with Redis one limit shared by every API instance.
 */
import { STATUS_CODES } from 'node:http';
import type { Response } from 'supertest';
import { DataSource } from 'typeorm';
import { RedisThrottlerStorage } from '../libs/platform/src/throttling/redis-throttler.storage';
import { createApiKey, createTenant, TenantFixture } from './factories/tenants';
import { createTestApp, TestApp } from './support/test-app';

const LIMITED = { THROTTLE_LIMIT: '3', THROTTLE_TTL_MS: '60000' };

function expectRateLimited(res: Response): void {
  expect(res.status).toBe(429);
  expect(res.body).toEqual({
    statusCode: 429,
    error: STATUS_CODES[429],
    message: expect.any(String),
    code: 'rate_limited',
    requestId: res.headers['x-request-id'],
  });
  expect(res.headers['retry-after']).toMatch(/^\d+$/);
  const seconds = Number(res.headers['retry-after']);
  expect(seconds).toBeGreaterThanOrEqual(1);
  expect(seconds).toBeLessThanOrEqual(60);
}

describe('throttling', () => {
  let t: TestApp;
  let acme: TenantFixture;
  let globex: TenantFixture;

  beforeAll(async () => {
    t = await createTestApp(LIMITED);
    acme = await createTenant(t, 'Acme');
    globex = await createTenant(t, 'Globex');
  });
  afterAll(() => t.close());

  it('answers the 4th request of one credential with 429, Retry-After in seconds and code rate_limited', async () => {
    const whoami = () => t.http.get('/api/v1/whoami').auth(acme.adminKey, { type: 'bearer' });
    const remaining: string[] = [];
    for (let i = 0; i < 3; i++) {
      const res = await whoami().expect(200);
      remaining.push(res.headers['x-ratelimit-remaining']);
      expect(res.headers['x-ratelimit-limit']).toBe('3');
    }
    expect(remaining).toEqual(['2', '1', '0']);
    expectRateLimited(await whoami());
    expectRateLimited(await whoami());
  });

  it('still lets another credential through', async () => {
    for (let i = 0; i < 3; i++) await t.http.get('/api/v1/whoami').auth(globex.adminKey, { type: 'bearer' }).expect(200);
    expectRateLimited(await t.http.get('/api/v1/whoami').auth(globex.adminKey, { type: 'bearer' }));
    // Another key of the same tenant is another credential.
    const second = await createApiKey(t, globex, ['read']);
    await t.http.get('/api/v1/whoami').auth(second.key, { type: 'bearer' }).expect(200);
  });

  it('limits before running anything: a throttled POST writes nothing, not even an idempotency record', async () => {
    const tenant = await createTenant(t, 'Writer');
    const create = (name: string) =>
      t.http.post('/api/v1/api-keys').auth(tenant.adminKey, { type: 'bearer' }).set('Idempotency-Key', `throttled-${name}`).send({ name, scopes: ['read'] });
    for (const name of ['a', 'b', 'c']) await create(name).expect(201);
    expectRateLimited(await create('d'));
    const dataSource = t.app.get(DataSource);
    const [{ n }] = await dataSource.query(`SELECT count(*)::int AS n FROM api_keys WHERE tenant_id = $1`, [tenant.id]);
    expect(n).toBe(4); // the admin key and a, b, c
    expect(await dataSource.query(`SELECT 1 FROM idempotency_records WHERE key = 'throttled-d'`)).toEqual([]);
  });

  it('limits floods of a bad credential before authentication: 401 three times, then 429', async () => {
    const bad = () => t.http.get('/api/v1/whoami').auth('dlk_AAAAAAAAAAAA_BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB', { type: 'bearer' });
    for (let i = 0; i < 3; i++) await bad().expect(401);
    expectRateLimited(await bad());
  });

  it('never throttles /health, /health/ready or /metrics', async () => {
    for (let i = 0; i < 8; i++) {
      await t.http.get('/health').expect(200);
      await t.http.get('/health/ready').expect(200);
      await t.http.get('/metrics').expect(200);
    }
    // Not even for a credential that is already limited elsewhere.
    await t.http.get('/health').auth(acme.adminKey, { type: 'bearer' }).expect(200);
  });

  // The embedded database serves one connection, so two apps can share it only on a server.
  const sharedRedis = process.env.REDIS_URL && process.env.DATABASE_URL ? it : it.skip;
  sharedRedis('shares one limit across two API instances through Redis: 2 requests on A + 2 on B -> the 4th is 429', async () => {
    const a = await createTestApp(LIMITED);
    let b: TestApp | undefined;
    try {
      b = await createTestApp(LIMITED, a.database);
      // createTestApp gives each app its own key prefix so test files don't share counters; these two
      // stand for two replicas of one deployment, so B counts under A's prefix.
      const storage = (app: TestApp) => app.app.get(RedisThrottlerStorage) as unknown as { prefix: string };
      storage(b).prefix = storage(a).prefix;

      const tenant = await createTenant(a, 'Shared');
      const whoami = (app: TestApp) => app.http.get('/api/v1/whoami').auth(tenant.adminKey, { type: 'bearer' });
      await whoami(a).expect(200);
      await whoami(a).expect(200);
      const third = await whoami(b).expect(200);
      expect(third.headers['x-ratelimit-remaining']).toBe('0');
      expectRateLimited(await whoami(b));
      expectRateLimited(await whoami(a));
      // Authentication records last_used_at without waiting for it: let that write land before closing.
      const dataSource = a.app.get(DataSource);
      for (let i = 0; i < 100; i++) {
        const [{ used }] = await dataSource.query(`SELECT bool_and(last_used_at IS NOT NULL) AS used FROM api_keys WHERE tenant_id = $1`, [tenant.id]);
        if (used) break;
      }
    } finally {
      await b?.close();
      await a.close();
    }
  });
});
