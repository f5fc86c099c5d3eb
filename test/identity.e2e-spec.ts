import { createApiKey, createTenant, TenantFixture } from './factories/tenants';
import { createTestApp, TestApp } from './support/test-app';

describe('identity: tenants, API keys, whoami', () => {
  let t: TestApp;
  let acme: TenantFixture;
  let globex: TenantFixture;

  beforeAll(async () => {
    t = await createTestApp();
    acme = await createTenant(t, 'Acme');
    globex = await createTenant(t, 'Globex');
  });
  afterAll(() => t.close());

  describe('POST /api/v1/tenants (operator bootstrap)', () => {
    it('creates a tenant and shows its first admin key once', async () => {
      const res = await t.http.post('/api/v1/tenants').auth(t.operatorToken, { type: 'bearer' }).send({ name: 'Initech' }).expect(201);
      expect(res.body.tenant).toMatchObject({ name: 'Initech', settings: {} });
      expect(res.body.api_key.key).toMatch(/^dlk_[0-9A-Za-z]{12}_[0-9A-Za-z]{32}$/);
      expect(res.body.api_key).toMatchObject({ scopes: ['admin'], prefix: res.body.api_key.key.split('_')[1] });

      const list = await t.http.get('/api/v1/api-keys').auth(res.body.api_key.key, { type: 'bearer' }).expect(200);
      expect(JSON.stringify(list.body)).not.toContain(res.body.api_key.key.split('_')[2]);
    });

    it.each([
      ['no token', undefined],
      ['a wrong token', 'adm_wrong-token-wrong-token-wrong'],
      ['a tenant key', 'tenant-key'],
    ])('refuses %s with 401 and creates nothing', async (_case, token) => {
      const before = await t.database.url && (await count(t, 'tenants'));
      let req = t.http.post('/api/v1/tenants').send({ name: 'Intruder' });
      if (token) req = req.auth(token === 'tenant-key' ? acme.adminKey : token, { type: 'bearer' });
      const res = await req.expect(401);
      expect(res.body).toMatchObject({ statusCode: 401, error: 'Unauthorized', code: 'unauthorized' });
      expect(await count(t, 'tenants')).toBe(before);
    });

    it('validates the body', async () => {
      const res = await t.http.post('/api/v1/tenants').auth(t.operatorToken, { type: 'bearer' }).send({ name: '', plan: 'gold' }).expect(400);
      expect(res.body.code).toBe('validation_failed');
      expect(res.body.details.map((d: { field: string }) => d.field).sort()).toEqual(['name', 'plan']);
    });
  });

  describe('GET/PATCH /api/v1/tenants/current', () => {
    it('reads the caller\'s own tenant', async () => {
      const res = await t.http.get('/api/v1/tenants/current').auth(globex.adminKey, { type: 'bearer' }).expect(200);
      expect(res.body).toMatchObject({ id: globex.id, name: 'Globex' });
    });

    it('renames and merges settings', async () => {
      await t.http.patch('/api/v1/tenants/current').auth(acme.adminKey, { type: 'bearer' }).send({ settings: { attribution_lookback_days: 14 } }).expect(200);
      const res = await t.http
        .patch('/api/v1/tenants/current')
        .auth(acme.adminKey, { type: 'bearer' })
        .send({ name: 'Acme Corp', settings: { fallback_url: 'https://acme.example/welcome' } })
        .expect(200);
      expect(res.body).toMatchObject({
        name: 'Acme Corp',
        settings: { attribution_lookback_days: 14, fallback_url: 'https://acme.example/welcome' },
      });
      const other = await t.http.get('/api/v1/tenants/current').auth(globex.adminKey, { type: 'bearer' }).expect(200);
      expect(other.body.settings).toEqual({});
    });

    it.each([
      [{ settings: { attribution_lookback_days: 0 } }],
      [{ settings: { fallback_url: 'http://insecure.example' } }],
      [{ settings: { unknown: true } }],
      [{ name: 42 }],
    ])('refuses %j with 400', async (body) => {
      const res = await t.http.patch('/api/v1/tenants/current').auth(acme.adminKey, { type: 'bearer' }).send(body).expect(400);
      expect(res.body.code).toBe('validation_failed');
    });

    it('needs the admin scope to change, read to look', async () => {
      const reader = await createApiKey(t, acme, ['read']);
      await t.http.get('/api/v1/tenants/current').auth(reader.key, { type: 'bearer' }).expect(200);
      const res = await t.http.patch('/api/v1/tenants/current').auth(reader.key, { type: 'bearer' }).send({ name: 'Hijacked' }).expect(403);
      expect(res.body).toMatchObject({ statusCode: 403, code: 'insufficient_scope' });
    });
  });

  describe('API keys', () => {
    it('creates, lists without secrets, and revokes at once', async () => {
      const created = await t.http
        .post('/api/v1/api-keys')
        .auth(acme.adminKey, { type: 'bearer' })
        .send({ name: 'BI exports', scopes: ['read'] })
        .expect(201);
      expect(created.body).toMatchObject({ name: 'BI exports', scopes: ['read'], id: expect.any(String) });
      const secret = created.body.key as string;

      await t.http.get('/api/v1/whoami').auth(secret, { type: 'bearer' }).expect(200);
      const list = await t.http.get('/api/v1/api-keys?limit=100').auth(acme.adminKey, { type: 'bearer' }).expect(200);
      expect(list.body.data.map((k: { id: string }) => k.id)).toContain(created.body.id);
      expect(list.body.data.every((k: Record<string, unknown>) => !('key' in k) && !('secret_hash' in k))).toBe(true);

      await t.http.delete(`/api/v1/api-keys/${created.body.id}`).auth(acme.adminKey, { type: 'bearer' }).expect(204);
      const refused = await t.http.get('/api/v1/whoami').auth(secret, { type: 'bearer' }).expect(401);
      expect(refused.body.message).not.toContain(secret);
      await t.http.delete(`/api/v1/api-keys/${created.body.id}`).auth(acme.adminKey, { type: 'bearer' }).expect(404);
    });

    it('pages with bounds and a total', async () => {
      for (let i = 0; i < 3; i++) await createApiKey(t, globex, ['read'], `page ${i}`);
      const res = await t.http.get('/api/v1/api-keys?limit=2&offset=1').auth(globex.adminKey, { type: 'bearer' }).expect(200);
      expect(res.body).toMatchObject({ total: 4, limit: 2, offset: 1 });
      expect(res.body.data).toHaveLength(2);
      await t.http.get('/api/v1/api-keys?limit=101').auth(globex.adminKey, { type: 'bearer' }).expect(400);
      await t.http.get('/api/v1/api-keys?offset=-1').auth(globex.adminKey, { type: 'bearer' }).expect(400);
    });

    it.each([
      [{ name: 'x', scopes: [] }],
      [{ name: 'x', scopes: ['root'] }],
      [{ name: 'x', scopes: ['read', 'read'] }],
      [{ name: 'x', scopes: ['read'], expires_at: 'tomorrow' }],
      [{ scopes: ['read'] }],
    ])('refuses %j with 400', async (body) => {
      await t.http.post('/api/v1/api-keys').auth(acme.adminKey, { type: 'bearer' }).send(body).expect(400);
    });

    it('refuses an expiry in the past and stops a key when it expires', async () => {
      const past = new Date(t.clock.now().getTime() - 1000).toISOString();
      await t.http.post('/api/v1/api-keys').auth(acme.adminKey, { type: 'bearer' }).send({ name: 'old', scopes: ['read'], expires_at: past }).expect(422);

      const soon = new Date(t.clock.now().getTime() + 60_000).toISOString();
      const res = await t.http.post('/api/v1/api-keys').auth(acme.adminKey, { type: 'bearer' }).send({ name: 'short', scopes: ['read'], expires_at: soon }).expect(201);
      await t.http.get('/api/v1/whoami').auth(res.body.key, { type: 'bearer' }).expect(200);
      t.clock.advance(61_000);
      await t.http.get('/api/v1/whoami').auth(res.body.key, { type: 'bearer' }).expect(401);
    });

    it('keeps the last admin key', async () => {
      const lone = await createTenant(t, 'Lonely');
      const res = await t.http.delete(`/api/v1/api-keys/${lone.adminKeyId}`).auth(lone.adminKey, { type: 'bearer' }).expect(409);
      expect(res.body.code).toBe('last_admin_key');
      await t.http.get('/api/v1/whoami').auth(lone.adminKey, { type: 'bearer' }).expect(200);
    });

    it('lets a read key list but not create or revoke keys, and a scim key reach nothing here', async () => {
      const reader = await createApiKey(t, globex, ['read']);
      const scim = await createApiKey(t, globex, ['scim']);
      await t.http.get('/api/v1/api-keys').auth(reader.key, { type: 'bearer' }).expect(403);
      await t.http.post('/api/v1/api-keys').auth(reader.key, { type: 'bearer' }).send({ name: 'x', scopes: ['admin'] }).expect(403);
      await t.http.delete(`/api/v1/api-keys/${reader.id}`).auth(reader.key, { type: 'bearer' }).expect(403);
      await t.http.get('/api/v1/tenants/current').auth(scim.key, { type: 'bearer' }).expect(403);
      await t.http.get('/api/v1/whoami').auth(scim.key, { type: 'bearer' }).expect(200);
    });

    it('answers 400 for a malformed id', async () => {
      await t.http.delete('/api/v1/api-keys/not-a-uuid').auth(acme.adminKey, { type: 'bearer' }).expect(400);
    });
  });

  describe('tenant isolation', () => {
    it('never shows or changes another tenant\'s keys: 404 as if they did not exist', async () => {
      const globexKey = await createApiKey(t, globex, ['read'], 'globex only');
      await t.http.get(`/api/v1/api-keys/${globexKey.id}`).auth(acme.adminKey, { type: 'bearer' }).expect(404);
      await t.http.delete(`/api/v1/api-keys/${globexKey.id}`).auth(acme.adminKey, { type: 'bearer' }).expect(404);
      const list = await t.http.get('/api/v1/api-keys?limit=100').auth(acme.adminKey, { type: 'bearer' }).expect(200);
      expect(list.body.data.map((k: { id: string }) => k.id)).not.toContain(globexKey.id);
      await t.http.get('/api/v1/whoami').auth(globexKey.key, { type: 'bearer' }).expect(200);
    });

    it('whoami names the caller\'s tenant and key', async () => {
      const res = await t.http.get('/api/v1/whoami').auth(globex.adminKey, { type: 'bearer' }).expect(200);
      expect(res.body).toMatchObject({ tenant: { id: globex.id, name: 'Globex' }, api_key: { id: globex.adminKeyId, scopes: ['admin'] } });
    });
  });

  describe('unauthenticated and unknown keys', () => {
    it.each([
      ['/api/v1/whoami'],
      ['/api/v1/api-keys'],
      ['/api/v1/tenants/current'],
    ])('GET %s without a key -> 401 in the error shape', async (path) => {
      const res = await t.http.get(path).expect(401);
      expect(res.body).toEqual({
        statusCode: 401,
        error: 'Unauthorized',
        message: expect.any(String),
        code: 'unauthorized',
        requestId: expect.any(String),
      });
    });

    it.each([
      ['a well-formed unknown key', 'dlk_AAAAAAAAAAAA_BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB'],
      ['a known prefix with a wrong secret', 'wrong-secret'],
      ['garbage', 'not-a-key'],
    ])('refuses %s', async (_case, key) => {
      const token = key === 'wrong-secret' ? `${acme.adminKey.slice(0, -4)}zzzz` : key;
      await t.http.get('/api/v1/whoami').auth(token, { type: 'bearer' }).expect(401);
    });
  });
});

async function count(t: TestApp, table: string): Promise<number> {
  const { DataSource } = await import('typeorm');
  const [{ n }] = await t.app.get(DataSource).query(`SELECT count(*)::int AS n FROM ${table}`);
  return n;
}
