import type { TestApp } from '../support/test-app';
import type { TenantFixture } from './tenants';

export interface AppFixture {
  id: string;
  name: string;
  apiKey: string;
  serverSecret: string;
}

export async function createApp(t: TestApp, tenant: TenantFixture, name = `App ${Math.random().toString(36).slice(2, 8)}`): Promise<AppFixture> {
  const res = await t.http.post('/api/v1/apps').auth(tenant.adminKey, { type: 'bearer' }).send({ name }).expect(201);
  return { id: res.body.id, name, apiKey: res.body.api_key, serverSecret: res.body.server_secret };
}

export async function createCampaign(
  t: TestApp,
  tenant: TenantFixture,
  appId: string,
  fields: Record<string, unknown> = {},
): Promise<{ id: string } & Record<string, unknown>> {
  const res = await t.http
    .post('/api/v1/campaigns')
    .auth(tenant.adminKey, { type: 'bearer' })
    .send({ app_id: appId, name: 'Campaign', ...fields })
    .expect(201);
  return res.body;
}

export async function createReferralLink(
  t: TestApp,
  tenant: TenantFixture,
  appId: string,
  fields: Record<string, unknown> = {},
): Promise<{ id: string; code: string } & Record<string, unknown>> {
  const res = await t.http
    .post('/api/v1/referral-links')
    .auth(tenant.adminKey, { type: 'bearer' })
    .send({ app_id: appId, creator_fid: 3621, destination_url: 'https://quests.example/miniapp', ...fields })
    .expect(201);
  return res.body;
}
