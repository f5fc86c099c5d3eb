import { DataSource } from 'typeorm';
import { ERROR_SCHEMA, GROUP_SCHEMA, LIST_RESPONSE, PATCH_OP, createScimClient, ScimClient, USER_SCHEMA } from './factories/scim';
import { createTenant, TenantFixture } from './factories/tenants';
import { createTestApp, TestApp } from './support/test-app';

/*
 * The requests Okta sends, as its "SCIM 2.0" reference and its "SCIM 2.0 Spec Test" (Runscope) show
 * them: headers, bodies (password, locale and groups included) and the answers it checks.
 */
const OKTA_HEADERS = {
  'Accept-Charset': 'utf-8',
  'Content-Type': 'application/scim+json; charset=utf-8',
  Accept: 'application/scim+json',
  'User-Agent': 'Okta SCIM Client 1.0.0',
};

const BASE = 'https://refos.example';

describe('SCIM with Okta', () => {
  let t: TestApp;
  let tenant: TenantFixture;
  let key: string;

  beforeAll(async () => {
    t = await createTestApp({ PUBLIC_BASE_URL: BASE });
    tenant = await createTenant(t, 'Okta customer');
    key = (await createScimClient(t, tenant)).key;
  });
  afterAll(() => t.close());

  const okta = (method: 'get' | 'post' | 'put' | 'patch' | 'delete', path: string, body?: unknown) => {
    const req = t.http[method](`/scim/v2${path}`).set(OKTA_HEADERS).set('Authorization', `Bearer ${key}`);
    return body === undefined ? req : req.send(JSON.stringify(body));
  };
  const userName = 'test.user@okta.local';
  const oktaUser = {
    schemas: [USER_SCHEMA],
    userName,
    name: { givenName: 'Test', familyName: 'User' },
    emails: [{ primary: true, value: userName, type: 'work' }],
    displayName: 'Test User',
    locale: 'en-US',
    externalId: '00ujl29u0le5T6Aj10h7',
    groups: [],
    password: '1mz050nq',
    active: true,
  };
  let id: string;
  let seeded: ScimClient;

  describe('Spec Test (Runscope)', () => {
    beforeAll(async () => {
      seeded = await createScimClient(t, tenant);
      await seeded.post('/Users', { ...oktaUser, userName: 'existing.user@okta.local', externalId: undefined, emails: [] }).expect(201);
    });

    it('Test Users endpoint: GET /Users?count=1&startIndex=1', async () => {
      const res = await okta('get', '/Users?count=1&startIndex=1').expect(200);
      expect(res.headers['content-type']).toMatch(/^application\/scim\+json/);
      expect(res.body).toMatchObject({ schemas: [LIST_RESPONSE], totalResults: 1, startIndex: 1, itemsPerPage: 1 });
      expect(res.body.Resources).toHaveLength(1);
      expect(res.body.Resources[0].id).toEqual(expect.any(String));
    });

    it('Get Users/{{id}}: a user that does not exist is 404 with the Error schema', async () => {
      const res = await okta('get', '/Users/010101001010101010').expect(404);
      expect(res.body).toMatchObject({ schemas: [ERROR_SCHEMA], status: '404', detail: expect.any(String) });
    });

    it('Test invalid User by username: 200 with totalResults 0', async () => {
      const res = await okta('get', `/Users?filter=${encodeURIComponent('userName eq "abcdefgh@example.com"')}`).expect(200);
      expect(res.body).toEqual({ schemas: [LIST_RESPONSE], totalResults: 0, startIndex: 1, itemsPerPage: 0, Resources: [] });
    });

    it('Make sure random user does not exist, create it, verify it, refuse it again, and match its userName in any case', async () => {
      const random = 'Okta.Random.4821@example.com';
      expect((await okta('get', `/Users?filter=${encodeURIComponent(`userName eq "${random}"`)}`).expect(200)).body.totalResults).toBe(0);
      const body = { schemas: [USER_SCHEMA], userName: random, name: { givenName: 'Random', familyName: 'User' }, emails: [{ primary: true, value: random, type: 'work' }], displayName: 'Random User', active: true };
      const created = await okta('post', '/Users', body).expect(201);
      expect(created.body).toMatchObject({ active: true, userName: random, name: { givenName: 'Random', familyName: 'User' }, emails: [{ primary: true, value: random, type: 'work' }] });
      expect(created.body.id).toEqual(expect.any(String));
      const fetched = await okta('get', `/Users/${created.body.id}`).expect(200);
      expect(fetched.body).toMatchObject({ id: created.body.id, userName: random, name: { familyName: 'User', givenName: 'Random' }, active: true });
      const duplicate = await okta('post', '/Users', body).expect(409);
      expect(duplicate.body).toEqual({ schemas: [ERROR_SCHEMA], status: '409', scimType: 'uniqueness', detail: expect.any(String) });
      const caps = await okta('get', `/Users?filter=${encodeURIComponent(`userName eq "${random.toUpperCase()}"`)}`).expect(200);
      expect(caps.body).toMatchObject({ totalResults: 1, Resources: [{ id: created.body.id }] });
    });
  });

  describe('user lifecycle (SCIM 2.0 reference)', () => {
    it('assign: looks the user up by userName, finds nothing, creates it', async () => {
      const lookup = await okta('get', `/Users?filter=${encodeURIComponent(`userName eq "${userName}"`)}&startIndex=1&count=100`).expect(200);
      expect(lookup.body).toEqual({ schemas: [LIST_RESPONSE], totalResults: 0, startIndex: 1, itemsPerPage: 0, Resources: [] });
      const res = await okta('post', '/Users', oktaUser).expect(201);
      id = res.body.id;
      expect(res.body).toEqual({
        schemas: [USER_SCHEMA],
        id: expect.any(String),
        externalId: '00ujl29u0le5T6Aj10h7',
        userName,
        name: { givenName: 'Test', familyName: 'User', formatted: 'Test User' },
        displayName: 'Test User',
        emails: [{ primary: true, value: userName, type: 'work' }],
        active: true,
        groups: [],
        meta: { resourceType: 'User', created: expect.any(String), lastModified: expect.any(String), location: `${BASE}/scim/v2/Users/${id}`, version: 'W/"1"' },
      });
      expect(res.body).not.toHaveProperty('password');
    });

    it('retrieves it by id and by the filter Okta uses', async () => {
      await okta('get', `/Users/${id}`).expect(200);
      const res = await okta('get', `/Users?filter=${encodeURIComponent(`userName eq "${userName}"`)}&startIndex=1&count=100`).expect(200);
      expect(res.body).toMatchObject({ totalResults: 1, itemsPerPage: 1, startIndex: 1, Resources: [{ id, userName }] });
    });

    it('updates the profile with PUT (the whole user, id and password included)', async () => {
      t.clock.advance(60_000);
      const res = await okta('put', `/Users/${id}`, {
        ...oktaUser,
        id,
        name: { givenName: 'Another', middleName: 'Test', familyName: 'User' },
        displayName: 'Another Test User',
      }).expect(200);
      expect(res.body).toMatchObject({ id, userName, name: { givenName: 'Another', familyName: 'User' }, displayName: 'Another Test User', active: true, meta: { version: 'W/"2"' } });
    });

    it('deactivates with PATCH replace {active:false} and answers the user', async () => {
      const res = await okta('patch', `/Users/${id}`, { schemas: [PATCH_OP], Operations: [{ op: 'replace', value: { active: false } }] }).expect(200);
      expect(res.body).toMatchObject({ id, userName, active: false, meta: { version: 'W/"3"' } });
      expect((await okta('get', `/Users?filter=${encodeURIComponent(`userName eq "${userName}"`)}`).expect(200)).body.Resources[0].active).toBe(false);
    });

    it('reactivates with PATCH replace {active:true}', async () => {
      const res = await okta('patch', `/Users/${id}`, { schemas: [PATCH_OP], Operations: [{ op: 'replace', value: { active: true } }] }).expect(200);
      expect(res.body).toMatchObject({ id, active: true });
    });

    it('sends a profile change as PATCH too when configured so', async () => {
      const res = await okta('patch', `/Users/${id}`, { schemas: [PATCH_OP], Operations: [{ op: 'replace', value: { name: { familyName: 'Userson' }, displayName: 'Another Userson' } }] }).expect(200);
      expect(res.body).toMatchObject({ name: { givenName: 'Another', familyName: 'Userson' }, displayName: 'Another Userson' });
    });
  });

  describe('group push', () => {
    let groupId: string;
    let secondId: string;

    it('creates the group with no members', async () => {
      const res = await okta('post', '/Groups', { schemas: [GROUP_SCHEMA], displayName: 'Test SCIMv2', members: [] }).expect(201);
      groupId = res.body.id;
      expect(res.body).toEqual({
        schemas: [GROUP_SCHEMA],
        id: expect.any(String),
        displayName: 'Test SCIMv2',
        members: [],
        meta: { resourceType: 'Group', created: expect.any(String), lastModified: expect.any(String), location: `${BASE}/scim/v2/Groups/${groupId}`, version: 'W/"1"' },
      });
    });

    it('lists groups with paging and finds one by displayName', async () => {
      const list = await okta('get', '/Groups?startIndex=1&count=100').expect(200);
      expect(list.body).toMatchObject({ schemas: [LIST_RESPONSE], totalResults: 1, startIndex: 1, itemsPerPage: 1 });
      const found = await okta('get', `/Groups?filter=${encodeURIComponent('displayName eq "Test SCIMv2"')}&startIndex=1&count=100`).expect(200);
      expect(found.body.Resources).toEqual([expect.objectContaining({ id: groupId, displayName: 'Test SCIMv2' })]);
      await okta('get', `/Groups/${groupId}`).expect(200);
    });

    it('renames with replace carrying id and displayName', async () => {
      const res = await okta('patch', `/Groups/${groupId}`, { schemas: [PATCH_OP], Operations: [{ op: 'replace', value: { id: groupId, displayName: 'Test SCIMv2 renamed' } }] }).expect(200);
      expect(res.body).toMatchObject({ id: groupId, displayName: 'Test SCIMv2 renamed' });
    });

    it('adds members, then removes one by filter while adding another, in one request', async () => {
      secondId = (await okta('post', '/Users', { ...oktaUser, userName: 'second.user@okta.local', externalId: '00u2', emails: [] }).expect(201)).body.id;
      const added = await okta('patch', `/Groups/${groupId}`, {
        schemas: [PATCH_OP],
        Operations: [{ op: 'add', path: 'members', value: [{ value: id, display: userName }] }],
      }).expect(200);
      expect(added.body.members).toEqual([{ value: id, display: userName, type: 'User', $ref: `${BASE}/scim/v2/Users/${id}` }]);
      const swapped = await okta('patch', `/Groups/${groupId}`, {
        schemas: [PATCH_OP],
        Operations: [
          { op: 'remove', path: `members[value eq "${id}"]` },
          { op: 'add', path: 'members', value: [{ value: secondId, display: 'second.user@okta.local' }] },
        ],
      }).expect(200);
      expect(swapped.body.members.map((m: { value: string }) => m.value)).toEqual([secondId]);
      expect((await okta('get', `/Users/${secondId}`).expect(200)).body.groups).toEqual([{ value: groupId, display: 'Test SCIMv2 renamed', $ref: `${BASE}/scim/v2/Groups/${groupId}` }]);
    });

    it('replaces the group with PUT', async () => {
      const res = await okta('put', `/Groups/${groupId}`, { schemas: [GROUP_SCHEMA], id: groupId, displayName: 'Test SCIMv2', members: [{ value: id, display: userName }, { value: secondId }] }).expect(200);
      expect(res.body.members.map((m: { value: string }) => m.value).sort()).toEqual([id, secondId].sort());
    });

    it('deletes the group (204); its users stay', async () => {
      await okta('delete', `/Groups/${groupId}`).expect(204);
      await okta('get', `/Groups/${groupId}`).expect(404);
      expect((await okta('get', `/Users/${id}`).expect(200)).body.groups).toEqual([]);
      const [{ n }] = await t.app.get(DataSource).query('SELECT count(*)::int AS n FROM scim_group_members');
      expect(n).toBe(0);
    });
  });
});
