import { AppsService } from '@refos/apps';
import { sha256Hex } from '@refos/platform';
import { DataSource } from 'typeorm';
import { createApp } from './factories/apps';
import { createApiKey, createTenant, TenantFixture } from './factories/tenants';
import { createTestApp, TestApp } from './support/test-app';

const API_KEY = /^rk_([0-9A-Za-z]{12})_[0-9A-Za-z]{32}$/;
const SERVER_SECRET = /^rss_[0-9A-Za-z]{40}$/;
const MINUTE = 60_000;
const BEARER = { type: 'bearer' as const };

describe('apps: one-time credentials, rotation, archive', () => {
  let t: TestApp;
  let apps: AppsService;
  let acme: TenantFixture;
  let globex: TenantFixture;
  let acmeReader: string;

  beforeAll(async () => {
    t = await createTestApp();
    apps = t.app.get(AppsService);
    acme = await createTenant(t, 'Acme');
    globex = await createTenant(t, 'Globex');
    acmeReader = (await createApiKey(t, acme, ['read'])).key;
  });
  afterAll(() => t.close());

  const countApps = async () => (await t.app.get(DataSource).query(`SELECT count(*)::int AS n FROM apps`))[0].n as number;

  describe('POST /api/v1/apps', () => {
    it('answers the raw api_key and server_secret once and stores only their hashes', async () => {
      const res = await t.http.post('/api/v1/apps').auth(acme.adminKey, BEARER).send({ name: 'Quests' }).expect(201);
      expect(res.body).toEqual({
        id: expect.any(String),
        name: 'Quests',
        status: 'active',
        api_key_prefix: expect.any(String),
        previous_credentials_expire_at: null,
        created_at: expect.any(String),
        updated_at: expect.any(String),
        archived_at: null,
        api_key: expect.stringMatching(API_KEY),
        server_secret: expect.stringMatching(SERVER_SECRET),
      });
      expect(res.body.api_key_prefix).toBe(API_KEY.exec(res.body.api_key)![1]);

      const [row] = await t.app.get(DataSource).query(`SELECT * FROM apps WHERE id = $1`, [res.body.id]);
      expect(row).toMatchObject({ tenant_id: acme.id, api_key_hash: sha256Hex(res.body.api_key), server_secret_hash: sha256Hex(res.body.server_secret) });
      expect(JSON.stringify(row)).not.toContain(res.body.api_key);
      expect(JSON.stringify(row)).not.toContain(res.body.server_secret);

      expect(await apps.authenticateAppKey(res.body.api_key)).toEqual({ appId: res.body.id, tenantId: acme.id });
      expect(await apps.verifyServerSecret(res.body.id, res.body.server_secret)).toBe(true);
    });

    it('never shows credentials or hashes again, in get or list', async () => {
      const app = await createApp(t, acme, 'Secretive');
      const secretPart = app.apiKey.split('_')[2];
      const get = await t.http.get(`/api/v1/apps/${app.id}`).auth(acme.adminKey, BEARER).expect(200);
      const list = await t.http.get('/api/v1/apps?limit=100').auth(acme.adminKey, BEARER).expect(200);
      for (const body of [get.body, ...list.body.data]) {
        expect(Object.keys(body).filter((k) => /api_key$|secret|hash/.test(k))).toEqual([]);
      }
      for (const text of [get.text, list.text]) {
        expect(text).not.toContain(secretPart);
        expect(text).not.toContain(app.serverSecret);
        expect(text).not.toContain(sha256Hex(app.apiKey));
      }
    });

    it.each([[{}], [{ name: '' }], [{ name: 'x'.repeat(121) }], [{ name: 42 }], [{ name: 'ok', api_key: 'rk_mine' }]])(
      'refuses %j with 400 and creates nothing',
      async (body) => {
        const before = await countApps();
        const res = await t.http.post('/api/v1/apps').auth(acme.adminKey, BEARER).send(body).expect(400);
        expect(res.body.code).toBe('validation_failed');
        expect(await countApps()).toBe(before);
      },
    );
  });

  describe('GET /api/v1/apps', () => {
    it('lists the tenant\'s apps newest first, pages and filters by status', async () => {
      const tenant = await createTenant(t, 'Lister');
      const first = await createApp(t, tenant, 'first');
      const second = await createApp(t, tenant, 'second');
      const third = await createApp(t, tenant, 'third');
      await t.http.post(`/api/v1/apps/${second.id}/archive`).auth(tenant.adminKey, BEARER).expect(200);

      const all = await t.http.get('/api/v1/apps').auth(tenant.adminKey, BEARER).expect(200);
      expect(all.body).toMatchObject({ total: 3, limit: 50, offset: 0 });
      expect(new Set(all.body.data.map((a: { id: string }) => a.id))).toEqual(new Set([first.id, second.id, third.id]));

      const page = await t.http.get('/api/v1/apps?limit=2&offset=2').auth(tenant.adminKey, BEARER).expect(200);
      expect(page.body).toMatchObject({ total: 3, limit: 2, offset: 2 });
      expect(page.body.data).toHaveLength(1);

      const active = await t.http.get('/api/v1/apps?status=active').auth(tenant.adminKey, BEARER).expect(200);
      expect(active.body.data.map((a: { id: string }) => a.id).sort()).toEqual([first.id, third.id].sort());
      const archived = await t.http.get('/api/v1/apps?status=archived').auth(tenant.adminKey, BEARER).expect(200);
      expect(archived.body.data.map((a: { id: string }) => a.id)).toEqual([second.id]);
    });

    it.each(['status=deleted', 'limit=0', 'limit=101', 'offset=-1', 'owner=me'])('refuses ?%s with 400', async (query) => {
      await t.http.get(`/api/v1/apps?${query}`).auth(acme.adminKey, BEARER).expect(400);
    });
  });

  describe('GET and PATCH /api/v1/apps/:id', () => {
    it('gets and renames an app', async () => {
      const app = await createApp(t, acme, 'Before');
      const res = await t.http.patch(`/api/v1/apps/${app.id}`).auth(acme.adminKey, BEARER).send({ name: 'After' }).expect(200);
      expect(res.body).toMatchObject({ id: app.id, name: 'After', status: 'active' });
      const get = await t.http.get(`/api/v1/apps/${app.id}`).auth(acmeReader, { type: 'bearer' }).expect(200);
      expect(get.body.name).toBe('After');
    });

    it.each([[{}], [{ name: '' }], [{ name: null }], [{ status: 'archived' }], [{ name: 'x', api_key_hash: 'f'.repeat(64) }]])(
      'refuses PATCH %j with 400 and changes nothing',
      async (body) => {
        const app = await createApp(t, acme, 'Stable');
        await t.http.patch(`/api/v1/apps/${app.id}`).auth(acme.adminKey, BEARER).send(body).expect(400);
        const get = await t.http.get(`/api/v1/apps/${app.id}`).auth(acme.adminKey, BEARER).expect(200);
        expect(get.body).toMatchObject({ name: 'Stable', status: 'active' });
        expect(await apps.authenticateAppKey(app.apiKey)).not.toBeNull();
      },
    );

    it('answers 404 for an unknown app and 400 for a malformed id', async () => {
      await t.http.get('/api/v1/apps/00000000-0000-4000-8000-000000000000').auth(acme.adminKey, BEARER).expect(404);
      await t.http.get('/api/v1/apps/not-a-uuid').auth(acme.adminKey, BEARER).expect(400);
      await t.http.post('/api/v1/apps/not-a-uuid/archive').auth(acme.adminKey, BEARER).expect(400);
    });
  });

  describe('POST /api/v1/apps/:id/archive', () => {
    it('archives idempotently and stops the credentials at once', async () => {
      const app = await createApp(t, acme);
      const first = await t.http.post(`/api/v1/apps/${app.id}/archive`).auth(acme.adminKey, BEARER).expect(200);
      expect(first.body).toMatchObject({ id: app.id, status: 'archived', archived_at: t.clock.now().toISOString() });
      t.clock.advance(MINUTE);
      const again = await t.http.post(`/api/v1/apps/${app.id}/archive`).auth(acme.adminKey, BEARER).expect(200);
      expect(again.body.archived_at).toBe(first.body.archived_at);

      expect(await apps.authenticateAppKey(app.apiKey)).toBeNull();
      expect(await apps.verifyServerSecret(app.id, app.serverSecret)).toBe(false);
      const rotate = await t.http.post(`/api/v1/apps/${app.id}/rotate-credentials`).auth(acme.adminKey, BEARER).send({}).expect(409);
      expect(rotate.body.code).toBe('app_archived');
      expect(await apps.getAppRef(acme.id, app.id)).toEqual({ id: app.id, tenantId: acme.id, status: 'archived' });
    });
  });

  describe('POST /api/v1/apps/:id/rotate-credentials', () => {
    it('without a grace period: new credentials once, the old ones refused at once', async () => {
      const app = await createApp(t, acme);
      const res = await t.http.post(`/api/v1/apps/${app.id}/rotate-credentials`).auth(acme.adminKey, BEARER).send({}).expect(200);
      expect(res.body).toMatchObject({ id: app.id, previous_credentials_expire_at: null });
      expect(res.body.api_key).toMatch(API_KEY);
      expect(res.body.server_secret).toMatch(SERVER_SECRET);
      expect(res.body.api_key).not.toBe(app.apiKey);
      expect(res.body.server_secret).not.toBe(app.serverSecret);
      expect(res.body.api_key_prefix).toBe(API_KEY.exec(res.body.api_key)![1]);

      expect(await apps.authenticateAppKey(app.apiKey)).toBeNull();
      expect(await apps.verifyServerSecret(app.id, app.serverSecret)).toBe(false);
      expect(await apps.authenticateAppKey(res.body.api_key)).toEqual({ appId: app.id, tenantId: acme.id });
      expect(await apps.verifyServerSecret(app.id, res.body.server_secret)).toBe(true);

      const get = await t.http.get(`/api/v1/apps/${app.id}`).auth(acme.adminKey, BEARER).expect(200);
      expect(get.text).not.toContain(res.body.server_secret);
      expect(get.text).not.toContain(res.body.api_key);
    });

    it('with a 30-minute grace period the old pair works until the clock passes it', async () => {
      const app = await createApp(t, acme);
      const res = await t.http
        .post(`/api/v1/apps/${app.id}/rotate-credentials`)
        .auth(acme.adminKey, BEARER)
        .send({ grace_period_minutes: 30 })
        .expect(200);
      const graceEnd = new Date(t.clock.now().getTime() + 30 * MINUTE).toISOString();
      expect(res.body.previous_credentials_expire_at).toBe(graceEnd);

      for (const key of [app.apiKey, res.body.api_key]) expect(await apps.authenticateAppKey(key)).toEqual({ appId: app.id, tenantId: acme.id });
      for (const secret of [app.serverSecret, res.body.server_secret]) expect(await apps.verifyServerSecret(app.id, secret)).toBe(true);

      t.clock.advance(30 * MINUTE - 1);
      expect(await apps.authenticateAppKey(app.apiKey)).not.toBeNull();
      expect(await apps.verifyServerSecret(app.id, app.serverSecret)).toBe(true);

      t.clock.advance(1);
      expect(await apps.authenticateAppKey(app.apiKey)).toBeNull();
      expect(await apps.verifyServerSecret(app.id, app.serverSecret)).toBe(false);
      expect(await apps.authenticateAppKey(res.body.api_key)).not.toBeNull();
      expect(await apps.verifyServerSecret(app.id, res.body.server_secret)).toBe(true);
      const get = await t.http.get(`/api/v1/apps/${app.id}`).auth(acme.adminKey, BEARER).expect(200);
      expect(get.body.previous_credentials_expire_at).toBeNull();
    });

    it('a second rotation keeps only the pair it replaced', async () => {
      const app = await createApp(t, acme);
      const second = await t.http.post(`/api/v1/apps/${app.id}/rotate-credentials`).auth(acme.adminKey, BEARER).send({ grace_period_minutes: 60 }).expect(200);
      const third = await t.http.post(`/api/v1/apps/${app.id}/rotate-credentials`).auth(acme.adminKey, BEARER).send({ grace_period_minutes: 60 }).expect(200);
      expect(await apps.authenticateAppKey(app.apiKey)).toBeNull();
      expect(await apps.authenticateAppKey(second.body.api_key)).not.toBeNull();
      expect(await apps.authenticateAppKey(third.body.api_key)).not.toBeNull();
      expect(await apps.verifyServerSecret(app.id, app.serverSecret)).toBe(false);
    });

    it.each([[{ grace_period_minutes: -1 }], [{ grace_period_minutes: 10_081 }], [{ grace_period_minutes: 1.5 }], [{ grace_period_minutes: '30' }], [{ grace: 30 }]])(
      'refuses %j with 400 and keeps the credentials',
      async (body) => {
        const app = await createApp(t, acme);
        await t.http.post(`/api/v1/apps/${app.id}/rotate-credentials`).auth(acme.adminKey, BEARER).send(body).expect(400);
        expect(await apps.authenticateAppKey(app.apiKey)).not.toBeNull();
      },
    );

    it('accepts the longest grace period, a week', async () => {
      const app = await createApp(t, acme);
      const res = await t.http.post(`/api/v1/apps/${app.id}/rotate-credentials`).auth(acme.adminKey, BEARER).send({ grace_period_minutes: 10_080 }).expect(200);
      expect(res.body.previous_credentials_expire_at).toBe(new Date(t.clock.now().getTime() + 10_080 * MINUTE).toISOString());
    });
  });

  describe('AppsService for other modules', () => {
    it('refuses malformed, unknown and tampered keys and secrets', async () => {
      const app = await createApp(t, acme);
      const [, prefix] = API_KEY.exec(app.apiKey)!;
      for (const key of ['', 'garbage', `rk_${prefix}_${'A'.repeat(32)}`, app.apiKey.slice(0, -1), `${app.apiKey}x`, app.apiKey.replace('rk_', 'dlk_')]) {
        expect(await apps.authenticateAppKey(key)).toBeNull();
      }
      for (const secret of ['', 'rss_short', `rss_${'A'.repeat(40)}`, app.apiKey]) {
        expect(await apps.verifyServerSecret(app.id, secret)).toBe(false);
      }
      const other = await createApp(t, acme);
      expect(await apps.verifyServerSecret(other.id, app.serverSecret)).toBe(false);
      expect(await apps.verifyServerSecret('not-a-uuid', app.serverSecret)).toBe(false);
    });

    it('getAppRef answers 404 for another tenant\'s app, as for none', async () => {
      const app = await createApp(t, globex);
      expect(await apps.getAppRef(globex.id, app.id)).toEqual({ id: app.id, tenantId: globex.id, status: 'active' });
      await expect(apps.getAppRef(acme.id, app.id)).rejects.toMatchObject({ status: 404, code: 'not_found' });
      await expect(apps.getAppRef(acme.id, '00000000-0000-4000-8000-000000000000')).rejects.toMatchObject({ status: 404 });
    });
  });

  describe('authentication and scopes', () => {
    it.each([
      ['post', '/api/v1/apps'],
      ['get', '/api/v1/apps'],
      ['get', '/api/v1/apps/00000000-0000-4000-8000-000000000000'],
      ['patch', '/api/v1/apps/00000000-0000-4000-8000-000000000000'],
      ['post', '/api/v1/apps/00000000-0000-4000-8000-000000000000/archive'],
      ['post', '/api/v1/apps/00000000-0000-4000-8000-000000000000/rotate-credentials'],
    ] as const)('%s %s without a key -> 401', async (method, path) => {
      const res = await t.http[method](path).send({ name: 'x' }).expect(401);
      expect(res.body.code).toBe('unauthorized');
    });

    it('a read key lists and gets but cannot create, rename, archive or rotate', async () => {
      const app = await createApp(t, acme);
      await t.http.get('/api/v1/apps').auth(acmeReader, BEARER).expect(200);
      await t.http.get(`/api/v1/apps/${app.id}`).auth(acmeReader, BEARER).expect(200);
      const before = await countApps();
      for (const res of [
        await t.http.post('/api/v1/apps').auth(acmeReader, BEARER).send({ name: 'x' }),
        await t.http.patch(`/api/v1/apps/${app.id}`).auth(acmeReader, BEARER).send({ name: 'x' }),
        await t.http.post(`/api/v1/apps/${app.id}/archive`).auth(acmeReader, BEARER),
        await t.http.post(`/api/v1/apps/${app.id}/rotate-credentials`).auth(acmeReader, BEARER).send({}),
      ]) {
        expect(res.status).toBe(403);
        expect(res.body.code).toBe('insufficient_scope');
      }
      expect(await countApps()).toBe(before);
      expect(await apps.authenticateAppKey(app.apiKey)).not.toBeNull();
      const get = await t.http.get(`/api/v1/apps/${app.id}`).auth(acmeReader, BEARER).expect(200);
      expect(get.body).toMatchObject({ name: app.name, status: 'active' });
    });
  });

  describe('tenant isolation', () => {
    it('another tenant gets 404 on every route of an app and never sees it listed', async () => {
      const app = await createApp(t, acme, 'Acme private');
      const key = globex.adminKey;
      await t.http.get(`/api/v1/apps/${app.id}`).auth(key, BEARER).expect(404);
      await t.http.patch(`/api/v1/apps/${app.id}`).auth(key, BEARER).send({ name: 'Hijacked' }).expect(404);
      await t.http.post(`/api/v1/apps/${app.id}/archive`).auth(key, BEARER).expect(404);
      await t.http.post(`/api/v1/apps/${app.id}/rotate-credentials`).auth(key, BEARER).send({}).expect(404);
      const list = await t.http.get('/api/v1/apps?limit=100').auth(key, BEARER).expect(200);
      expect(list.body.data.map((a: { id: string }) => a.id)).not.toContain(app.id);
      expect(list.text).not.toContain('Acme private');

      const get = await t.http.get(`/api/v1/apps/${app.id}`).auth(acme.adminKey, BEARER).expect(200);
      expect(get.body).toMatchObject({ name: 'Acme private', status: 'active', previous_credentials_expire_at: null });
      expect(await apps.authenticateAppKey(app.apiKey)).toEqual({ appId: app.id, tenantId: acme.id });
    });
  });

  describe('Swagger', () => {
    it('documents every app operation: summary, auth, responses, body examples', async () => {
      const doc = (await t.http.get('/docs-json').expect(200)).body;
      const operations: [string, string, string[]][] = [
        ['/api/v1/apps', 'post', ['201', '400']],
        ['/api/v1/apps', 'get', ['200', '400']],
        ['/api/v1/apps/{id}', 'get', ['200', '400', '404']],
        ['/api/v1/apps/{id}', 'patch', ['200', '400', '404']],
        ['/api/v1/apps/{id}/archive', 'post', ['200', '400', '404']],
        ['/api/v1/apps/{id}/rotate-credentials', 'post', ['200', '400', '404', '409']],
      ];
      for (const [path, method, codes] of operations) {
        const op = doc.paths[path]?.[method];
        expect({ path, method, summary: typeof op?.summary }).toEqual({ path, method, summary: 'string' });
        expect(op.security).toEqual(expect.arrayContaining([{ 'tenant-api-key': [] }]));
        expect(Object.keys(op.responses)).toEqual(expect.arrayContaining(['401', '403', ...codes]));
        if (op.requestBody) expect(Object.keys(op.requestBody.content['application/json'].examples ?? {})).not.toHaveLength(0);
      }
    });
  });
});
