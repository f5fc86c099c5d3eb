import type { TestApp } from '../support/test-app';

export interface TenantFixture {
  id: string;
  name: string;
  adminKey: string;
  adminKeyId: string;
}

export async function createTenant(t: TestApp, name = `Tenant ${Math.random().toString(36).slice(2, 8)}`): Promise<TenantFixture> {
  const res = await t.http.post('/api/v1/tenants').auth(t.operatorToken, { type: 'bearer' }).send({ name }).expect(201);
  return { id: res.body.tenant.id, name, adminKey: res.body.api_key.key, adminKeyId: res.body.api_key.id };
}

export async function createApiKey(t: TestApp, tenant: TenantFixture, scopes: string[], name = 'test key'): Promise<{ id: string; key: string }> {
  const res = await t.http.post('/api/v1/api-keys').auth(tenant.adminKey, { type: 'bearer' }).send({ name, scopes }).expect(201);
  return { id: res.body.id, key: res.body.key };
}
