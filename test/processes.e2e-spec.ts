/*
 * The built service as real OS processes: start-up checks, the DATA_DIR lock, graceful shutdown,
 * and exactly-once idempotency across two API processes sharing one PostgreSQL.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MIGRATIONS } from '@refos/migrations';
import { randomBase62 } from '@refos/platform';
import { Client } from 'pg';
import { openTestDatabase } from './support/test-database';
import { startProcess, waitUntilReady } from './support/processes';

const ADMIN_TOKEN = `adm_${randomBase62(40)}`;
const onServer = process.env.DATABASE_URL ? describe : describe.skip;

// eslint-disable-next-line @typescript-eslint/no-explicit-any
async function json(url: string, init: RequestInit & { token?: string; idempotencyKey?: string } = {}): Promise<{ status: number; headers: Headers; body: any }> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (init.token) headers.authorization = `Bearer ${init.token}`;
  if (init.idempotencyKey) headers['idempotency-key'] = init.idempotencyKey;
  const res = await fetch(url, { ...init, headers });
  return { status: res.status, headers: res.headers, body: await res.json().catch(() => null) };
}

describe('the service as processes', () => {
  let dataDir: string;

  beforeEach(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'refos-proc-'));
  });
  afterEach(() => rmSync(dataDir, { recursive: true, force: true }));

  it('refuses to start with a bad variable, naming it', async () => {
    const proc = await startProcess('api', { DATA_DIR: dataDir, PORT: '3000', DATABASE_URL: 'mysql://nope', BODY_LIMIT: 'huge' });
    expect(await proc.exited).toBe(1);
    expect(proc.output()).toMatch(/DATABASE_URL must be a URL/);
    expect(proc.output()).toMatch(/BODY_LIMIT/);
  });

  it('refuses a second process on the same embedded DATA_DIR, and shuts down cleanly on SIGTERM', async () => {
    const first = await startProcess('api', { DATA_DIR: dataDir, ADMIN_TOKEN });
    try {
      await waitUntilReady(first, 60_000);
      const second = await startProcess('api', { DATA_DIR: dataDir, ADMIN_TOKEN });
      expect(await second.exited).toBe(1);
      expect(second.output()).toMatch(/DATA_DIR .* is in use by another Referral OS process \(pid \d+\)/);

      const created = await json(`${first.url}/api/v1/tenants`, { method: 'POST', token: ADMIN_TOKEN, body: JSON.stringify({ name: 'Durable' }) });
      expect(created.status).toBe(201);
    } finally {
      expect(await first.stop('SIGTERM')).toBe(0);
    }

    // The lock is released and the data survived the restart.
    const again = await startProcess('api', { DATA_DIR: dataDir, ADMIN_TOKEN });
    try {
      await waitUntilReady(again, 60_000);
      const tenants = await json(`${again.url}/api/v1/tenants`, { method: 'POST', token: ADMIN_TOKEN, body: JSON.stringify({ name: 'Second' }) });
      const whoami = await json(`${again.url}/api/v1/whoami`, { token: tenants.body.api_key.key });
      expect(whoami.body.tenant.name).toBe('Second');
    } finally {
      expect(await again.stop('SIGTERM')).toBe(0);
    }
  });

  it('takes over the lock left by a killed process', async () => {
    const killed = await startProcess('api', { DATA_DIR: dataDir, ADMIN_TOKEN });
    await waitUntilReady(killed, 60_000);
    await killed.stop('SIGKILL');
    const next = await startProcess('api', { DATA_DIR: dataDir, ADMIN_TOKEN });
    try {
      await waitUntilReady(next, 60_000);
    } finally {
      await next.stop();
    }
  });

  it('generates an ADMIN_TOKEN once when none is set, prints it, and keeps it', async () => {
    const first = await startProcess('api', { DATA_DIR: dataDir });
    let token: string;
    try {
      await waitUntilReady(first, 60_000);
      token = /Generated ADMIN_TOKEN[^\n]*\n\s+(adm_[0-9A-Za-z]{40})/.exec(first.output())![1];
      expect((await json(`${first.url}/api/v1/tenants`, { method: 'POST', token, body: '{"name":"A"}' })).status).toBe(201);
    } finally {
      await first.stop();
    }
    const second = await startProcess('api', { DATA_DIR: dataDir });
    try {
      await waitUntilReady(second, 60_000);
      expect(second.output()).not.toContain(token);
      expect((await json(`${second.url}/api/v1/tenants`, { method: 'POST', token, body: '{"name":"B"}' })).status).toBe(201);
    } finally {
      await second.stop();
    }
  });

  it('on SIGTERM stops accepting but finishes a request already in flight', async () => {
    const database = process.env.DATABASE_URL ? await openTestDatabase() : undefined;
    const proc = await startProcess('api', { DATA_DIR: dataDir, ADMIN_TOKEN, DATABASE_URL: database?.url });
    try {
      await waitUntilReady(proc, 60_000);
      const body = JSON.stringify({ name: 'In flight' });
      const { port } = new URL(proc.url);
      // Send half the body, signal, then the rest: the request is mid-flight when shutdown begins.
      const answer = new Promise<{ status: number; body: string }>((resolve, reject) => {
        const req = httpRequest(
          { host: '127.0.0.1', port, method: 'POST', path: '/api/v1/tenants', headers: {
            authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } },
          (res) => {
            let text = '';
            res.on('data', (chunk) => (text += chunk));
            res.on('end', () => resolve({ status: res.statusCode!, body: text }));
          },
        );
        req.on('error', reject);
        req.write(body.slice(0, 5));
        setTimeout(() => {
          proc.child.kill('SIGTERM');
          setTimeout(() => req.end(body.slice(5)), 300);
        }, 100);
      });
      const result = await answer;
      expect(result.status).toBe(201);
      expect(JSON.parse(result.body).tenant.name).toBe('In flight');
      await expect(fetch(`${proc.url}/health`)).rejects.toThrow();
      expect(await proc.exited).toBe(0);
    } finally {
      await proc.stop('SIGKILL');
      await database?.close();
    }
  });

  onServer('two API processes on one PostgreSQL', () => {
    it('migrate an empty database once when they start together', async () => {
      const database = await openTestDatabase({ empty: true });
      const env = { DATABASE_URL: database.url, ADMIN_TOKEN, DATA_DIR: dataDir, JOBS_ENABLED: 'false' };
      const [a, b] = await Promise.all([startProcess('api', env), startProcess('api', env)]);
      try {
        await Promise.all([waitUntilReady(a), waitUntilReady(b)]);
        const tenant = await json(`${b.url}/api/v1/tenants`, { method: 'POST', token: ADMIN_TOKEN, body: '{"name":"Migrated"}' });
        expect(tenant.status).toBe(201);
        const client = new Client({ connectionString: database.url });
        await client.connect();
        const { rows } = await client.query('SELECT name, count(*)::int AS n FROM typeorm_migrations GROUP BY name');
        await client.end();
        expect(rows.length).toBe(MIGRATIONS.length);
        expect(rows.every((row) => row.n === 1)).toBe(true);
      } finally {
        await Promise.all([a.stop(), b.stop()]);
        await database.close();
      }
    });

    it('run a POST exactly once for 40 concurrent requests sharing an Idempotency-Key', async () => {
      const database = await openTestDatabase();
      const env = { DATABASE_URL: database.url, REDIS_URL: process.env.REDIS_URL, ADMIN_TOKEN, DATA_DIR: dataDir, JOBS_ENABLED: 'false' };
      const [a, b] = await Promise.all([startProcess('api', env), startProcess('api', env)]);
      try {
        await Promise.all([waitUntilReady(a), waitUntilReady(b)]);
        const tenant = await json(`${a.url}/api/v1/tenants`, { method: 'POST', token: ADMIN_TOKEN, body: '{"name":"Concurrent"}' });
        const key = tenant.body.api_key.key as string;
        const body = JSON.stringify({ name: 'exactly once', scopes: ['read'] });

        const answers = await Promise.all(
          Array.from({ length: 40 }, (_, i) =>
            json(`${(i % 2 === 0 ? a : b).url}/api/v1/api-keys`, { method: 'POST', token: key, idempotencyKey: 'one-key', body }),
          ),
        );

        const created = answers.filter((r) => r.status === 201 && r.headers.get('x-idempotency-replayed') !== 'true');
        const replays = answers.filter((r) => r.status === 201 && r.headers.get('x-idempotency-replayed') === 'true');
        const inFlight = answers.filter((r) => r.status === 409);
        expect(created).toHaveLength(1);
        expect(replays.length + inFlight.length).toBe(39);
        expect(new Set(replays.map((r) => r.body.id))).toEqual(new Set(replays.length ? [created[0].body.id] : []));
        expect(inFlight.every((r) => r.body.code === 'idempotency_in_progress' && r.headers.get('retry-after') === '1')).toBe(true);

        const list = await json(`${b.url}/api/v1/api-keys?limit=100`, { token: key });
        expect(list.body.data.filter((k: { name: string }) => k.name === 'exactly once')).toHaveLength(1);
      } finally {
        await Promise.all([a.stop(), b.stop()]);
        await database.close();
      }
    });
  });
});
