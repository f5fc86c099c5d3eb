import { CampaignsService } from '@refos/apps';
import { DataSource } from 'typeorm';
import { AppFixture, createApp, createCampaign } from './factories/apps';
import { createApiKey, createTenant, TenantFixture } from './factories/tenants';
import { createTestApp, TestApp } from './support/test-app';

const BEARER = { type: 'bearer' as const };
const NO_SUCH_ID = '00000000-0000-4000-8000-000000000000';

describe('campaigns', () => {
  let t: TestApp;
  let acme: TenantFixture;
  let globex: TenantFixture;
  let acmeApp: AppFixture;
  let globexApp: AppFixture;
  let acmeReader: string;

  beforeAll(async () => {
    t = await createTestApp();
    acme = await createTenant(t, 'Acme');
    globex = await createTenant(t, 'Globex');
    acmeApp = await createApp(t, acme, 'Acme quests');
    globexApp = await createApp(t, globex, 'Globex quests');
    acmeReader = (await createApiKey(t, acme, ['read'])).key;
  });
  afterAll(() => t.close());

  const countCampaigns = async () => (await t.app.get(DataSource).query(`SELECT count(*)::int AS n FROM campaigns`))[0].n as number;
  const post = (body: Record<string, unknown>, key = acme.adminKey) => t.http.post('/api/v1/campaigns').auth(key, BEARER).send(body);

  describe('POST /api/v1/campaigns', () => {
    it('creates a minimal campaign with the documented defaults', async () => {
      const res = await post({ app_id: acmeApp.id, name: 'Summer' }).expect(201);
      expect(res.body).toEqual({
        id: expect.any(String),
        app_id: acmeApp.id,
        name: 'Summer',
        status: 'active',
        starts_at: null,
        ends_at: null,
        payout_amount: null,
        payout_currency: 'USDC',
        payout_event: 'any_completed',
        created_at: expect.any(String),
        updated_at: expect.any(String),
        archived_at: null,
      });
    });

    it('keeps payout amounts as decimal strings, never floats', async () => {
      const res = await post({
        app_id: acmeApp.id,
        name: 'Paid',
        status: 'draft',
        starts_at: '2026-12-01T00:00:00Z',
        ends_at: '2027-01-01T00:00:00.000Z',
        payout_amount: '2.5',
        payout_currency: 'USD',
        payout_event: 'payment_completed',
      }).expect(201);
      expect(res.body).toMatchObject({
        status: 'draft',
        starts_at: '2026-12-01T00:00:00.000Z',
        ends_at: '2027-01-01T00:00:00.000Z',
        payout_amount: '2.50',
        payout_currency: 'USD',
        payout_event: 'payment_completed',
      });
      const [row] = await t.app.get(DataSource).query(`SELECT payout_amount::text AS amount FROM campaigns WHERE id = $1`, [res.body.id]);
      expect(row.amount).toBe('2.500000');

      const tiny = await post({ app_id: acmeApp.id, name: 'Tiny', payout_amount: '0.000001' }).expect(201);
      expect(tiny.body.payout_amount).toBe('0.000001');
      const big = await post({ app_id: acmeApp.id, name: 'Big', payout_amount: '99999999999999.999999' }).expect(201);
      expect(big.body.payout_amount).toBe('99999999999999.999999');
      const got = await t.http.get(`/api/v1/campaigns/${big.body.id}`).auth(acme.adminKey, BEARER).expect(200);
      expect(got.body.payout_amount).toBe('99999999999999.999999');
    });

    it.each([
      [{ app_id: undefined }],
      [{ app_id: 'not-a-uuid', name: 'x' }],
      [{ name: '' }],
      [{ name: 'x'.repeat(121) }],
      [{ status: 'archived' }],
      [{ status: 'live' }],
      [{ payout_amount: 2.5 }],
      [{ payout_amount: '-1' }],
      [{ payout_amount: '1.1234567' }],
      [{ payout_amount: '1e3' }],
      [{ payout_amount: '123456789012345' }],
      [{ payout_currency: 'usdc' }],
      [{ payout_currency: 'US' }],
      [{ payout_currency: 'ABCDEFGHIJK' }],
      [{ payout_event: 'per_click' }],
      [{ starts_at: 'tomorrow' }],
      [{ ends_at: '2027-13-01T00:00:00Z' }],
      [{ budget: '100' }],
    ])('refuses %j with 400 and creates nothing', async (fields) => {
      const before = await countCampaigns();
      const res = await post({ app_id: acmeApp.id, name: 'Bad', ...fields }).expect(400);
      expect(res.body.code).toBe('validation_failed');
      expect(await countCampaigns()).toBe(before);
    });

    it('refuses ends_at not after starts_at with 422 invalid_schedule', async () => {
      const before = await countCampaigns();
      for (const ends_at of ['2026-12-01T00:00:00Z', '2026-11-30T00:00:00Z']) {
        const res = await post({ app_id: acmeApp.id, name: 'Backwards', starts_at: '2026-12-01T00:00:00Z', ends_at }).expect(422);
        expect(res.body.code).toBe('invalid_schedule');
      }
      expect(await countCampaigns()).toBe(before);
    });

    it('answers 422 invalid_app for an unknown app or another tenant\'s, alike', async () => {
      const before = await countCampaigns();
      const foreign = await post({ app_id: globexApp.id, name: 'Poach' }).expect(422);
      const unknown = await post({ app_id: NO_SUCH_ID, name: 'Ghost' }).expect(422);
      expect(foreign.body.code).toBe('invalid_app');
      expect(unknown.body.code).toBe('invalid_app');
      expect(foreign.body.message).toBe(unknown.body.message);
      expect(await countCampaigns()).toBe(before);
    });

    it('refuses new campaigns on an archived app with 409 app_archived', async () => {
      const app = await createApp(t, acme);
      await t.http.post(`/api/v1/apps/${app.id}/archive`).auth(acme.adminKey, BEARER).expect(200);
      const res = await post({ app_id: app.id, name: 'Too late' }).expect(409);
      expect(res.body.code).toBe('app_archived');
    });
  });

  describe('GET /api/v1/campaigns', () => {
    it('lists the tenant\'s campaigns, filtered by app and status, with paging', async () => {
      const tenant = await createTenant(t, 'Lister');
      const one = await createApp(t, tenant);
      const two = await createApp(t, tenant);
      const a = await createCampaign(t, tenant, one.id, { status: 'draft' });
      const b = await createCampaign(t, tenant, one.id);
      const c = await createCampaign(t, tenant, two.id);
      const list = (query: string) => t.http.get(`/api/v1/campaigns?${query}`).auth(tenant.adminKey, BEARER).expect(200);
      const ids = (res: { body: { data: { id: string }[] } }) => res.body.data.map((x) => x.id).sort();

      const all = await list('');
      expect(all.body).toMatchObject({ total: 3, limit: 50, offset: 0 });
      expect(ids(all)).toEqual([a.id, b.id, c.id].sort());
      expect(ids(await list(`app_id=${one.id}`))).toEqual([a.id, b.id].sort());
      expect(ids(await list('status=draft'))).toEqual([a.id]);
      expect(ids(await list(`app_id=${one.id}&status=active`))).toEqual([b.id]);
      expect((await list(`app_id=${acmeApp.id}`)).body.total).toBe(0);
      const page = await list('limit=2&offset=1');
      expect(page.body).toMatchObject({ total: 3, limit: 2, offset: 1 });
      expect(page.body.data).toHaveLength(2);
    });

    it.each(['app_id=nope', 'status=deleted', 'limit=101'])('refuses ?%s with 400', async (query) => {
      await t.http.get(`/api/v1/campaigns?${query}`).auth(acme.adminKey, BEARER).expect(400);
    });
  });

  describe('GET/PATCH /api/v1/campaigns/:id', () => {
    it('updates only the given fields, and null clears dates and the amount', async () => {
      const campaign = await createCampaign(t, acme, acmeApp.id, { starts_at: '2026-12-01T00:00:00Z', payout_amount: '1.00' });
      const patch = (body: Record<string, unknown>) => t.http.patch(`/api/v1/campaigns/${campaign.id}`).auth(acme.adminKey, BEARER).send(body);

      const paused = await patch({ status: 'paused', name: 'Renamed' }).expect(200);
      expect(paused.body).toMatchObject({ status: 'paused', name: 'Renamed', starts_at: '2026-12-01T00:00:00.000Z', payout_amount: '1.00' });

      const terms = await patch({ payout_amount: '3', payout_currency: 'DEGEN', payout_event: 'swap_completed', ends_at: '2027-02-01T00:00:00Z' }).expect(200);
      expect(terms.body).toMatchObject({ payout_amount: '3.00', payout_currency: 'DEGEN', payout_event: 'swap_completed', ends_at: '2027-02-01T00:00:00.000Z' });

      const cleared = await patch({ starts_at: null, ends_at: null, payout_amount: null }).expect(200);
      expect(cleared.body).toMatchObject({ starts_at: null, ends_at: null, payout_amount: null, name: 'Renamed', status: 'paused' });

      const got = await t.http.get(`/api/v1/campaigns/${campaign.id}`).auth(acmeReader, BEARER).expect(200);
      expect(got.body).toEqual(cleared.body);
    });

    it('checks the schedule against the stored dates (422) and changes nothing', async () => {
      const campaign = await createCampaign(t, acme, acmeApp.id, { starts_at: '2026-12-01T00:00:00Z', ends_at: '2027-01-01T00:00:00Z' });
      const patch = (body: Record<string, unknown>) => t.http.patch(`/api/v1/campaigns/${campaign.id}`).auth(acme.adminKey, BEARER).send(body);
      expect((await patch({ ends_at: '2026-11-01T00:00:00Z', name: 'Nope' }).expect(422)).body.code).toBe('invalid_schedule');
      expect((await patch({ starts_at: '2027-01-01T00:00:00Z' }).expect(422)).body.code).toBe('invalid_schedule');
      const got = await t.http.get(`/api/v1/campaigns/${campaign.id}`).auth(acme.adminKey, BEARER).expect(200);
      expect(got.body).toMatchObject({ name: 'Campaign', starts_at: '2026-12-01T00:00:00.000Z', ends_at: '2027-01-01T00:00:00.000Z' });
    });

    it.each([
      [{ name: null }],
      [{ status: null }],
      [{ status: 'archived' }],
      [{ payout_currency: null }],
      [{ payout_event: null }],
      [{ payout_amount: 1 }],
      [{ app_id: NO_SUCH_ID }],
    ])('refuses PATCH %j with 400 and changes nothing', async (body) => {
      const campaign = await createCampaign(t, acme, acmeApp.id, { payout_amount: '1.00' });
      await t.http.patch(`/api/v1/campaigns/${campaign.id}`).auth(acme.adminKey, BEARER).send(body).expect(400);
      const got = await t.http.get(`/api/v1/campaigns/${campaign.id}`).auth(acme.adminKey, BEARER).expect(200);
      expect(got.body).toEqual(campaign);
    });

    it('answers 404 for an unknown campaign and 400 for a malformed id', async () => {
      await t.http.get(`/api/v1/campaigns/${NO_SUCH_ID}`).auth(acme.adminKey, BEARER).expect(404);
      await t.http.patch(`/api/v1/campaigns/${NO_SUCH_ID}`).auth(acme.adminKey, BEARER).send({ name: 'x' }).expect(404);
      await t.http.get('/api/v1/campaigns/123').auth(acme.adminKey, BEARER).expect(400);
    });
  });

  describe('POST /api/v1/campaigns/:id/archive', () => {
    it('archives idempotently; an archived campaign cannot be changed (409)', async () => {
      const campaign = await createCampaign(t, acme, acmeApp.id);
      const first = await t.http.post(`/api/v1/campaigns/${campaign.id}/archive`).auth(acme.adminKey, BEARER).expect(200);
      expect(first.body).toMatchObject({ status: 'archived', archived_at: t.clock.now().toISOString() });
      t.clock.advance(60_000);
      const again = await t.http.post(`/api/v1/campaigns/${campaign.id}/archive`).auth(acme.adminKey, BEARER).expect(200);
      expect(again.body.archived_at).toBe(first.body.archived_at);

      const res = await t.http.patch(`/api/v1/campaigns/${campaign.id}`).auth(acme.adminKey, BEARER).send({ status: 'active' }).expect(409);
      expect(res.body.code).toBe('campaign_archived');
      await t.http.post(`/api/v1/campaigns/${NO_SUCH_ID}/archive`).auth(acme.adminKey, BEARER).expect(404);
    });
  });

  describe('CampaignsService.getCampaignRef', () => {
    it('answers the campaign\'s app and status, and 404 for another tenant\'s campaign', async () => {
      const campaigns = t.app.get(CampaignsService);
      const campaign = await createCampaign(t, globex, globexApp.id, { status: 'paused' });
      expect(await campaigns.getCampaignRef(globex.id, campaign.id)).toEqual({ id: campaign.id, appId: globexApp.id, status: 'paused' });
      await expect(campaigns.getCampaignRef(acme.id, campaign.id)).rejects.toMatchObject({ status: 404, code: 'not_found' });
    });
  });

  describe('authentication and scopes', () => {
    it.each([
      ['post', '/api/v1/campaigns'],
      ['get', '/api/v1/campaigns'],
      ['get', `/api/v1/campaigns/${NO_SUCH_ID}`],
      ['patch', `/api/v1/campaigns/${NO_SUCH_ID}`],
      ['post', `/api/v1/campaigns/${NO_SUCH_ID}/archive`],
    ] as const)('%s %s without a key -> 401', async (method, path) => {
      const res = await t.http[method](path).send({}).expect(401);
      expect(res.body.code).toBe('unauthorized');
    });

    it('a read key reads but cannot create, update or archive', async () => {
      const campaign = await createCampaign(t, acme, acmeApp.id);
      await t.http.get('/api/v1/campaigns').auth(acmeReader, BEARER).expect(200);
      await t.http.get(`/api/v1/campaigns/${campaign.id}`).auth(acmeReader, BEARER).expect(200);
      const before = await countCampaigns();
      await post({ app_id: acmeApp.id, name: 'x' }, acmeReader).expect(403);
      await t.http.patch(`/api/v1/campaigns/${campaign.id}`).auth(acmeReader, BEARER).send({ name: 'x' }).expect(403);
      await t.http.post(`/api/v1/campaigns/${campaign.id}/archive`).auth(acmeReader, BEARER).expect(403);
      expect(await countCampaigns()).toBe(before);
      const got = await t.http.get(`/api/v1/campaigns/${campaign.id}`).auth(acmeReader, BEARER).expect(200);
      expect(got.body).toEqual(campaign);
    });
  });

  describe('tenant isolation', () => {
    it('another tenant gets 404 on get, patch and archive and never sees the campaign listed', async () => {
      const campaign = await createCampaign(t, acme, acmeApp.id, { name: 'Acme secret plan' });
      await t.http.get(`/api/v1/campaigns/${campaign.id}`).auth(globex.adminKey, BEARER).expect(404);
      await t.http.patch(`/api/v1/campaigns/${campaign.id}`).auth(globex.adminKey, BEARER).send({ name: 'Hijacked' }).expect(404);
      await t.http.post(`/api/v1/campaigns/${campaign.id}/archive`).auth(globex.adminKey, BEARER).expect(404);
      for (const query of ['limit=100', `app_id=${acmeApp.id}`]) {
        const list = await t.http.get(`/api/v1/campaigns?${query}`).auth(globex.adminKey, BEARER).expect(200);
        expect(list.body.data.map((c: { id: string }) => c.id)).not.toContain(campaign.id);
        expect(list.text).not.toContain('Acme secret plan');
      }
      const got = await t.http.get(`/api/v1/campaigns/${campaign.id}`).auth(acme.adminKey, BEARER).expect(200);
      expect(got.body).toEqual(campaign);
    });
  });

  describe('Swagger', () => {
    it('documents every campaign operation: summary, auth, responses, body examples', async () => {
      const doc = (await t.http.get('/docs-json').expect(200)).body;
      const operations: [string, string, string[]][] = [
        ['/api/v1/campaigns', 'post', ['201', '400', '409', '422']],
        ['/api/v1/campaigns', 'get', ['200', '400']],
        ['/api/v1/campaigns/{id}', 'get', ['200', '400', '404']],
        ['/api/v1/campaigns/{id}', 'patch', ['200', '400', '404', '409', '422']],
        ['/api/v1/campaigns/{id}/archive', 'post', ['200', '400', '404']],
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
