import { DataSource } from 'typeorm';
import { AppFixture, createApp, createCampaign, createReferralLink } from './factories/apps';
import { createApiKey, createTenant, TenantFixture } from './factories/tenants';
import { createTestApp, TestApp } from './support/test-app';

const BEARER = { type: 'bearer' as const };
const NO_SUCH_ID = '00000000-0000-4000-8000-000000000000';
const CAST_HASH = '0x0D8B1A6E2C4F9D3B7A5E8C1F2A4B6D8E0F1A3C5E';

describe('referral links (management)', () => {
  let t: TestApp;
  let acme: TenantFixture;
  let globex: TenantFixture;
  let acmeApp: AppFixture;
  let globexApp: AppFixture;
  let acmeReader: string;

  beforeAll(async () => {
    t = await createTestApp({ PUBLIC_BASE_URL: 'https://refos.example/' });
    acme = await createTenant(t, 'Acme');
    globex = await createTenant(t, 'Globex');
    acmeApp = await createApp(t, acme, 'Acme quests');
    globexApp = await createApp(t, globex, 'Globex quests');
    acmeReader = (await createApiKey(t, acme, ['read'])).key;
  });
  afterAll(() => t.close());

  const countLinks = async () => (await t.app.get(DataSource).query(`SELECT count(*)::int AS n FROM referral_links`))[0].n as number;
  const post = (body: Record<string, unknown>, key = acme.adminKey) => t.http.post('/api/v1/referral-links').auth(key, BEARER).send(body);
  const base = () => ({ app_id: acmeApp.id, creator_fid: 3621, destination_url: 'https://quests.example/miniapp' });

  describe('POST /api/v1/referral-links', () => {
    it('creates a link with every field and its short URL', async () => {
      const campaign = await createCampaign(t, acme, acmeApp.id);
      const res = await post({
        app_id: acmeApp.id,
        campaign_id: campaign.id,
        creator_fid: 3621,
        creator_handle: 'alice.eth',
        channel: 'base',
        cast_hash: CAST_HASH,
        destination_url: 'https://quests.example/miniapp?screen=claim#top',
        code: 'alice-Summer_1',
      }).expect(201);
      expect(res.body).toEqual({
        id: expect.any(String),
        code: 'alice-Summer_1',
        short_url: 'https://refos.example/r/alice-Summer_1',
        app_id: acmeApp.id,
        campaign_id: campaign.id,
        creator_fid: 3621,
        creator_handle: 'alice.eth',
        channel: 'base',
        cast_hash: CAST_HASH.toLowerCase(),
        destination_url: 'https://quests.example/miniapp?screen=claim#top',
        status: 'active',
        created_at: expect.any(String),
        updated_at: expect.any(String),
        disabled_at: null,
      });
      const got = await t.http.get(`/api/v1/referral-links/${res.body.id}`).auth(acmeReader, BEARER).expect(200);
      expect(got.body).toEqual(res.body);
    });

    it('generates an unguessable 10-character base62 code when none is given', async () => {
      const codes = new Set<string>();
      for (let i = 0; i < 5; i++) {
        const res = await post({ app_id: acmeApp.id, channel: 'base', destination_url: 'https://quests.example' }).expect(201);
        expect(res.body.code).toMatch(/^[0-9A-Za-z]{10}$/);
        expect(res.body.short_url).toBe(`https://refos.example/r/${res.body.code}`);
        expect(res.body).toMatchObject({ campaign_id: null, creator_fid: null, creator_handle: null, cast_hash: null });
        codes.add(res.body.code);
      }
      expect(codes.size).toBe(5);
    });

    it('accepts a handle alone, and the largest safe FID', async () => {
      await post({ app_id: acmeApp.id, creator_handle: 'bob', destination_url: 'https://quests.example' }).expect(201);
      const big = await post({ ...base(), creator_fid: Number.MAX_SAFE_INTEGER }).expect(201);
      expect(big.body.creator_fid).toBe(Number.MAX_SAFE_INTEGER);
    });

    it.each([
      ['no creator or channel', { creator_fid: undefined }],
      ['only nulls', { creator_fid: null, creator_handle: null, channel: null }],
      ['http destination', { destination_url: 'http://quests.example' }],
      ['javascript destination', { destination_url: 'javascript:alert(1)' }],
      ['relative destination', { destination_url: '/miniapp' }],
      ['destination with credentials', { destination_url: 'https://user:pw@quests.example' }],
      ['destination over 2048', { destination_url: `https://quests.example/${'a'.repeat(2030)}` }],
      ['destination with a space', { destination_url: 'https://quests.example/a b' }],
      ['no destination', { destination_url: undefined }],
      ['fid 0', { creator_fid: 0 }],
      ['fractional fid', { creator_fid: 1.5 }],
      ['fid as a string', { creator_fid: '3621' }],
      ['unsafe fid', { creator_fid: 2 ** 53 }],
      ['handle with a space', { creator_handle: 'al ice' }],
      ['handle starting with a dot', { creator_handle: '.alice' }],
      ['handle over 64', { creator_handle: 'a'.repeat(65) }],
      ['channel with a slash', { channel: '/base' }],
      ['short cast hash', { cast_hash: '0x1234' }],
      ['cast hash without 0x', { cast_hash: '0d8b1a6e2c4f9d3b7a5e8c1f2a4b6d8e0f1a3c5e' }],
      ['non-hex cast hash', { cast_hash: '0xZZ8b1a6e2c4f9d3b7a5e8c1f2a4b6d8e0f1a3c5e' }],
      ['code of 3', { code: 'abc' }],
      ['code of 65', { code: 'a'.repeat(65) }],
      ['code with a slash', { code: 'abc/def' }],
      ['code with a dot', { code: 'abc.def' }],
      ['malformed app_id', { app_id: 'acme' }],
      ['malformed campaign_id', { campaign_id: 'summer' }],
      ['unknown field', { clicks: 5 }],
      ['status on create', { status: 'disabled' }],
    ])('refuses %s with 400 and creates nothing', async (_case, fields) => {
      const before = await countLinks();
      const res = await post({ ...base(), ...fields }).expect(400);
      expect(res.body.code).toBe('validation_failed');
      expect(await countLinks()).toBe(before);
    });

    it('refuses a campaign of another app with 422 campaign_app_mismatch', async () => {
      const otherApp = await createApp(t, acme);
      const campaign = await createCampaign(t, acme, otherApp.id);
      const res = await post({ ...base(), campaign_id: campaign.id }).expect(422);
      expect(res.body.code).toBe('campaign_app_mismatch');
    });

    it('answers 422 invalid_campaign / invalid_app for references another tenant owns, as for unknown ones', async () => {
      const before = await countLinks();
      const foreignCampaign = await createCampaign(t, globex, globexApp.id);
      const a = await post({ ...base(), campaign_id: foreignCampaign.id }).expect(422);
      const b = await post({ ...base(), campaign_id: NO_SUCH_ID }).expect(422);
      expect([a.body.code, b.body.code]).toEqual(['invalid_campaign', 'invalid_campaign']);
      expect(a.body.message).toBe(b.body.message);

      const c = await post({ ...base(), app_id: globexApp.id }).expect(422);
      const d = await post({ ...base(), app_id: NO_SUCH_ID }).expect(422);
      expect([c.body.code, d.body.code]).toEqual(['invalid_app', 'invalid_app']);
      expect(c.body.message).toBe(d.body.message);
      // The other tenant's own campaign under the caller's app: still unknown to the caller.
      const e = await post({ ...base(), app_id: globexApp.id, campaign_id: foreignCampaign.id }).expect(422);
      expect(e.body.code).toBe('invalid_app');
      expect(await countLinks()).toBe(before);
    });

    it('refuses links on an archived app or campaign with 409', async () => {
      const app = await createApp(t, acme);
      const campaign = await createCampaign(t, acme, app.id);
      await t.http.post(`/api/v1/campaigns/${campaign.id}/archive`).auth(acme.adminKey, BEARER).expect(200);
      expect((await post({ ...base(), app_id: app.id, campaign_id: campaign.id }).expect(409)).body.code).toBe('campaign_archived');
      await t.http.post(`/api/v1/apps/${app.id}/archive`).auth(acme.adminKey, BEARER).expect(200);
      expect((await post({ ...base(), app_id: app.id }).expect(409)).body.code).toBe('app_archived');
    });

    it('answers 409 code_taken for a code in use, in any tenant', async () => {
      await createReferralLink(t, acme, acmeApp.id, { code: 'taken-code' });
      const mine = await post({ ...base(), code: 'taken-code' }).expect(409);
      expect(mine.body.code).toBe('code_taken');
      const theirs = await post({ app_id: globexApp.id, creator_fid: 1, destination_url: 'https://globex.example', code: 'taken-code' }, globex.adminKey).expect(409);
      expect(theirs.body.code).toBe('code_taken');
      // Codes are case-sensitive, like the generated ones.
      await post({ ...base(), code: 'Taken-Code' }).expect(201);
    });

    it('lets exactly one of 10 concurrent requests for the same code win', async () => {
      const before = await countLinks();
      const results = await Promise.all(Array.from({ length: 10 }, (_, i) => post({ ...base(), creator_fid: 100 + i, code: 'race-me' })));
      expect(results.map((r) => r.status).sort()).toEqual([201, ...Array(9).fill(409)]);
      expect(results.filter((r) => r.status === 409).every((r) => r.body.code === 'code_taken')).toBe(true);
      expect(await countLinks()).toBe(before + 1);
    });
  });

  describe('GET /api/v1/referral-links', () => {
    it('filters by app, campaign, status, creator and channel, and pages', async () => {
      const tenant = await createTenant(t, 'Lister');
      const one = await createApp(t, tenant);
      const two = await createApp(t, tenant);
      const campaign = await createCampaign(t, tenant, one.id);
      const a = await createReferralLink(t, tenant, one.id, { campaign_id: campaign.id, creator_fid: 7, channel: 'base' });
      const b = await createReferralLink(t, tenant, one.id, { creator_fid: 8, channel: 'farcaster' });
      const c = await createReferralLink(t, tenant, two.id, { creator_fid: 7 });
      await t.http.post(`/api/v1/referral-links/${b.id}/disable`).auth(tenant.adminKey, BEARER).expect(200);
      const ids = async (query: string) => {
        const res = await t.http.get(`/api/v1/referral-links?${query}`).auth(tenant.adminKey, BEARER).expect(200);
        return res.body.data.map((l: { id: string }) => l.id).sort();
      };
      expect(await ids('')).toEqual([a.id, b.id, c.id].sort());
      expect(await ids(`app_id=${one.id}`)).toEqual([a.id, b.id].sort());
      expect(await ids(`campaign_id=${campaign.id}`)).toEqual([a.id]);
      expect(await ids('status=disabled')).toEqual([b.id]);
      expect(await ids('status=active')).toEqual([a.id, c.id].sort());
      expect(await ids('creator_fid=7')).toEqual([a.id, c.id].sort());
      expect(await ids('channel=base')).toEqual([a.id]);
      expect(await ids(`app_id=${two.id}&creator_fid=7`)).toEqual([c.id]);
      expect(await ids(`app_id=${acmeApp.id}`)).toEqual([]);

      const page = await t.http.get('/api/v1/referral-links?limit=2&offset=0').auth(tenant.adminKey, BEARER).expect(200);
      expect(page.body).toMatchObject({ total: 3, limit: 2, offset: 0 });
      expect(page.body.data).toHaveLength(2);
    });

    it.each(['app_id=x', 'campaign_id=x', 'status=deleted', 'creator_fid=0', 'creator_fid=abc', 'limit=1000', 'code=abc'])(
      'refuses ?%s with 400',
      async (query) => {
        await t.http.get(`/api/v1/referral-links?${query}`).auth(acme.adminKey, BEARER).expect(400);
      },
    );
  });

  describe('disable / enable', () => {
    it('are idempotent and answer the link', async () => {
      const link = await createReferralLink(t, acme, acmeApp.id);
      const action = (what: string) => t.http.post(`/api/v1/referral-links/${link.id}/${what}`).auth(acme.adminKey, BEARER).expect(200);
      const off = await action('disable');
      expect(off.body).toMatchObject({ id: link.id, status: 'disabled', disabled_at: t.clock.now().toISOString() });
      t.clock.advance(60_000);
      expect((await action('disable')).body.disabled_at).toBe(off.body.disabled_at);
      const on = await action('enable');
      expect(on.body).toMatchObject({ status: 'active', disabled_at: null });
      expect((await action('enable')).body).toMatchObject({ status: 'active', disabled_at: null });
    });

    it('answer 404 for an unknown link and 400 for a malformed id', async () => {
      await t.http.post(`/api/v1/referral-links/${NO_SUCH_ID}/disable`).auth(acme.adminKey, BEARER).expect(404);
      await t.http.post(`/api/v1/referral-links/${NO_SUCH_ID}/enable`).auth(acme.adminKey, BEARER).expect(404);
      await t.http.get(`/api/v1/referral-links/${NO_SUCH_ID}`).auth(acme.adminKey, BEARER).expect(404);
      await t.http.get('/api/v1/referral-links/alice-summer').auth(acme.adminKey, BEARER).expect(400);
    });
  });

  describe('authentication and scopes', () => {
    it.each([
      ['post', '/api/v1/referral-links'],
      ['get', '/api/v1/referral-links'],
      ['get', `/api/v1/referral-links/${NO_SUCH_ID}`],
      ['post', `/api/v1/referral-links/${NO_SUCH_ID}/disable`],
      ['post', `/api/v1/referral-links/${NO_SUCH_ID}/enable`],
    ] as const)('%s %s without a key -> 401', async (method, path) => {
      const res = await t.http[method](path).send({}).expect(401);
      expect(res.body.code).toBe('unauthorized');
    });

    it('a read key reads but cannot create, disable or enable', async () => {
      const link = await createReferralLink(t, acme, acmeApp.id);
      await t.http.get('/api/v1/referral-links').auth(acmeReader, BEARER).expect(200);
      await t.http.get(`/api/v1/referral-links/${link.id}`).auth(acmeReader, BEARER).expect(200);
      const before = await countLinks();
      await post(base(), acmeReader).expect(403);
      await t.http.post(`/api/v1/referral-links/${link.id}/disable`).auth(acmeReader, BEARER).expect(403);
      await t.http.post(`/api/v1/referral-links/${link.id}/enable`).auth(acmeReader, BEARER).expect(403);
      expect(await countLinks()).toBe(before);
      const got = await t.http.get(`/api/v1/referral-links/${link.id}`).auth(acmeReader, BEARER).expect(200);
      expect(got.body.status).toBe('active');
    });
  });

  describe('tenant isolation', () => {
    it('another tenant gets 404 on get, disable and enable and never sees the link listed', async () => {
      const link = await createReferralLink(t, acme, acmeApp.id, { code: 'acme-private', channel: 'acme-secret' });
      await t.http.get(`/api/v1/referral-links/${link.id}`).auth(globex.adminKey, BEARER).expect(404);
      await t.http.post(`/api/v1/referral-links/${link.id}/disable`).auth(globex.adminKey, BEARER).expect(404);
      await t.http.post(`/api/v1/referral-links/${link.id}/enable`).auth(globex.adminKey, BEARER).expect(404);
      for (const query of ['limit=100', `app_id=${acmeApp.id}`, 'channel=acme-secret', 'creator_fid=3621']) {
        const list = await t.http.get(`/api/v1/referral-links?${query}`).auth(globex.adminKey, BEARER).expect(200);
        expect(list.body.data.map((l: { id: string }) => l.id)).not.toContain(link.id);
        expect(list.text).not.toContain('acme-private');
      }
      const got = await t.http.get(`/api/v1/referral-links/${link.id}`).auth(acme.adminKey, BEARER).expect(200);
      expect(got.body).toEqual(link);
    });
  });

  describe('Swagger', () => {
    it('documents every referral link operation: summary, auth, responses, body examples', async () => {
      const doc = (await t.http.get('/docs-json').expect(200)).body;
      const operations: [string, string, string[]][] = [
        ['/api/v1/referral-links', 'post', ['201', '400', '409', '422']],
        ['/api/v1/referral-links', 'get', ['200', '400']],
        ['/api/v1/referral-links/{id}', 'get', ['200', '400', '404']],
        ['/api/v1/referral-links/{id}/disable', 'post', ['200', '400', '404']],
        ['/api/v1/referral-links/{id}/enable', 'post', ['200', '400', '404']],
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
