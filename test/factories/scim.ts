import type { Test } from 'supertest';
import type { TestApp } from '../support/test-app';
import { createApiKey, TenantFixture } from './tenants';

export const USER_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:User';
export const GROUP_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:Group';
export const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
export const LIST_RESPONSE = 'urn:ietf:params:scim:api:messages:2.0:ListResponse';
export const ERROR_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:Error';
export const FARCASTER_SCHEMA = 'urn:refos:params:scim:schemas:extension:farcaster:2.0:User';

/** An identity provider's client: a `scim`-scoped key, application/scim+json bodies, as Okta and Entra send them. */
export interface ScimClient {
  keyId: string;
  key: string;
  get(path: string): Test;
  post(path: string, body: unknown): Test;
  put(path: string, body: unknown): Test;
  patch(path: string, body: unknown): Test;
  delete(path: string): Test;
}

export async function createScimClient(t: TestApp, tenant: TenantFixture): Promise<ScimClient> {
  const { id, key } = await createApiKey(t, tenant, ['scim'], 'Identity provider');
  const url = (path: string) => `/scim/v2${path}`;
  const send = (req: Test, body: unknown) => req.auth(key, { type: 'bearer' }).set('Content-Type', 'application/scim+json').send(JSON.stringify(body));
  return {
    keyId: id,
    key,
    get: (path) => t.http.get(url(path)).auth(key, { type: 'bearer' }).set('Accept', 'application/scim+json'),
    post: (path, body) => send(t.http.post(url(path)), body),
    put: (path, body) => send(t.http.put(url(path)), body),
    patch: (path, body) => send(t.http.patch(url(path)), body),
    delete: (path) => t.http.delete(url(path)).auth(key, { type: 'bearer' }),
  };
}

export function newUser(userName: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  const [given, family] = userName.split('@')[0].split('.');
  return {
    schemas: [USER_SCHEMA],
    userName,
    name: { givenName: given, familyName: family ?? 'Doe' },
    emails: [{ primary: true, value: userName, type: 'work' }],
    active: true,
    ...extra,
  };
}

export const patchOp = (...Operations: unknown[]) => ({ schemas: [PATCH_OP], Operations });

/** A filter as a query string value (supertest encodes it). */
export const filter = (expression: string) => `filter=${encodeURIComponent(expression)}`;
