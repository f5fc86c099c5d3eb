/*
 * Concurrency on whichever database the run uses (embedded PGlite with its single connection, or the
 * server): many transactional requests at once neither fail nor leave inconsistent rows.
 */
import { pgPool } from '@refos/platform';
import { DataSource } from 'typeorm';
import { createApiKey, createTenant } from './factories/tenants';
import { createTestApp, TestApp } from './support/test-app';

describe('database under concurrent transactions', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  it('creates 20 tenants and 100 keys at once, every row where it belongs', async () => {
    // The operator route allows 30 tenant creations a minute: 20 here, the rest below.
    const tenants = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        t.http.post('/api/v1/tenants').auth(t.operatorToken, { type: 'bearer' }).send({ name: `Concurrent ${i}` }),
      ),
    );
    expect(tenants.map((r) => r.status)).toEqual(Array(20).fill(201));
    const keys = await Promise.all(
      Array.from({ length: 100 }, (_, i) =>
        t.http
          .post('/api/v1/api-keys')
          .auth(tenants[i % 20].body.api_key.key, { type: 'bearer' })
          .send({ name: `extra ${i}`, scopes: ['read'] }),
      ),
    );
    expect(keys.map((r) => r.status)).toEqual(Array(100).fill(201));

    const rows: { name: string; keys: number }[] = await t.app.get(DataSource).query(
      `SELECT t.name, count(k.id)::int AS keys FROM tenants t LEFT JOIN api_keys k ON k.tenant_id = t.id
       WHERE t.name LIKE 'Concurrent %' GROUP BY t.id, t.name`,
    );
    expect(rows).toHaveLength(20);
    expect(rows.every((row) => row.keys === 6)).toBe(true);
  });

  it('revoking every admin key at once leaves exactly one', async () => {
    const tenant = await createTenant(t, 'Race');
    const extra = await Promise.all(Array.from({ length: 7 }, () => createApiKey(t, tenant, ['admin'])));
    const ids = [tenant.adminKeyId, ...extra.map((k) => k.id)];
    const keys = [tenant.adminKey, ...extra.map((k) => k.key)];

    // Each key revokes the next one. A request whose own key was revoked first is refused (401);
    // whatever the interleaving, the tenant keeps at least one admin key and 409 means exactly one.
    const answers = await Promise.all(
      ids.map((id, i) => t.http.delete(`/api/v1/api-keys/${id}`).auth(keys[(i + 1) % keys.length], { type: 'bearer' })),
    );
    const statuses = answers.map((r) => r.status);
    expect(statuses.every((s) => [204, 401, 409].includes(s))).toBe(true);
    const revoked = statuses.filter((s) => s === 204).length;

    const [{ active }] = await t.app.get(DataSource).query(
      `SELECT count(*)::int AS active FROM api_keys WHERE tenant_id = $1 AND revoked_at IS NULL`,
      [tenant.id],
    );
    expect(active).toBe(ids.length - revoked);
    expect(active).toBeGreaterThanOrEqual(1);
    if (statuses.includes(409)) expect(active).toBe(1);
  });

  it('keeps every concurrent settings patch', async () => {
    const tenant = await createTenant(t, 'Patches');
    await Promise.all([
      t.http.patch('/api/v1/tenants/current').auth(tenant.adminKey, { type: 'bearer' }).send({ settings: { attribution_lookback_days: 7 } }),
      t.http.patch('/api/v1/tenants/current').auth(tenant.adminKey, { type: 'bearer' }).send({ settings: { fallback_url: 'https://x.example' } }),
      t.http.patch('/api/v1/tenants/current').auth(tenant.adminKey, { type: 'bearer' }).send({ name: 'Patched' }),
    ]);
    const res = await t.http.get('/api/v1/tenants/current').auth(tenant.adminKey, { type: 'bearer' }).expect(200);
    expect(res.body).toMatchObject({ name: 'Patched', settings: { attribution_lookback_days: 7, fallback_url: 'https://x.example' } });
  });
});

const onServer = process.env.DATABASE_URL ? describe : describe.skip;

onServer('a database connection lost while checked out', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  // Found by the soak: pg-pool stops listening for errors on a connection it has handed out, so a
  // connection dropped between two queries of a transaction took the whole process down.
  it('fails the holder, not the process, and the pool serves the next request', async () => {
    // As the COPY paths of ingestion and the touch buffer hold one: straight from the pool.
    const pool = pgPool(t.app.get(DataSource));
    const client = await pool.connect();
    // pg-pool removes its own listener on checkout: without one of ours, the error below is uncaught.
    expect(client.listenerCount('error')).toBeGreaterThan(0);
    const { rows } = await client.query('SELECT pg_backend_pid() AS pid');
    await pool.query('SELECT pg_terminate_backend($1)', [rows[0].pid]);
    await new Promise((resolve) => setTimeout(resolve, 300)); // the termination reaches the idle connection

    await expect(client.query('SELECT 1')).rejects.toThrow();
    client.release(true);
    const health = await t.http.get('/health/ready').expect(200);
    expect(health.body.checks.database).toBe('up');
  });
});
