/*
 * Idempotency-Key on authenticated POST/PUT/PATCH: replays, mismatches, bad keys, tenants kept
 * apart, failures that do not burn a key, expiry and purge, concurrency and abandoned leases.
 */
import { IdempotencyService, randomBase62 } from '@refos/platform';
import type { Response } from 'supertest';
import { DataSource } from 'typeorm';
import { createApiKey, createTenant, TenantFixture } from './factories/tenants';
import { createTestApp, TestApp } from './support/test-app';

const HOUR = 3_600_000;

describe('idempotency', () => {
  let t: TestApp;
  let acme: TenantFixture;
  let globex: TenantFixture;

  const sql = <T = Record<string, unknown>>(query: string, params: unknown[] = []): Promise<T[]> => t.app.get(DataSource).query(query, params);
  const newKey = () => `idem-${randomBase62(16)}`;
  const createKey = (tenant: TenantFixture, idempotencyKey: string, body: object) =>
    t.http.post('/api/v1/api-keys').auth(tenant.adminKey, { type: 'bearer' }).set('Idempotency-Key', idempotencyKey).send(body);
  const keysNamed = async (tenant: TenantFixture, name: string): Promise<number> =>
    (await sql<{ n: number }>(`SELECT count(*)::int AS n FROM api_keys WHERE tenant_id = $1 AND name = $2`, [tenant.id, name]))[0].n;
  const keysOf = async (tenant: TenantFixture): Promise<number> =>
    (await sql<{ n: number }>(`SELECT count(*)::int AS n FROM api_keys WHERE tenant_id = $1`, [tenant.id]))[0].n;
  const recordsFor = (idempotencyKey: string) =>
    sql<{ scope: string; state: string; response_status: number | null }>(
      `SELECT scope, state, response_status FROM idempotency_records WHERE key = $1 ORDER BY scope`,
      [idempotencyKey],
    );
  const expectReplayOf = (replay: Response, original: Response) => {
    expect(replay.status).toBe(original.status);
    expect(replay.headers['x-idempotency-replayed']).toBe('true');
    expect(replay.text).toBe(original.text);
    expect(replay.headers['content-type']).toBe(original.headers['content-type']);
  };

  beforeAll(async () => {
    t = await createTestApp();
    acme = await createTenant(t, 'Acme');
    globex = await createTenant(t, 'Globex');
  });
  afterAll(() => t.close());

  describe('replays', () => {
    it('answers a retried POST with the same status and byte-identical body, and creates no second row', async () => {
      const key = newKey();
      const body = { name: 'ci deploys', scopes: ['read'], expires_at: '2027-06-01T00:00:00.000Z' };
      const first = await createKey(acme, key, body).expect(201);
      expect(first.headers['x-idempotency-replayed']).toBeUndefined();

      const second = await createKey(acme, key, body);
      const third = await createKey(acme, key, body);
      expectReplayOf(second, first);
      expectReplayOf(third, first);
      expect(second.body.id).toBe(first.body.id);
      expect(await keysNamed(acme, 'ci deploys')).toBe(1);
      expect(await recordsFor(key)).toEqual([{ scope: `tenant:${acme.id}:cred:${acme.adminKeyId}`, state: 'completed', response_status: 201 }]);
      // The replayed key is the one that exists: it authenticates.
      await t.http.get('/api/v1/whoami').auth(second.body.key, { type: 'bearer' }).expect(200);
    });

    it('never keeps the one-time secret of the first answer in plaintext', async () => {
      const key = newKey();
      const first = await createKey(acme, key, { name: 'sealed', scopes: ['read'] }).expect(201);
      const [stored] = await sql<{ response_body: string }>(`SELECT response_body FROM idempotency_records WHERE key = $1`, [key]);
      expect(stored.response_body).not.toContain(first.body.key.split('_')[2]);
      expect(stored.response_body).not.toContain('sealed');
      expectReplayOf(await createKey(acme, key, { name: 'sealed', scopes: ['read'] }), first);
    });

    it('treats the same JSON with its keys in another order as the same request', async () => {
      const key = newKey();
      const first = await createKey(acme, key, { name: 'reordered', scopes: ['read', 'scim'] }).expect(201);
      const again = await t.http
        .post('/api/v1/api-keys')
        .auth(acme.adminKey, { type: 'bearer' })
        .set('Idempotency-Key', key)
        .set('Content-Type', 'application/json')
        .send('{ "scopes": ["read", "scim"],\n  "name": "reordered" }');
      expectReplayOf(again, first);
      expect(await keysNamed(acme, 'reordered')).toBe(1);
    });

    it('replays a PATCH without running it again', async () => {
      const key = newKey();
      const patch = (body: object) =>
        t.http.patch('/api/v1/tenants/current').auth(globex.adminKey, { type: 'bearer' }).set('Idempotency-Key', key).send(body);
      const first = await patch({ name: 'Globex One', settings: { attribution_lookback_days: 10 } }).expect(200);
      // Someone renames the tenant in between; replaying the old PATCH must not undo that.
      await t.http.patch('/api/v1/tenants/current').auth(globex.adminKey, { type: 'bearer' }).send({ name: 'Globex Two' }).expect(200);

      const replay = await patch({ name: 'Globex One', settings: { attribution_lookback_days: 10 } });
      expectReplayOf(replay, first);
      expect(replay.body.name).toBe('Globex One');
      const current = await t.http.get('/api/v1/tenants/current').auth(globex.adminKey, { type: 'bearer' }).expect(200);
      expect(current.body.name).toBe('Globex Two');
    });

    it('applies to the operator too: a retried tenant bootstrap creates one tenant', async () => {
      const key = newKey();
      const [{ n: before }] = await sql<{ n: number }>(`SELECT count(*)::int AS n FROM tenants`);
      const bootstrap = () =>
        t.http.post('/api/v1/tenants').auth(t.operatorToken, { type: 'bearer' }).set('Idempotency-Key', key).send({ name: 'Initech' });
      const first = await bootstrap().expect(201);
      expectReplayOf(await bootstrap(), first);
      const [{ n: after }] = await sql<{ n: number }>(`SELECT count(*)::int AS n FROM tenants`);
      expect(after).toBe(before + 1);
    });
  });

  describe('refusals', () => {
    it('answers the same key with a different body with 422 idempotency_key_reused and runs nothing', async () => {
      const key = newKey();
      const first = await createKey(acme, key, { name: 'original', scopes: ['read'] }).expect(201);
      const before = await keysOf(acme);

      const res = await createKey(acme, key, { name: 'original', scopes: ['admin'] });
      expect(res.status).toBe(422);
      expect(res.body).toMatchObject({ statusCode: 422, error: 'Unprocessable Entity', code: 'idempotency_key_reused', requestId: expect.any(String) });
      expect(res.headers['x-idempotency-replayed']).toBeUndefined();
      expect(await keysOf(acme)).toBe(before);
      // The key still answers its own request.
      expectReplayOf(await createKey(acme, key, { name: 'original', scopes: ['read'] }), first);
    });

    it('answers the same key on another route with 422 (the method and path are part of the request)', async () => {
      const key = newKey();
      await createKey(acme, key, { name: 'route one', scopes: ['read'] }).expect(201);
      const res = await t.http.patch('/api/v1/tenants/current').auth(acme.adminKey, { type: 'bearer' }).set('Idempotency-Key', key).send({ name: 'Acme' });
      expect(res.status).toBe(422);
      expect(res.body.code).toBe('idempotency_key_reused');
    });

    it.each([
      ['300 characters', 'k'.repeat(300)],
      ['256 characters', 'k'.repeat(256)],
      ['empty', ''],
    ])('refuses a key of %s with 400 invalid_idempotency_key and writes nothing', async (_case, key) => {
      const before = await keysOf(acme);
      const [{ n: records }] = await sql<{ n: number }>(`SELECT count(*)::int AS n FROM idempotency_records`);
      const res = await createKey(acme, key, { name: 'bad key', scopes: ['read'] });
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({ statusCode: 400, code: 'invalid_idempotency_key', message: expect.stringContaining('255'), requestId: expect.any(String) });
      expect(await keysOf(acme)).toBe(before);
      expect((await sql<{ n: number }>(`SELECT count(*)::int AS n FROM idempotency_records`))[0].n).toBe(records);
    });

    it('accepts a key of exactly 255 characters', async () => {
      const key = `${randomBase62(16)}${'k'.repeat(239)}`;
      const first = await createKey(acme, key, { name: 'long key', scopes: ['read'] }).expect(201);
      expectReplayOf(await createKey(acme, key, { name: 'long key', scopes: ['read'] }), first);
    });

    it('records nothing for a request refused by authentication or scope', async () => {
      const key = newKey();
      await t.http.post('/api/v1/api-keys').set('Idempotency-Key', key).send({ name: 'anon', scopes: ['read'] }).expect(401);
      const reader = await createApiKey(t, acme, ['read']);
      await t.http.post('/api/v1/api-keys').auth(reader.key, { type: 'bearer' }).set('Idempotency-Key', key).send({ name: 'anon', scopes: ['read'] }).expect(403);
      expect(await recordsFor(key)).toEqual([]);
      // The key is still free for a caller allowed to use it.
      await createKey(acme, key, { name: 'anon', scopes: ['read'] }).expect(201);
    });
  });

  describe('methods that ignore the header', () => {
    it('GET ignores it, even a malformed one', async () => {
      const key = newKey();
      const list = () => t.http.get('/api/v1/api-keys').auth(acme.adminKey, { type: 'bearer' });
      const first = await list().set('Idempotency-Key', key).expect(200);
      expect(first.headers['x-idempotency-replayed']).toBeUndefined();
      await createApiKey(t, acme, ['read'], 'listed later');
      const second = await list().set('Idempotency-Key', key).expect(200);
      expect(second.headers['x-idempotency-replayed']).toBeUndefined();
      expect(second.body.total).toBe(first.body.total + 1);
      await list().set('Idempotency-Key', 'k'.repeat(300)).expect(200);
      expect(await recordsFor(key)).toEqual([]);
    });

    it('DELETE ignores it: a second revoke really runs and finds nothing', async () => {
      const key = newKey();
      const victim = await createApiKey(t, acme, ['read'], 'to revoke');
      const revoke = () => t.http.delete(`/api/v1/api-keys/${victim.id}`).auth(acme.adminKey, { type: 'bearer' }).set('Idempotency-Key', key);
      const first = await revoke().expect(204);
      expect(first.headers['x-idempotency-replayed']).toBeUndefined();
      const second = await revoke().expect(404);
      expect(second.headers['x-idempotency-replayed']).toBeUndefined();
      expect(await recordsFor(key)).toEqual([]);
    });
  });

  describe('tenants', () => {
    it('keeps the same key of two tenants apart: each gets its own result', async () => {
      const key = newKey();
      const body = { name: 'shared idempotency key', scopes: ['read'] };
      const forAcme = await createKey(acme, key, body).expect(201);
      const forGlobex = await createKey(globex, key, body).expect(201);
      expect(forGlobex.headers['x-idempotency-replayed']).toBeUndefined();
      expect(forGlobex.body.id).not.toBe(forAcme.body.id);
      expect(await keysNamed(acme, body.name)).toBe(1);
      expect(await keysNamed(globex, body.name)).toBe(1);

      expectReplayOf(await createKey(acme, key, body), forAcme);
      expectReplayOf(await createKey(globex, key, body), forGlobex);
      // Globex's replay is Globex's key, never Acme's.
      const whoami = await t.http.get('/api/v1/whoami').auth(forGlobex.body.key, { type: 'bearer' }).expect(200);
      expect(whoami.body.tenant.id).toBe(globex.id);
      expect((await recordsFor(key)).map((r) => r.scope).sort()).toEqual(
        [`tenant:${acme.id}:cred:${acme.adminKeyId}`, `tenant:${globex.id}:cred:${globex.adminKeyId}`].sort(),
      );
    });

    it('keeps two keys of one tenant apart too: another key never receives the first one\'s answer', async () => {
      const other = await createApiKey(t, acme, ['admin'], 'second admin');
      const key = newKey();
      const body = { name: 'per credential', scopes: ['read'] };
      const first = await createKey(acme, key, body).expect(201);
      const second = await t.http.post('/api/v1/api-keys').auth(other.key, { type: 'bearer' }).set('Idempotency-Key', key).send(body).expect(201);
      expect(second.headers['x-idempotency-replayed']).toBeUndefined();
      expect(second.body.key).not.toBe(first.body.key);
    });

    it('lets a tenant reuse a key another tenant used with another body', async () => {
      const key = newKey();
      await createKey(acme, key, { name: 'acme body', scopes: ['read'] }).expect(201);
      await createKey(globex, key, { name: 'globex body', scopes: ['admin'] }).expect(201);
    });
  });

  describe('failures do not burn the key', () => {
    it('a request that failed validation stores nothing: the same bad request fails again for real, a corrected one runs', async () => {
      const key = newKey();
      const bad = await createKey(acme, key, { name: 'retry me', scopes: ['root'] }).expect(400);
      expect(bad.body.code).toBe('validation_failed');
      expect(await recordsFor(key)).toEqual([]);

      const again = await createKey(acme, key, { name: 'retry me', scopes: ['root'] }).expect(400);
      expect(again.headers['x-idempotency-replayed']).toBeUndefined();

      // The corrected body is a different request, but the key was never spent: it runs once.
      const fixed = await createKey(acme, key, { name: 'retry me', scopes: ['read'] }).expect(201);
      expect(fixed.headers['x-idempotency-replayed']).toBeUndefined();
      expectReplayOf(await createKey(acme, key, { name: 'retry me', scopes: ['read'] }), fixed);
      expect(await keysNamed(acme, 'retry me')).toBe(1);
      // Now it is spent: the old bad body is another request for this key.
      expect((await createKey(acme, key, { name: 'retry me', scopes: ['root'] })).status).toBe(422);
    });

    it('a request refused by the service (422) stores nothing either', async () => {
      const key = newKey();
      const past = new Date(t.clock.now().getTime() - 1000).toISOString();
      await createKey(acme, key, { name: 'expiry retry', scopes: ['read'], expires_at: past }).expect(422);
      expect(await recordsFor(key)).toEqual([]);
      const future = new Date(t.clock.now().getTime() + 30 * 24 * HOUR).toISOString();
      await createKey(acme, key, { name: 'expiry retry', scopes: ['read'], expires_at: future }).expect(201);
    });

    it('a malformed JSON body never reaches the key', async () => {
      const key = newKey();
      await t.http
        .post('/api/v1/api-keys')
        .auth(acme.adminKey, { type: 'bearer' })
        .set('Idempotency-Key', key)
        .set('Content-Type', 'application/json')
        .send('{"name": "broken"')
        .expect(400);
      expect(await recordsFor(key)).toEqual([]);
    });
  });

  describe('concurrency and abandoned requests', () => {
    it('runs 20 concurrent identical requests exactly once; the others get 409 in progress or the replay', async () => {
      const key = newKey();
      const body = { name: 'concurrent', scopes: ['read'] };
      const answers = await Promise.all(Array.from({ length: 20 }, () => createKey(acme, key, body)));

      const fresh = answers.filter((r) => r.status === 201 && r.headers['x-idempotency-replayed'] === undefined);
      const replays = answers.filter((r) => r.status === 201 && r.headers['x-idempotency-replayed'] === 'true');
      const busy = answers.filter((r) => r.status === 409);
      expect(fresh).toHaveLength(1);
      expect(replays.length + busy.length).toBe(19);
      for (const replay of replays) expect(replay.text).toBe(fresh[0].text);
      for (const res of busy) {
        expect(res.body).toMatchObject({ statusCode: 409, code: 'idempotency_in_progress', requestId: expect.any(String) });
        expect(Number(res.headers['retry-after'])).toBeGreaterThanOrEqual(1);
      }
      expect(await keysNamed(acme, 'concurrent')).toBe(1);
      // Once it finished, everyone who retries gets the one answer.
      expectReplayOf(await createKey(acme, key, body), fresh[0]);
    });

    it('lets a request whose holder died take the key over once its lease expires, and only with the same body', async () => {
      const key = newKey();
      const body = { name: 'crashed', scopes: ['read'] };
      await createKey(acme, key, body).expect(201);
      // Make it look like the first request died mid-flight: in progress, lease running, no answer stored.
      await sql(
        `UPDATE idempotency_records SET state = 'in_progress', response_status = NULL, response_body = NULL, locked_until = $2 WHERE key = $1`,
        [key, new Date(t.clock.now().getTime() + 60_000)],
      );

      const busy = await createKey(acme, key, body);
      expect(busy.status).toBe(409);
      expect(busy.body.code).toBe('idempotency_in_progress');
      expect(busy.headers['retry-after']).toBe('1');
      expect((await createKey(acme, key, { ...body, scopes: ['admin'] })).status).toBe(422);

      t.clock.advance(61_000);
      expect((await createKey(acme, key, { ...body, scopes: ['admin'] })).status).toBe(422);
      const takenOver = await createKey(acme, key, body).expect(201);
      expect(takenOver.headers['x-idempotency-replayed']).toBeUndefined();
      expect(await recordsFor(key)).toMatchObject([{ state: 'completed', response_status: 201 }]);
      expectReplayOf(await createKey(acme, key, body), takenOver);
    });

    it('takes over a lease that ended in the past (locked_until set back by SQL)', async () => {
      const key = newKey();
      const body = { name: 'stale lease', scopes: ['read'] };
      await createKey(acme, key, body).expect(201);
      await sql(`UPDATE idempotency_records SET state = 'in_progress', response_body = NULL, locked_until = $2 WHERE key = $1`, [
        key,
        new Date(t.clock.now().getTime() - 1),
      ]);
      const res = await createKey(acme, key, body).expect(201);
      expect(res.headers['x-idempotency-replayed']).toBeUndefined();
    });
  });

  describe('expiry and purge', () => {
    it('keeps a key for 24 h; after that it runs the handler again', async () => {
      const key = newKey();
      const body = { name: 'daily', scopes: ['read'] };
      const first = await createKey(acme, key, body).expect(201);

      t.clock.advance(24 * HOUR - 1000);
      expectReplayOf(await createKey(acme, key, body), first);
      expect(await keysNamed(acme, 'daily')).toBe(1);

      t.clock.advance(1000);
      const again = await createKey(acme, key, body).expect(201);
      expect(again.headers['x-idempotency-replayed']).toBeUndefined();
      expect(again.body.id).not.toBe(first.body.id);
      expect(await keysNamed(acme, 'daily')).toBe(2);
      // And the fresh answer is what is replayed now.
      expectReplayOf(await createKey(acme, key, body), again);
    });

    it('lets an expired key be reused with a different body', async () => {
      const key = newKey();
      await createKey(acme, key, { name: 'before expiry', scopes: ['read'] }).expect(201);
      t.clock.advance(24 * HOUR);
      const res = await createKey(acme, key, { name: 'after expiry', scopes: ['admin'] }).expect(201);
      expect(res.body.name).toBe('after expiry');
    });

    it('purges expired records and keeps fresh ones', async () => {
      const oldKeys = [newKey(), newKey()];
      for (const key of oldKeys) await createKey(acme, key, { name: `old ${key}`, scopes: ['read'] }).expect(201);
      t.clock.advance(25 * HOUR);
      const freshKey = newKey();
      const fresh = await createKey(acme, freshKey, { name: 'fresh', scopes: ['read'] }).expect(201);

      const [{ n: expired }] = await sql<{ n: number }>(`SELECT count(*)::int AS n FROM idempotency_records WHERE expires_at <= $1`, [t.clock.now()]);
      expect(expired).toBeGreaterThanOrEqual(2);
      const purge = t.app.get(IdempotencyService);
      expect(await purge.purgeExpired()).toBe(expired);
      for (const key of oldKeys) expect(await recordsFor(key)).toEqual([]);
      expect(await recordsFor(freshKey)).toHaveLength(1);
      expect(await purge.purgeExpired()).toBe(0);

      expectReplayOf(await createKey(acme, freshKey, { name: 'fresh', scopes: ['read'] }), fresh);
    });

    it('purges in batches: more expired records than one batch all go', async () => {
      const past = new Date(t.clock.now().getTime() - HOUR);
      await sql(
        `INSERT INTO idempotency_records (scope, key, fingerprint, state, response_status, response_body, locked_until, created_at, expires_at)
         SELECT 'tenant:bulk', 'bulk-' || g, repeat('0', 64), 'completed', 201, '{}', $1, $1, $1 FROM generate_series(1, 5001) g`,
        [past],
      );
      expect(await t.app.get(IdempotencyService).purgeExpired()).toBe(5001);
      expect(await sql(`SELECT 1 FROM idempotency_records WHERE scope = 'tenant:bulk'`)).toEqual([]);
    });
  });
});
