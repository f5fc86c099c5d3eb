import { ERROR_SCHEMA, GROUP_SCHEMA, LIST_RESPONSE, PATCH_OP, createScimClient, USER_SCHEMA } from './factories/scim';
import { createTenant } from './factories/tenants';
import { createTestApp, TestApp } from './support/test-app';

/*
 * The requests Microsoft Entra ID's provisioning service sends, as "Develop a sample SCIM endpoint /
 * Understand the Microsoft Entra SCIM implementation" lists them (ids are Entra's own test values
 * where they are not ours), and the answers it expects.
 */
const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
const BASE = 'https://refos.example';

describe('SCIM with Microsoft Entra ID', () => {
  let t: TestApp;
  let key: string;

  beforeAll(async () => {
    t = await createTestApp({ PUBLIC_BASE_URL: BASE });
    key = (await createScimClient(t, await createTenant(t, 'Entra customer'))).key;
  });
  afterAll(() => t.close());

  const entra = (method: 'get' | 'post' | 'patch' | 'delete', path: string, body?: unknown) => {
    const req = t.http[method](`/scim/v2${path}`).set('Authorization', `Bearer ${key}`).set('Content-Type', 'application/scim+json');
    return body === undefined ? req : req.send(JSON.stringify(body));
  };
  const byFilter = (resource: string, expression: string, extra = '') => entra('get', `/${resource}?${extra}filter=${encodeURIComponent(expression)}`);

  const userName = 'Test_User_ab6490ee-1e48-479e-a20b-2d77186b5dd1';
  let userId: string;
  let groupId: string;

  describe('users', () => {
    it('probes with a filter on a non-existent user: 200, an empty list', async () => {
      const res = await byFilter('Users', 'userName eq "non-existent user"').expect(200);
      expect(res.body).toEqual({ schemas: [LIST_RESPONSE], totalResults: 0, startIndex: 1, itemsPerPage: 0, Resources: [] });
    });

    it('creates a user (enterprise extension, roles and meta in the body are accepted)', async () => {
      const res = await entra('post', '/Users', {
        schemas: [USER_SCHEMA, ENTERPRISE],
        externalId: '0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef',
        userName,
        active: true,
        emails: [{ primary: true, type: 'work', value: 'Test_User_fd0ea19b-0777-472c-9f96-4f70d2226f2e@testuser.com' }],
        meta: { resourceType: 'User' },
        name: { formatted: 'givenName familyName', familyName: 'familyName', givenName: 'givenName' },
        roles: [],
        [ENTERPRISE]: { employeeNumber: '42', department: 'Sales' },
      }).expect(201);
      userId = res.body.id;
      expect(res.body).toEqual({
        schemas: [USER_SCHEMA],
        id: expect.any(String),
        externalId: '0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef',
        userName,
        name: { formatted: 'givenName familyName', familyName: 'familyName', givenName: 'givenName' },
        active: true,
        emails: [{ primary: true, type: 'work', value: 'Test_User_fd0ea19b-0777-472c-9f96-4f70d2226f2e@testuser.com' }],
        groups: [],
        meta: { resourceType: 'User', created: expect.any(String), lastModified: expect.any(String), location: `${BASE}/scim/v2/Users/${userId}`, version: 'W/"1"' },
      });
    });

    it('refuses to create the same userName again: 409 uniqueness', async () => {
      const res = await entra('post', '/Users', { schemas: [USER_SCHEMA], userName: userName.toUpperCase(), active: true }).expect(409);
      expect(res.body).toEqual({ schemas: [ERROR_SCHEMA], status: '409', scimType: 'uniqueness', detail: expect.any(String) });
    });

    it('gets the user, and finds it by userName and by externalId', async () => {
      await entra('get', `/Users/${userId}`).expect(200);
      const byName = await byFilter('Users', `userName eq "${userName}"`).expect(200);
      expect(byName.body).toMatchObject({ schemas: [LIST_RESPONSE], totalResults: 1, startIndex: 1, itemsPerPage: 1, Resources: [{ id: userId, userName }] });
      const byExternal = await byFilter('Users', 'externalId eq "0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef"').expect(200);
      expect(byExternal.body.Resources.map((u: { id: string }) => u.id)).toEqual([userId]);
    });

    it('answers 404 with the Error schema for a user that does not exist', async () => {
      const res = await entra('get', '/Users/5171a35d82074e068ce2').expect(404);
      expect(res.body).toEqual({ schemas: [ERROR_SCHEMA], status: '404', detail: expect.any(String) });
    });

    it('updates multi-valued and single-valued attributes with capitalised ops', async () => {
      const res = await entra('patch', `/Users/${userId}`, {
        schemas: [PATCH_OP],
        Operations: [
          { op: 'Replace', path: 'emails[type eq "work"].value', value: 'updatedEmail@microsoft.com' },
          { op: 'Replace', path: 'name.familyName', value: 'updatedFamilyName' },
        ],
      }).expect(200);
      expect(res.body).toMatchObject({ emails: [{ primary: true, type: 'work', value: 'updatedEmail@microsoft.com' }], name: { givenName: 'givenName', familyName: 'updatedFamilyName' } });
      const renamed = await entra('patch', `/Users/${userId}`, {
        schemas: [PATCH_OP],
        Operations: [{ op: 'Replace', path: 'userName', value: '5b50642d-79fc-4410-9e90-4c077cdd1a59@testuser.com' }],
      }).expect(200);
      expect(renamed.body.userName).toBe('5b50642d-79fc-4410-9e90-4c077cdd1a59@testuser.com');
    });

    it('adds attributes with "Add", including ones it does not keep (ignored)', async () => {
      const res = await entra('patch', `/Users/${userId}`, {
        schemas: [PATCH_OP],
        Operations: [
          { op: 'Add', path: 'displayName', value: 'Test User' },
          { op: 'Add', path: 'emails[type eq "home"].value', value: 'home@testuser.com' },
          { op: 'Add', path: `${ENTERPRISE}:department`, value: 'Marketing' },
          { op: 'Add', path: 'title', value: 'Engineer' },
        ],
      }).expect(200);
      expect(res.body.displayName).toBe('Test User');
      expect(res.body.emails).toEqual([
        { primary: true, type: 'work', value: 'updatedEmail@microsoft.com' },
        { type: 'home', value: 'home@testuser.com' },
      ]);
      expect(res.body).not.toHaveProperty('title');
    });

    it('disables the user with "active": false, and with the string "False"', async () => {
      const res = await entra('patch', `/Users/${userId}`, { schemas: [PATCH_OP], Operations: [{ op: 'Replace', path: 'active', value: false }] }).expect(200);
      expect(res.body.active).toBe(false);
      await entra('patch', `/Users/${userId}`, { schemas: [PATCH_OP], Operations: [{ op: 'Replace', path: 'active', value: 'True' }] }).expect(200);
      const again = await entra('patch', `/Users/${userId}`, { schemas: [PATCH_OP], Operations: [{ op: 'Replace', path: 'active', value: 'False' }] }).expect(200);
      expect(again.body.active).toBe(false);
      expect((await byFilter('Users', 'active eq false').expect(200)).body.Resources.map((u: { id: string }) => u.id)).toEqual([userId]);
    });

    it('refuses a value that is not a boolean with 400 invalidValue, changing nothing', async () => {
      const res = await entra('patch', `/Users/${userId}`, { schemas: [PATCH_OP], Operations: [{ op: 'Replace', path: 'active', value: 'maybe' }] }).expect(400);
      expect(res.body).toEqual({ schemas: [ERROR_SCHEMA], status: '400', scimType: 'invalidValue', detail: expect.any(String) });
    });
  });

  describe('groups', () => {
    let memberId: string;

    it('creates a group', async () => {
      const res = await entra('post', '/Groups', {
        externalId: '8aa1a0c0-c4c3-4bc0-b4a5-2ef676900159',
        displayName: 'displayName',
        meta: { resourceType: 'Group' },
        schemas: [GROUP_SCHEMA],
      }).expect(201);
      groupId = res.body.id;
      expect(res.body).toEqual({
        schemas: [GROUP_SCHEMA],
        id: expect.any(String),
        externalId: '8aa1a0c0-c4c3-4bc0-b4a5-2ef676900159',
        displayName: 'displayName',
        members: [],
        meta: { resourceType: 'Group', created: expect.any(String), lastModified: expect.any(String), location: `${BASE}/scim/v2/Groups/${groupId}`, version: 'W/"1"' },
      });
    });

    it('gets it without members, and finds it by displayName without members', async () => {
      const one = await entra('get', `/Groups/${groupId}?excludedAttributes=members`).expect(200);
      expect(one.body).toEqual({ schemas: [GROUP_SCHEMA], id: groupId, externalId: '8aa1a0c0-c4c3-4bc0-b4a5-2ef676900159', displayName: 'displayName', meta: expect.any(Object) });
      const found = await byFilter('Groups', 'displayName eq "displayName"', 'excludedAttributes=members&').expect(200);
      expect(found.body).toMatchObject({ schemas: [LIST_RESPONSE], totalResults: 1, itemsPerPage: 1, startIndex: 1 });
      expect(found.body.Resources[0]).not.toHaveProperty('members');
    });

    it('renames it with a Replace of displayName', async () => {
      const res = await entra('patch', `/Groups/${groupId}`, {
        schemas: [PATCH_OP],
        Operations: [{ op: 'Replace', path: 'displayName', value: '1879db59-3bdf-4490-ad68-ab880a269474updatedDisplayName' }],
      }).expect(200);
      expect(res.body.displayName).toBe('1879db59-3bdf-4490-ad68-ab880a269474updatedDisplayName');
    });

    it('adds a member with "$ref": null, and checks membership with a members filter', async () => {
      memberId = (await entra('post', '/Users', { schemas: [USER_SCHEMA], userName: 'member@testuser.com', active: true }).expect(201)).body.id;
      await entra('patch', `/Groups/${groupId}`, { schemas: [PATCH_OP], Operations: [{ op: 'Add', path: 'members', value: [{ $ref: null, value: memberId }] }] }).expect(200);
      const check = await byFilter('Groups', `id eq "${groupId}" and members[value eq "${memberId}"]`, 'excludedAttributes=members&').expect(200);
      expect(check.body.totalResults).toBe(1);
      const other = await byFilter('Groups', `id eq "${groupId}" and members[value eq "${userId}"]`, 'excludedAttributes=members&').expect(200);
      expect(other.body.totalResults).toBe(0);
    });

    it('removes the member with "Remove" and a value list', async () => {
      const res = await entra('patch', `/Groups/${groupId}`, { schemas: [PATCH_OP], Operations: [{ op: 'Remove', path: 'members', value: [{ $ref: null, value: memberId }] }] }).expect(200);
      expect(res.body.members).toEqual([]);
    });

    it('deletes the group and then the user: 204 each, then 404', async () => {
      await entra('delete', `/Groups/${groupId}`).expect(204);
      await entra('get', `/Groups/${groupId}`).expect(404);
      await entra('delete', `/Users/${userId}`).expect(204);
      await entra('get', `/Users/${userId}`).expect(404);
      expect((await byFilter('Users', 'userName eq "5b50642d-79fc-4410-9e90-4c077cdd1a59@testuser.com"').expect(200)).body.totalResults).toBe(0);
    });
  });
});
