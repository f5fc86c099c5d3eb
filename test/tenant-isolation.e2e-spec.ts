/*
 * Tenant isolation matrix: every management endpoint of the foundation and of builders/links, called
 * on tenant A's resources by another tenant's API key and by another user's session. Each answers
 * 404 exactly as for a resource that does not exist (422 for references in a body), lists never show
 * A's rows, and afterwards A's resources read exactly as before.
 */
import { FARCASTER_CONNECTOR } from '@refos/identity';
import { AppsService } from '@refos/apps';
import type { Test } from 'supertest';
import { createApp, createCampaign, createReferralLink } from './factories/apps';
import { FakeFarcasterRegistry, signIn } from './factories/sessions';
import { createApiKey, createTenant, TenantFixture } from './factories/tenants';
import { createTestApp, TestApp } from './support/test-app';

const BASE = 'https://app.refos.test';

type Call = { method: 'get' | 'post' | 'patch' | 'delete'; path: string; body?: object };

describe('tenant isolation', () => {
  let t: TestApp;
  let owner: TenantFixture;
  let ids: { key: string; app: string; appKey: string; campaign: string; link: string; code: string };
  const intruders: { name: string; as: (req: Test) => Test }[] = [];

  const asOwner = (req: Test) => req.auth(owner.adminKey, { type: 'bearer' });
  const send = (call: Call, as: (req: Test) => Test) => {
    const req = as(t.http[call.method](call.path));
    return call.body ? req.send(call.body) : req;
  };
  /** What the owner reads of every resource, to prove nothing changed. */
  const snapshot = async () =>
    Promise.all(
      [`/api/v1/api-keys/${ids.key}`, `/api/v1/apps/${ids.app}`, `/api/v1/campaigns/${ids.campaign}`, `/api/v1/referral-links/${ids.link}`, '/api/v1/tenants/current'].map(
        async (path) => (await asOwner(t.http.get(path)).expect(200)).body,
      ),
    );

  beforeAll(async () => {
    const registry = new FakeFarcasterRegistry();
    t = await createTestApp({ PUBLIC_BASE_URL: BASE, THROTTLE_LIMIT: '100000' }, undefined, [{ provide: FARCASTER_CONNECTOR, useValue: registry.connector }]);
    t.clock.set(new Date());
    owner = await createTenant(t, 'Owner');
    const key = await createApiKey(t, owner, ['read'], 'owner reader');
    const app = await createApp(t, owner, 'Owner app');
    const campaign = await createCampaign(t, owner, app.id);
    const link = await createReferralLink(t, owner, app.id, { campaign_id: campaign.id });
    ids = { key: key.id, app: app.id, appKey: app.apiKey, campaign: campaign.id, link: link.id, code: link.code };

    const other = await createTenant(t, 'Other tenant');
    const { cookie } = await signIn(t, registry.register());
    intruders.push(
      { name: "another tenant's admin key", as: (req) => req.auth(other.adminKey, { type: 'bearer' }) },
      { name: "another user's session", as: (req) => req.set('Cookie', cookie).set('Origin', BASE) },
      { name: "another user's session naming the owner's tenant", as: (req) => req.set('Cookie', cookie).set('Origin', BASE).set('X-Tenant-Id', owner.id) },
    );
  });
  afterAll(() => t.close());

  const byId = (): Call[] => [
    { method: 'get', path: `/api/v1/api-keys/${ids.key}` },
    { method: 'delete', path: `/api/v1/api-keys/${ids.key}` },
    { method: 'get', path: `/api/v1/apps/${ids.app}` },
    { method: 'patch', path: `/api/v1/apps/${ids.app}`, body: { name: 'Hijacked' } },
    { method: 'post', path: `/api/v1/apps/${ids.app}/rotate-credentials`, body: {} },
    { method: 'post', path: `/api/v1/apps/${ids.app}/archive` },
    { method: 'get', path: `/api/v1/campaigns/${ids.campaign}` },
    { method: 'patch', path: `/api/v1/campaigns/${ids.campaign}`, body: { name: 'Hijacked' } },
    { method: 'post', path: `/api/v1/campaigns/${ids.campaign}/archive` },
    { method: 'get', path: `/api/v1/referral-links/${ids.link}` },
    { method: 'post', path: `/api/v1/referral-links/${ids.link}/disable` },
    { method: 'post', path: `/api/v1/referral-links/${ids.link}/enable` },
  ];

  it('answers 404 to every call on the owner\'s resources, and changes nothing', async () => {
    const before = await snapshot();
    for (const intruder of intruders) {
      for (const call of byId()) {
        const res = await send(call, intruder.as);
        const label = `${intruder.name}: ${call.method.toUpperCase()} ${call.path}`;
        expect({ label, status: res.status }).toEqual({ label, status: 404 });
        expect(JSON.stringify(res.body)).not.toContain(ids.appKey);
      }
    }
    expect(await snapshot()).toEqual(before);
    // Still the owner's working app and link.
    expect(await t.app.get(AppsService).authenticateAppKey(ids.appKey)).toMatchObject({ appId: ids.app, tenantId: owner.id });
    await t.http.get(`/r/${ids.code}`).set('User-Agent', 'Mozilla/5.0 Chrome/126').expect(302);
  });

  it('refuses the owner\'s app and campaign as references in a body (422), creating nothing', async () => {
    for (const intruder of intruders.slice(0, 2)) {
      const campaign = await send({ method: 'post', path: '/api/v1/campaigns', body: { app_id: ids.app, name: 'Sneaky' } }, intruder.as);
      expect(campaign.status).toBe(422);
      const link = await send(
        { method: 'post', path: '/api/v1/referral-links', body: { app_id: ids.app, channel: 'x', destination_url: 'https://evil.example/' } },
        intruder.as,
      );
      expect(link.status).toBe(422);
      const ownApp = await send({ method: 'post', path: '/api/v1/apps', body: { name: 'Own' } }, intruder.as);
      expect(ownApp.status).toBe(201);
      const crossCampaign = await send(
        { method: 'post', path: '/api/v1/referral-links', body: { app_id: ownApp.body.id, campaign_id: ids.campaign, channel: 'x', destination_url: 'https://evil.example/' } },
        intruder.as,
      );
      expect(crossCampaign.status).toBe(422);
    }
    const links = await asOwner(t.http.get(`/api/v1/referral-links?app_id=${ids.app}`)).expect(200);
    expect(links.body.total).toBe(1);
    const campaigns = await asOwner(t.http.get(`/api/v1/campaigns?app_id=${ids.app}`)).expect(200);
    expect(campaigns.body.total).toBe(1);
  });

  it('never lists the owner\'s rows, even when filtering by the owner\'s ids', async () => {
    const lists = [
      '/api/v1/api-keys?limit=100',
      '/api/v1/apps?limit=100',
      '/api/v1/campaigns?limit=100',
      `/api/v1/campaigns?app_id=${ids.app}`,
      '/api/v1/referral-links?limit=100',
      `/api/v1/referral-links?app_id=${ids.app}`,
      `/api/v1/referral-links?campaign_id=${ids.campaign}`,
    ];
    const ownerIds = Object.values(ids);
    for (const intruder of intruders.slice(0, 2)) {
      for (const path of lists) {
        const res = await send({ method: 'get', path }, intruder.as);
        expect({ path, status: res.status }).toEqual({ path, status: 200 });
        const seen = JSON.stringify(res.body.data);
        for (const id of ownerIds) expect(seen).not.toContain(id);
      }
      const current = await send({ method: 'get', path: '/api/v1/tenants/current' }, intruder.as);
      expect(current.body.id).not.toBe(owner.id);
      const whoami = await send({ method: 'get', path: '/api/v1/whoami' }, intruder.as);
      expect(whoami.body.tenant.id).not.toBe(owner.id);
    }
  });

  it('lets a session reach only tenants its user belongs to: the owner\'s tenant answers 404 on every route', async () => {
    const naming = intruders[2];
    for (const path of ['/api/v1/tenants/current', '/api/v1/whoami', '/api/v1/apps', '/api/v1/api-keys']) {
      const res = await send({ method: 'get', path }, naming.as);
      expect({ path, status: res.status }).toEqual({ path, status: 404 });
    }
    const patch = await send({ method: 'patch', path: '/api/v1/tenants/current', body: { name: 'Taken over' } }, naming.as);
    expect(patch.status).toBe(404);
    expect((await asOwner(t.http.get('/api/v1/tenants/current')).expect(200)).body.name).toBe('Owner');
  });
});
