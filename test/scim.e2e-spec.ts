import { FARCASTER_CONNECTOR } from '@refos/identity';
import { DataSource } from 'typeorm';
import { ERROR_SCHEMA, FARCASTER_SCHEMA, filter, GROUP_SCHEMA, LIST_RESPONSE, newUser, patchOp, createScimClient, ScimClient, USER_SCHEMA } from './factories/scim';
import { FakeFarcasterRegistry, signIn } from './factories/sessions';
import { createTenant, TenantFixture } from './factories/tenants';
import { createTestApp, TestApp } from './support/test-app';

const BASE = 'https://refos.example';

describe('SCIM 2.0 (/scim/v2)', () => {
  let t: TestApp;
  let registry: FakeFarcasterRegistry;
  let acme: TenantFixture;
  let globex: TenantFixture;
  let scim: ScimClient;
  let globexScim: ScimClient;

  beforeAll(async () => {
    registry = new FakeFarcasterRegistry();
    t = await createTestApp({ PUBLIC_BASE_URL: BASE, SCIM_RATE_LIMIT_PER_TENANT: '1000' }, undefined, [{ provide: FARCASTER_CONNECTOR, useValue: registry.connector }]);
    // Sign-in messages are checked against the real clock: keep ours near it.
    t.clock.set(new Date());
    acme = await createTenant(t, 'Acme');
    globex = await createTenant(t, 'Globex');
    scim = await createScimClient(t, acme);
    globexScim = await createScimClient(t, globex);
  });
  afterAll(() => t.close());

  const db = () => t.app.get(DataSource);
  const scimError = (status: number, scimType?: string) => ({ schemas: [ERROR_SCHEMA], status: String(status), ...(scimType ? { scimType } : {}), detail: expect.any(String) });
  const create = async (client: ScimClient, userName: string, extra: Record<string, unknown> = {}) => (await client.post('/Users', newUser(userName, extra)).expect(201)).body;

  describe('authentication, scope, content type and errors', () => {
    it.each([
      ['no credential', undefined, 401],
      ['an unknown key', 'dlk_AAAAAAAAAAAA_BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB', 401],
      ['an admin key without the scim scope', 'admin', 403],
    ])('refuses %s with a SCIM error', async (_case, key, status) => {
      let req = t.http.get('/scim/v2/Users');
      if (key) req = req.auth(key === 'admin' ? acme.adminKey : key, { type: 'bearer' });
      const res = await req.expect(status);
      expect(res.headers['content-type']).toMatch(/^application\/scim\+json/);
      expect(res.body).toEqual(scimError(status));
    });

    it('does not let the scim key reach the rest of the API', async () => {
      await t.http.get('/api/v1/apps').auth(scim.key, { type: 'bearer' }).expect(403);
    });

    it('answers application/scim+json and accepts it, and plain JSON too', async () => {
      const res = await scim.post('/Users', newUser('content.type@acme.com')).expect(201);
      expect(res.headers['content-type']).toMatch(/^application\/scim\+json/);
      await t.http.post('/scim/v2/Users').auth(scim.key, { type: 'bearer' }).send(newUser('plain.json@acme.com')).expect(201);
    });

    it.each<[string, () => ReturnType<ScimClient['get']>, number, string | undefined]>([
      ['malformed JSON', () => t.http.post('/scim/v2/Users').auth(scim.key, { type: 'bearer' }).set('Content-Type', 'application/scim+json').send('{"userName":'), 400, 'invalidSyntax'],
      ['a body without the User schema', () => scim.post('/Users', { userName: 'x@acme.com' }), 400, 'invalidSyntax'],
      ['a missing userName', () => scim.post('/Users', { schemas: [USER_SCHEMA] }), 400, 'invalidValue'],
      ['a userName that is not a string', () => scim.post('/Users', { schemas: [USER_SCHEMA], userName: 42 }), 400, 'invalidValue'],
      ['two primary emails', () => scim.post('/Users', newUser('two@acme.com', { emails: [{ value: 'a@acme.com', primary: true }, { value: 'b@acme.com', primary: true }] })), 400, 'invalidValue'],
      ['a bad fid', () => scim.post('/Users', newUser('fid@acme.com', { [FARCASTER_SCHEMA]: { fid: -1 } })), 400, 'invalidValue'],
      ['an unknown route', () => scim.get('/Bulk'), 404, undefined],
      ['an unknown user id', () => scim.get('/Users/2819c223-7f76-453a-919d-413861904646'), 404, undefined],
      ['a user id that is not a uuid', () => scim.get("/Users/1' OR '1'='1"), 404, undefined],
      ['an invalid filter', () => scim.get(`/Users?${filter('userName eq')}`), 400, 'invalidFilter'],
      ['a filter on an unknown attribute', () => scim.get(`/Users?${filter('title eq "boss"')}`), 400, 'invalidFilter'],
      ['a filter with a wrong type', () => scim.get(`/Users?${filter('meta.lastModified gt "soon"')}`), 400, 'invalidFilter'],
      ['a non-integer count', () => scim.get('/Users?count=ten'), 400, 'invalidValue'],
      ['a filter given twice', () => scim.get(`/Users?${filter('active eq true')}&${filter('active eq false')}`), 400, 'invalidValue'],
    ])('answers %s with a SCIM error', async (_case, send, status, scimType) => {
      const res = await send().expect(status);
      expect(res.body).toEqual(scimError(status, scimType));
    });

    it('never answers 500 to odd filters', async () => {
      const odd = ['(', ')', '[', 'a[b[c eq 1]]', 'not', 'emails[', '"', 'userName eq "\\u12"', 'x'.repeat(5000), 'meta.created ge "2026-02-30T99:99:99Z"', 'active eq 1e999'];
      for (const expression of odd) {
        const res = await scim.get(`/Users?${filter(expression)}`);
        expect([res.status, res.body.scimType]).toEqual([400, 'invalidFilter']);
      }
    });
  });

  describe('Users', () => {
    it('creates a user with meta, Location and ETag, and ignores password and unknown attributes', async () => {
      const res = await scim
        .post('/Users', newUser('bob.stone@acme.com', { password: 'hunter2!', externalId: 'ext-bob', displayName: 'Bob Stone', title: 'Engineer', groups: [{ value: 'x' }] }))
        .expect(201);
      expect(res.body).toEqual({
        schemas: [USER_SCHEMA],
        id: expect.stringMatching(/^[0-9a-f-]{36}$/),
        externalId: 'ext-bob',
        userName: 'bob.stone@acme.com',
        name: { givenName: 'bob', familyName: 'stone', formatted: 'bob stone' },
        displayName: 'Bob Stone',
        emails: [{ value: 'bob.stone@acme.com', type: 'work', primary: true }],
        active: true,
        groups: [],
        meta: {
          resourceType: 'User',
          created: t.clock.now().toISOString(),
          lastModified: t.clock.now().toISOString(),
          location: `${BASE}/scim/v2/Users/${res.body.id}`,
          version: 'W/"1"',
        },
      });
      expect(res.headers.location).toBe(res.body.meta.location);
      expect(res.headers.etag).toBe('W/"1"');
      expect(JSON.stringify(res.body)).not.toContain('hunter2');
      const get = await scim.get(`/Users/${res.body.id}`).expect(200);
      expect(get.body).toEqual(res.body);
    });

    it('refuses a second userName that differs only in case with 409 uniqueness, writing nothing', async () => {
      await create(scim, 'Carol.King@acme.com');
      const before = await db().query('SELECT count(*)::int AS n FROM users');
      const res = await scim.post('/Users', newUser('carol.king@ACME.COM')).expect(409);
      expect(res.body).toEqual(scimError(409, 'uniqueness'));
      expect(await db().query('SELECT count(*)::int AS n FROM users')).toEqual(before);
      expect((await globexScim.post('/Users', newUser('carol.king@acme.com'))).status).toBe(201);
    });

    it('pages with startIndex (1-based) and count', async () => {
      const tenant = await createTenant(t);
      const client = await createScimClient(t, tenant);
      for (let i = 1; i <= 5; i++) {
        await create(client, `page${i}@paging.example`);
        t.clock.advance(1_000);
      }
      const page = await client.get('/Users?startIndex=2&count=2').expect(200);
      expect(page.body).toMatchObject({ schemas: [LIST_RESPONSE], totalResults: 5, startIndex: 2, itemsPerPage: 2 });
      expect(page.body.Resources.map((u: { userName: string }) => u.userName)).toEqual(['page2@paging.example', 'page3@paging.example']);
      expect((await client.get('/Users?startIndex=5&count=10').expect(200)).body).toMatchObject({ totalResults: 5, startIndex: 5, itemsPerPage: 1 });
      expect((await client.get('/Users?startIndex=9').expect(200)).body).toMatchObject({ totalResults: 5, itemsPerPage: 0, Resources: [] });
      expect((await client.get('/Users?count=0').expect(200)).body).toMatchObject({ totalResults: 5, itemsPerPage: 0, Resources: [] });
      expect((await client.get('/Users?startIndex=-3&count=1').expect(200)).body).toMatchObject({ startIndex: 1, itemsPerPage: 1 });
      expect((await client.get('/Users?count=1000').expect(200)).body.itemsPerPage).toBe(5);
    });

    describe('filters', () => {
      let client: ScimClient;
      const names = async (expression: string) =>
        ((await client.get(`/Users?${filter(expression)}`).expect(200)).body.Resources as { userName: string }[]).map((u) => u.userName).sort();

      beforeAll(async () => {
        client = await createScimClient(t, await createTenant(t));
        t.clock.set(new Date('2026-12-01T10:00:00Z'));
        await create(client, 'ann.lee@filters.example', { externalId: 'E-1', emails: [{ value: 'ann@work.example', type: 'work', primary: true }, { value: 'ann@home.example', type: 'home' }] });
        t.clock.set(new Date('2026-12-02T10:00:00Z'));
        await create(client, 'ben.ito@filters.example', { externalId: 'e-1', active: false });
        t.clock.set(new Date('2026-12-03T10:00:00Z'));
        await create(client, 'cara.lee@other.example', { emails: [] });
        t.clock.set(new Date());
      });

      it.each<[string, string[]]>([
        ['userName eq "ANN.LEE@filters.example"', ['ann.lee@filters.example']],
        ['userName ne "ann.lee@filters.example"', ['ben.ito@filters.example', 'cara.lee@other.example']],
        ['userName co "LEE"', ['ann.lee@filters.example', 'cara.lee@other.example']],
        ['userName sw "b"', ['ben.ito@filters.example']],
        ['userName ew "@other.example"', ['cara.lee@other.example']],
        ['externalId eq "E-1"', ['ann.lee@filters.example']],
        ['externalId pr', ['ann.lee@filters.example', 'ben.ito@filters.example']],
        ['emails.value eq "ann@home.example"', ['ann.lee@filters.example']],
        ['emails[type eq "work"].value eq "ANN@work.example"', ['ann.lee@filters.example']],
        ['emails[type eq "work" and value co "home"]', []],
        ['emails pr', ['ann.lee@filters.example', 'ben.ito@filters.example']],
        ['active eq false', ['ben.ito@filters.example']],
        ['not (active eq false)', ['ann.lee@filters.example', 'cara.lee@other.example']],
        ['name.givenName eq "cara"', ['cara.lee@other.example']],
        ['name.familyName eq "lee" and not (userName sw "ann")', ['cara.lee@other.example']],
        ['(userName sw "a" or userName sw "b") and active eq true', ['ann.lee@filters.example']],
        ['meta.lastModified gt "2026-12-01T10:00:00Z"', ['ben.ito@filters.example', 'cara.lee@other.example']],
        ['meta.lastModified ge "2026-12-01T10:00:00Z" and meta.lastModified lt "2026-12-02T10:00:00Z"', ['ann.lee@filters.example']],
        ['meta.created le "2026-12-02T10:00:00.000Z"', ['ann.lee@filters.example', 'ben.ito@filters.example']],
        ['urn:ietf:params:scim:schemas:core:2.0:User:userName sw "cara"', ['cara.lee@other.example']],
      ])('%s', async (expression, expected) => {
        expect(await names(expression)).toEqual(expected);
      });
    });

    it('returns only the attributes asked for, or all but the excluded ones', async () => {
      const user = await create(scim, 'dora.proj@acme.com', { externalId: 'd-1' });
      const only = await scim.get(`/Users/${user.id}?attributes=userName,name.givenName`).expect(200);
      expect(only.body).toEqual({ schemas: [USER_SCHEMA], id: user.id, userName: 'dora.proj@acme.com', name: { givenName: 'dora' } });
      const without = await scim.get(`/Users?${filter('userName eq "dora.proj@acme.com"')}&excludedAttributes=emails,meta,groups`).expect(200);
      expect(Object.keys(without.body.Resources[0]).sort()).toEqual(['active', 'externalId', 'id', 'name', 'schemas', 'userName']);
    });

    it('replaces with PUT (omitted attributes cleared, active kept) and honours If-Match', async () => {
      const user = await create(scim, 'erin.put@acme.com', { externalId: 'x-1', displayName: 'Erin' });
      t.clock.advance(60_000);
      const stale = await scim.put(`/Users/${user.id}`, { schemas: [USER_SCHEMA], userName: 'erin.put@acme.com' }).set('If-Match', 'W/"7"').expect(412);
      expect(stale.body).toEqual(scimError(412));
      const res = await scim.put(`/Users/${user.id}`, { schemas: [USER_SCHEMA], userName: 'erin.put@acme.com', name: { givenName: 'Erin' } }).set('If-Match', 'W/"1"').expect(200);
      expect(res.body).toMatchObject({ userName: 'erin.put@acme.com', name: { givenName: 'Erin', formatted: 'Erin' }, emails: [], active: true, meta: { version: 'W/"2"' } });
      expect(res.body).not.toHaveProperty('externalId');
      expect(res.body).not.toHaveProperty('displayName');
      expect(res.body.meta.lastModified).toBe(t.clock.now().toISOString());
      expect(res.body.meta.lastModified).not.toBe(res.body.meta.created);
      await scim.patch(`/Users/${user.id}`, patchOp({ op: 'replace', path: 'displayName', value: 'E' })).set('If-Match', 'W/"1"').expect(412);
      await scim.delete(`/Users/${user.id}`).set('If-Match', 'W/"1"').expect(412);
      await scim.get(`/Users/${user.id}`).expect(200);
    });

    it('lets only one of two concurrent updates made with the same If-Match win', async () => {
      const user = await create(scim, 'fay.race@acme.com');
      const results = await Promise.all(
        ['One', 'Two', 'Three'].map((name) => scim.patch(`/Users/${user.id}`, patchOp({ op: 'replace', path: 'displayName', value: name })).set('If-Match', 'W/"1"')),
      );
      expect(results.map((r) => r.status).sort()).toEqual([200, 412, 412]);
      expect((await scim.get(`/Users/${user.id}`).expect(200)).body.meta.version).toBe('W/"2"');
    });

    it('refuses a PATCH that would leave the user invalid and writes none of its operations', async () => {
      const user = await create(scim, 'gus.atomic@acme.com');
      const res = await scim.patch(`/Users/${user.id}`, patchOp({ op: 'replace', path: 'displayName', value: 'Gus' }, { op: 'remove', path: 'userName' })).expect(400);
      expect(res.body).toEqual(scimError(400, 'invalidValue'));
      const mutability = await scim.patch(`/Users/${user.id}`, patchOp({ op: 'replace', path: 'id', value: 'x' })).expect(400);
      expect(mutability.body.scimType).toBe('mutability');
      const noTarget = await scim.patch(`/Users/${user.id}`, patchOp({ op: 'remove' })).expect(400);
      expect(noTarget.body.scimType).toBe('noTarget');
      expect((await scim.get(`/Users/${user.id}`).expect(200)).body).toMatchObject({ meta: { version: 'W/"1"' } });
      expect((await scim.get(`/Users/${user.id}`)).body).not.toHaveProperty('displayName');
    });

    it('PATCH renaming onto a taken userName is 409 uniqueness', async () => {
      await create(scim, 'hana.taken@acme.com');
      const user = await create(scim, 'hana.free@acme.com');
      const res = await scim.patch(`/Users/${user.id}`, patchOp({ op: 'replace', path: 'userName', value: 'HANA.TAKEN@acme.com' })).expect(409);
      expect(res.body).toEqual(scimError(409, 'uniqueness'));
    });

    it('DELETE answers 204, then the user is gone (404), and neither lists it', async () => {
      const user = await create(scim, 'ivan.gone@acme.com');
      await scim.delete(`/Users/${user.id}`).expect(204);
      await scim.get(`/Users/${user.id}`).expect(404);
      await scim.delete(`/Users/${user.id}`).expect(404);
      expect((await scim.get(`/Users?${filter('userName eq "ivan.gone@acme.com"')}`).expect(200)).body.totalResults).toBe(0);
    });

    it('never shows or changes users who only signed in with Farcaster (the owner among them)', async () => {
      const who = registry.register();
      const { cookie } = await signIn(t, who);
      // The owner issues their own tenant a SCIM key from the dashboard.
      const key = await t.http.post('/api/v1/api-keys').set('Cookie', cookie).set('Origin', BASE).send({ name: 'Okta', scopes: ['scim'] }).expect(201);
      const [{ id: ownerId }] = await db().query('SELECT id FROM users WHERE fid = $1', [who.fid]);
      const own = (path: string) => t.http.get(`/scim/v2${path}`).auth(key.body.key, { type: 'bearer' });
      expect((await own('/Users').expect(200)).body).toMatchObject({ totalResults: 0, Resources: [] });
      await own(`/Users/${ownerId}`).expect(404);
      await t.http.delete(`/scim/v2/Users/${ownerId}`).auth(key.body.key, { type: 'bearer' }).expect(404);
      await t.http.get('/api/v1/whoami').set('Cookie', cookie).expect(200);
    });
  });

  describe('deactivation and deletion end access at once', () => {
    it('deactivating ends the session of a user whose only tenant this is, and sign-in is refused', async () => {
      const who = registry.register();
      const user = await create(scim, 'jo.fc@acme.com', { [FARCASTER_SCHEMA]: { fid: who.fid } });
      expect(user.schemas).toEqual([USER_SCHEMA, FARCASTER_SCHEMA]);
      expect(user[FARCASTER_SCHEMA]).toEqual({ fid: who.fid });
      const { cookie } = await signIn(t, who, { body: { display_name: 'Farcaster Name' } });
      expect((await scim.get(`/Users/${user.id}`).expect(200)).body).not.toHaveProperty('displayName');
      const session = await t.http.get('/api/auth/session').set('Cookie', cookie).expect(200);
      expect(session.body.tenants).toEqual([{ id: acme.id, name: 'Acme', role: 'member', default: true }]);
      await t.http.get('/api/v1/whoami').set('Cookie', cookie).expect(200);

      await scim.patch(`/Users/${user.id}`, patchOp({ op: 'replace', value: { active: false } })).expect(200);
      const [{ revoked }] = await db().query('SELECT count(*)::int AS revoked FROM sessions WHERE fid = $1 AND revoked_at IS NOT NULL', [who.fid]);
      expect(revoked).toBe(1);
      await t.http.get('/api/v1/whoami').set('Cookie', cookie).expect(401);
      await t.http.get('/api/auth/session').set('Cookie', cookie).expect(401);

      await scim.patch(`/Users/${user.id}`, patchOp({ op: 'replace', value: { active: true } })).expect(200);
      const again = await signIn(t, who);
      await t.http.get('/api/v1/whoami').set('Cookie', again.cookie).expect(200);
    });

    it('deactivating a user who also belongs elsewhere refuses this tenant at once and keeps the other', async () => {
      const who = registry.register();
      const { cookie } = await signIn(t, who);
      const user = await create(scim, 'kim.two@acme.com', { [FARCASTER_SCHEMA]: { fid: who.fid } });
      await t.http.get('/api/v1/whoami').set('Cookie', cookie).set('X-Tenant-Id', acme.id).expect(200);
      await scim.patch(`/Users/${user.id}`, patchOp({ op: 'Replace', path: 'active', value: 'False' })).expect(200);
      const refused = await t.http.get('/api/v1/whoami').set('Cookie', cookie).set('X-Tenant-Id', acme.id).expect(401);
      expect(refused.body.code).toBe('user_deactivated');
      await t.http.get('/api/v1/whoami').set('Cookie', cookie).expect(200);
    });

    it('deleting ends the session too; the tenant keeps its data', async () => {
      const who = registry.register();
      const user = await create(scim, 'lou.del@acme.com', { [FARCASTER_SCHEMA]: { fid: who.fid } });
      const { cookie } = await signIn(t, who);
      await t.http.get('/api/v1/whoami').set('Cookie', cookie).expect(200);
      await scim.delete(`/Users/${user.id}`).expect(204);
      await t.http.get('/api/v1/whoami').set('Cookie', cookie).expect(401);
      await t.http.get('/api/v1/tenants/current').auth(acme.adminKey, { type: 'bearer' }).expect(200);
    });

    it('refuses a fid another user of the tenant already has', async () => {
      const who = registry.register();
      await create(scim, 'mia.one@acme.com', { [FARCASTER_SCHEMA]: { fid: who.fid } });
      const res = await scim.post('/Users', newUser('mia.two@acme.com', { [FARCASTER_SCHEMA]: { fid: who.fid } })).expect(409);
      expect(res.body).toEqual(scimError(409, 'uniqueness'));
    });
  });

  describe('Groups and roles', () => {
    it('makes members of a group named in scim_admin_groups admins, and back', async () => {
      const who = registry.register();
      const user = await create(scim, 'nia.admin@acme.com', { [FARCASTER_SCHEMA]: { fid: who.fid } });
      const { cookie } = await signIn(t, who);
      const role = async () => (await t.http.get('/api/auth/session').set('Cookie', cookie).expect(200)).body.tenants[0].role;
      await t.http.patch('/api/v1/tenants/current').auth(acme.adminKey, { type: 'bearer' }).send({ settings: { scim_admin_groups: ['Referral OS Admins'] } }).expect(200);

      const group = (await scim.post('/Groups', { schemas: [GROUP_SCHEMA], displayName: 'referral os admins', members: [{ value: user.id }] }).expect(201)).body;
      expect(await role()).toBe('admin');
      expect((await scim.get(`/Users/${user.id}`).expect(200)).body.groups).toEqual([
        { value: group.id, display: 'referral os admins', $ref: `${BASE}/scim/v2/Groups/${group.id}` },
      ]);
      await scim.patch(`/Groups/${group.id}`, patchOp({ op: 'replace', path: 'displayName', value: 'Everyone' })).expect(204).expect('ETag', 'W/"2"');
      expect(await role()).toBe('member');
      await t.http.patch('/api/v1/tenants/current').auth(acme.adminKey, { type: 'bearer' }).send({ settings: { scim_admin_groups: ['everyone'] } }).expect(200);
      expect(await role()).toBe('admin');
      await scim.delete(`/Groups/${group.id}`).expect(204);
      expect(await role()).toBe('member');
    });

    it('refuses members that are not users of the tenant, writing nothing', async () => {
      const foreign = await create(globexScim, 'olga.foreign@globex.com');
      const res = await scim.post('/Groups', { schemas: [GROUP_SCHEMA], displayName: 'Mixed', members: [{ value: foreign.id }] }).expect(400);
      expect(res.body).toEqual(scimError(400, 'invalidValue'));
      expect((await scim.get(`/Groups?${filter('displayName eq "Mixed"')}`).expect(200)).body.totalResults).toBe(0);
    });

    it('refuses a duplicate displayName (case-insensitive) with 409 uniqueness', async () => {
      await scim.post('/Groups', { schemas: [GROUP_SCHEMA], displayName: 'Sales' }).expect(201);
      const res = await scim.post('/Groups', { schemas: [GROUP_SCHEMA], displayName: 'SALES' }).expect(409);
      expect(res.body).toEqual(scimError(409, 'uniqueness'));
    });

    it('filters groups by displayName and members, pages, and PUT replaces the member list', async () => {
      const a = await create(scim, 'pia.member@acme.com');
      const b = await create(scim, 'quin.member@acme.com');
      const group = (await scim.post('/Groups', { schemas: [GROUP_SCHEMA], displayName: 'Support', externalId: 'g-9', members: [{ value: a.id }] }).expect(201)).body;
      expect((await scim.get(`/Groups?${filter(`members.value eq "${a.id}"`)}`).expect(200)).body.Resources.map((g: { id: string }) => g.id)).toEqual([group.id]);
      expect((await scim.get(`/Groups?${filter('externalId eq "g-9"')}&excludedAttributes=members`).expect(200)).body.Resources).toEqual([
        { schemas: [GROUP_SCHEMA], id: group.id, externalId: 'g-9', displayName: 'Support', meta: group.meta },
      ]);
      const put = await scim.put(`/Groups/${group.id}`, { schemas: [GROUP_SCHEMA], displayName: 'Support', members: [{ value: b.id }] }).expect(200);
      expect(put.body.members.map((m: { value: string }) => m.value)).toEqual([b.id]);
      expect(put.body).not.toHaveProperty('externalId');
      expect(put.headers.etag).toBe('W/"2"');
    });
  });

  describe('discovery', () => {
    it('describes what is supported', async () => {
      const config = await scim.get('/ServiceProviderConfig').expect(200);
      expect(config.body).toMatchObject({
        schemas: ['urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig'],
        patch: { supported: true },
        bulk: { supported: false },
        filter: { supported: true, maxResults: 100 },
        changePassword: { supported: false },
        sort: { supported: false },
        etag: { supported: true },
        authenticationSchemes: [expect.objectContaining({ type: 'oauthbearertoken' })],
      });
      const types = await scim.get('/ResourceTypes').expect(200);
      expect(types.body).toMatchObject({ schemas: [LIST_RESPONSE], totalResults: 2 });
      expect(types.body.Resources.map((r: { endpoint: string }) => r.endpoint)).toEqual(['/Users', '/Groups']);
      expect((await scim.get('/ResourceTypes/User').expect(200)).body.schema).toBe(USER_SCHEMA);
      const schemas = await scim.get('/Schemas').expect(200);
      expect(schemas.body.Resources.map((s: { id: string }) => s.id)).toEqual([USER_SCHEMA, GROUP_SCHEMA, FARCASTER_SCHEMA]);
      const user = await scim.get(`/Schemas/${USER_SCHEMA}`).expect(200);
      expect(user.body.attributes.map((a: { name: string }) => a.name)).toEqual(['userName', 'externalId', 'name', 'displayName', 'emails', 'active', 'groups']);
      await scim.get('/Schemas/urn:nope').expect(404);
    });

    it('documents every SCIM route in Swagger', async () => {
      const doc = (await t.http.get('/docs-json').expect(200)).body;
      for (const path of ['/scim/v2/Users', '/scim/v2/Users/{id}', '/scim/v2/Groups', '/scim/v2/Groups/{id}', '/scim/v2/ServiceProviderConfig', '/scim/v2/ResourceTypes', '/scim/v2/Schemas', '/scim/v2/Schemas/{id}', '/api/v1/audit-log']) {
        expect(doc.paths[path]).toBeDefined();
      }
      expect(doc.paths['/scim/v2/Users/{id}'].patch.responses['412']).toBeDefined();
      expect(doc.paths['/scim/v2/Users'].get.responses['401'].content['application/scim+json'].schema.properties.scimType).toBeDefined();
    });
  });

  describe('tenant isolation', () => {
    it("never shows or changes another tenant's users or groups", async () => {
      const mine = await create(scim, 'ray.iso@acme.com');
      const group = (await scim.post('/Groups', { schemas: [GROUP_SCHEMA], displayName: 'Isolated', members: [{ value: mine.id }] }).expect(201)).body;
      const theirs = (await globexScim.get(`/Users?${filter('userName eq "ray.iso@acme.com"')}`).expect(200)).body;
      expect(theirs.totalResults).toBe(0);
      expect((await globexScim.get(`/Groups?${filter('displayName eq "Isolated"')}`).expect(200)).body.totalResults).toBe(0);
      for (const req of [
        globexScim.get(`/Users/${mine.id}`),
        globexScim.put(`/Users/${mine.id}`, newUser('ray.iso@acme.com')),
        globexScim.patch(`/Users/${mine.id}`, patchOp({ op: 'replace', value: { active: false } })),
        globexScim.delete(`/Users/${mine.id}`),
        globexScim.get(`/Groups/${group.id}`),
        globexScim.patch(`/Groups/${group.id}`, patchOp({ op: 'remove', path: 'members' })),
        globexScim.delete(`/Groups/${group.id}`),
      ]) {
        expect((await req).status).toBe(404);
      }
      const other = await create(globexScim, 'sam.globex@globex.com');
      const res = await scim.patch(`/Groups/${group.id}`, patchOp({ op: 'add', path: 'members', value: [{ value: other.id }] })).expect(400);
      expect(res.body.scimType).toBe('invalidValue');
      expect((await scim.get(`/Users/${mine.id}`).expect(200)).body).toMatchObject({ active: true, meta: { version: 'W/"1"' } });
      expect((await scim.get(`/Groups/${group.id}`).expect(200)).body.members).toHaveLength(1);
    });
  });

  describe('audit log', () => {
    it('records every SCIM change with the key that made it, for tenant admins only', async () => {
      const tenant = await createTenant(t);
      const client = await createScimClient(t, tenant);
      const user = await create(client, 'tia.audit@audit.example');
      t.clock.advance(1_000);
      await client.patch(`/Users/${user.id}`, patchOp({ op: 'replace', path: 'name.familyName', value: 'Audit' })).expect(200);
      t.clock.advance(1_000);
      await client.patch(`/Users/${user.id}`, patchOp({ op: 'replace', value: { active: false } })).expect(200);
      t.clock.advance(1_000);
      await client.patch(`/Users/${user.id}`, patchOp({ op: 'replace', value: { active: true } })).expect(200);
      t.clock.advance(1_000);
      const group = (await client.post('/Groups', { schemas: [GROUP_SCHEMA], displayName: 'Auditors', members: [{ value: user.id }] }).expect(201)).body;
      t.clock.advance(1_000);
      await client.delete(`/Groups/${group.id}`).expect(204);
      t.clock.advance(1_000);
      await client.delete(`/Users/${user.id}`).expect(204);
      t.clock.advance(1_000);
      await client.post('/Users', newUser('tia.audit@AUDIT.example')).expect(201);
      await client.post('/Users', newUser('tia.audit@audit.example')).expect(409);

      const res = await t.http.get('/api/v1/audit-log?limit=10').auth(tenant.adminKey, { type: 'bearer' }).expect(200);
      expect(res.body.total).toBe(8);
      expect(res.body.data.map((e: { action: string }) => e.action)).toEqual([
        'user.created',
        'user.deleted',
        'group.deleted',
        'group.created',
        'user.reactivated',
        'user.deactivated',
        'user.updated',
        'user.created',
      ]);
      expect(res.body.data[6]).toEqual({
        id: expect.any(String),
        actor_api_key_id: client.keyId,
        action: 'user.updated',
        resource_type: 'User',
        resource_id: user.id,
        summary: 'tia.audit@audit.example: name.familyName',
        created_at: expect.any(String),
      });
      await t.http.get('/api/v1/audit-log').auth(client.key, { type: 'bearer' }).expect(403);
      await t.http.get('/api/v1/audit-log').expect(401);
      expect((await t.http.get('/api/v1/audit-log').auth(globex.adminKey, { type: 'bearer' }).expect(200)).body.data.every((e: { resource_id: string }) => e.resource_id !== user.id)).toBe(true);
    });
  });

  describe('rate limit', () => {
    it('allows SCIM_RATE_LIMIT_PER_TENANT requests a minute per tenant, then 429 as a SCIM error', async () => {
      const limited = await createTestApp({ SCIM_RATE_LIMIT_PER_TENANT: '3' });
      try {
        const tenant = await createTenant(limited);
        const first = await createScimClient(limited, tenant);
        const second = await createScimClient(limited, tenant);
        const other = await createScimClient(limited, await createTenant(limited));
        for (const client of [first, second, first]) await client.get('/Users').expect(200);
        const res = await second.get('/Users').expect(429);
        expect(res.body).toEqual(scimError(429));
        expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
        await other.get('/Users').expect(200);
      } finally {
        await limited.close();
      }
    });
  });
});
