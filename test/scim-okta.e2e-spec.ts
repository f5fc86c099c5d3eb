import { DataSource } from 'typeorm';
import { ERROR_SCHEMA, GROUP_SCHEMA, LIST_RESPONSE, PATCH_OP, createScimClient, ScimClient, USER_SCHEMA } from './factories/scim';
import { createTenant, TenantFixture } from './factories/tenants';
import { createTestApp, TestApp } from './support/test-app';

/*
 * The requests Okta sends, replayed as Okta publishes them:
 *  - REFERENCE: "SCIM 2.0 Protocol Reference" (developer.okta.com/docs/api/openapi/okta-scim/guides/scim-20):
 *    request bodies and the responses Okta expects for users and group push;
 *  - SPEC TEST: the "Okta SCIM 2.0 Spec Test" Runscope suite ("Test your SCIM API" in "Build a SCIM
 *    provisioning integration"): its headers, its variables and the checks it makes.
 * Bodies are copied as published; ids are ours, since the service assigns them. The REFERENCE's
 * example responses carry `Content-Type: text/json` and `"status": 409` as a number: those are its
 * server's choices, not something Okta checks, so the assertions hold to the fields Okta reads.
 */
const OKTA_HEADERS = {
  // SPEC TEST headers; the User-Agent is the one in every REFERENCE request.
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
      // The SPEC TEST's UserIdThatDoesNotExist.
      const res = await okta('get', '/Users/010101001010101011001010101011').expect(404);
      expect(res.body).toMatchObject({ schemas: [ERROR_SCHEMA], status: '404', detail: expect.any(String) });
    });

    it('Test invalid User by username: 200 with totalResults 0', async () => {
      const res = await okta('get', `/Users?filter=${encodeURIComponent('userName eq "abcdefgh@example.com"')}`).expect(200);
      expect(res.body).toEqual({ schemas: [LIST_RESPONSE], totalResults: 0, startIndex: 1, itemsPerPage: 0, Resources: [] });
    });

    it('Make sure random user does not exist, create it, verify it, refuse it again, and match its userName in any case', async () => {
      // The SPEC TEST's randomUsername, randomGivenName and randomFamilyName; randomUsernameCaps has its local part in capitals.
      const random = 'Runscope300Hfluaklab151@example.com';
      expect((await okta('get', `/Users?filter=${encodeURIComponent(`userName eq "${random}"`)}`).expect(200)).body.totalResults).toBe(0);
      const body = { schemas: [USER_SCHEMA], userName: random, name: { givenName: 'Runscope300', familyName: 'Hfluaklab151' }, emails: [{ primary: true, value: random, type: 'work' }], displayName: 'Runscope300 Hfluaklab151', active: true };
      const created = await okta('post', '/Users', body).expect(201);
      expect(created.body).toMatchObject({ active: true, userName: random, name: { givenName: 'Runscope300', familyName: 'Hfluaklab151' }, emails: [{ primary: true, value: random, type: 'work' }] });
      expect(created.body.id).toEqual(expect.any(String));
      const fetched = await okta('get', `/Users/${created.body.id}`).expect(200);
      expect(fetched.body).toMatchObject({ id: created.body.id, userName: random, name: { familyName: 'Hfluaklab151', givenName: 'Runscope300' }, active: true });
      // REFERENCE: an existing user "needs to respond with an error schema to stop the provisioning job".
      const duplicate = await okta('post', '/Users', body).expect(409);
      expect(duplicate.body).toMatchObject({ schemas: [ERROR_SCHEMA], status: '409' });
      const caps = await okta('get', `/Users?filter=${encodeURIComponent('userName eq "RUNSCOPE300HFLUAKLAB151@example.com"')}`).expect(200);
      expect(caps.body).toMatchObject({ totalResults: 1, Resources: [{ id: created.body.id }] });
    });
  });

  describe('users (REFERENCE)', () => {
    const lookup = () => okta('get', `/Users?filter=${encodeURIComponent(`userName eq "${userName}"`)}&startIndex=1&count=100`);

    it('Create Users: looks the user up by userName, finds nothing, creates it', async () => {
      expect((await lookup().expect(200)).body).toEqual({ schemas: [LIST_RESPONSE], totalResults: 0, startIndex: 1, itemsPerPage: 0, Resources: [] });
      const res = await okta('post', '/Users', oktaUser).expect(201);
      id = res.body.id;
      expect(res.body).toMatchObject({
        schemas: [USER_SCHEMA],
        id: expect.any(String),
        userName,
        name: { givenName: 'Test', familyName: 'User' },
        emails: [{ primary: true, value: userName, type: 'work' }],
        displayName: 'Test User',
        externalId: '00ujl29u0le5T6Aj10h7',
        active: true,
        groups: [],
        meta: { resourceType: 'User' },
      });
      expect(res.body).not.toHaveProperty('password');
    });

    it('Retrieve a specific User, and find it with the same filter', async () => {
      expect((await okta('get', `/Users/${id}`).expect(200)).body).toMatchObject({ schemas: [USER_SCHEMA], id, userName, active: true, meta: { resourceType: 'User' } });
      expect((await lookup().expect(200)).body).toMatchObject({ totalResults: 1, itemsPerPage: 1, startIndex: 1, Resources: [{ id, userName }] });
    });

    it('Update a specific User (PUT): retrieves it, then sends the whole user back', async () => {
      await okta('get', `/Users/${id}`).expect(200);
      const res = await okta('put', `/Users/${id}`, {
        schemas: [USER_SCHEMA],
        id,
        userName,
        name: { givenName: 'Another', middleName: 'Excited', familyName: 'User' },
        emails: [{ primary: true, value: userName, type: 'work', display: userName }],
        active: true,
        groups: [],
        meta: { resourceType: 'User' },
      }).expect(200);
      expect(res.body).toMatchObject({ schemas: [USER_SCHEMA], id, userName, name: { givenName: 'Another', familyName: 'User' }, emails: [{ primary: true, value: userName, type: 'work' }], active: true, meta: { resourceType: 'User' } });
    });

    it('Update a specific User (PATCH): deactivates with a path-less replace, answered with the user', async () => {
      const res = await okta('patch', `/Users/${id}`, { schemas: [PATCH_OP], Operations: [{ op: 'replace', value: { active: false } }] }).expect(200);
      expect(res.body).toMatchObject({ schemas: [USER_SCHEMA], id, userName, name: { givenName: 'Another', familyName: 'User' }, active: false });
      expect((await lookup().expect(200)).body.Resources).toMatchObject([{ id, active: false }]);
    });

    it('reactivates with the same PATCH and active true (the REFERENCE lists activation among its PATCH operations)', async () => {
      const res = await okta('patch', `/Users/${id}`, { schemas: [PATCH_OP], Operations: [{ op: 'replace', value: { active: true } }] }).expect(200);
      expect(res.body).toMatchObject({ id, active: true });
    });
  });

  describe('group push (REFERENCE)', () => {
    let groupId: string;
    let secondId: string;
    const memberValues = async () => (await okta('get', `/Groups/${groupId}`).expect(200)).body.members.map((m: { value: string }) => m.value).sort();

    it('Create Groups: answered with the group as a GET would return it', async () => {
      const res = await okta('post', '/Groups', { schemas: [GROUP_SCHEMA], displayName: 'Test SCIMv2', members: [] }).expect(201);
      groupId = res.body.id;
      expect(res.body).toMatchObject({ schemas: [GROUP_SCHEMA], id: expect.any(String), displayName: 'Test SCIMv2', members: [], meta: { resourceType: 'Group' } });
    });

    it('Retrieve Groups with paging, and a specific group', async () => {
      const list = await okta('get', '/Groups?startIndex=1&count=100').expect(200);
      expect(list.body).toMatchObject({ schemas: [LIST_RESPONSE], totalResults: 1, startIndex: 1, itemsPerPage: 1, Resources: [{ id: groupId, displayName: 'Test SCIMv2' }] });
      expect((await okta('get', `/Groups/${groupId}`).expect(200)).body).toMatchObject({ schemas: [GROUP_SCHEMA], id: groupId, displayName: 'Test SCIMv2', meta: { resourceType: 'Group' } });
    });

    it('Update specific Group membership: a full push with replace, then remove one and add one in a request (204 each)', async () => {
      secondId = (await okta('post', '/Users', { ...oktaUser, userName: 'second.user@okta.local', externalId: '00u2', emails: [] }).expect(201)).body.id;
      // Both members carry the display "test.user@okta.local", as published.
      await okta('patch', `/Groups/${groupId}`, {
        schemas: [PATCH_OP],
        Operations: [{ op: 'replace', path: 'members', value: [{ value: id, display: userName }, { value: secondId, display: userName }] }],
      }).expect(204);
      expect(await memberValues()).toEqual([id, secondId].sort());
      await okta('patch', `/Groups/${groupId}`, {
        schemas: [PATCH_OP],
        Operations: [
          { op: 'remove', path: `members[value eq "${secondId}"]` },
          { op: 'add', path: 'members', value: [{ value: id, display: userName }] },
        ],
      }).expect(204);
      expect(await memberValues()).toEqual([id]);
      expect((await okta('get', `/Users/${id}`).expect(200)).body.groups).toEqual([{ value: groupId, display: 'Test SCIMv2', $ref: `${BASE}/scim/v2/Groups/${groupId}` }]);
      expect((await okta('get', `/Users/${secondId}`).expect(200)).body.groups).toEqual([]);
    });

    it('Update a specific Group name: the replace Okta sends with every membership update, then a real rename (204)', async () => {
      await okta('patch', `/Groups/${groupId}`, { schemas: [PATCH_OP], Operations: [{ op: 'replace', value: { id: groupId, displayName: 'Test SCIMv2' } }] }).expect(204);
      await okta('patch', `/Groups/${groupId}`, { schemas: [PATCH_OP], Operations: [{ op: 'replace', value: { id: groupId, displayName: 'Test SCIMv2 renamed' } }] }).expect(204);
      expect((await okta('get', `/Groups/${groupId}`).expect(200)).body).toMatchObject({ id: groupId, displayName: 'Test SCIMv2 renamed', members: [{ value: id }] });
    });

    it('Delete a specific Group: 204; its users stay', async () => {
      await okta('delete', `/Groups/${groupId}`).expect(204);
      await okta('get', `/Groups/${groupId}`).expect(404);
      expect((await okta('get', `/Users/${id}`).expect(200)).body.groups).toEqual([]);
      const [{ n }] = await t.app.get(DataSource).query('SELECT count(*)::int AS n FROM scim_group_members');
      expect(n).toBe(0);
    });
  });
});
