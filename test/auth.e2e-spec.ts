import { FARCASTER_CONNECTOR } from '@refos/identity';
import { createHash } from 'node:crypto';
import { DataSource } from 'typeorm';
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';
import {
  attemptSignIn,
  FakeFarcasterRegistry,
  FarcasterAccount,
  getNonce,
  randomIp,
  sessionCookie,
  signIn,
  siwfMessage,
} from './factories/sessions';
import { createTenant, TenantFixture } from './factories/tenants';
import { createTestApp, TestApp } from './support/test-app';

const BASE = 'https://app.refos.test';
const DASHBOARD = 'https://dashboard.refos.test';
const MINUTE = 60_000;

describe('auth: Sign In With Farcaster, sessions, CSRF', () => {
  let t: TestApp;
  let registry: FakeFarcasterRegistry;
  let acme: TenantFixture;

  beforeAll(async () => {
    registry = new FakeFarcasterRegistry();
    t = await createTestApp({ PUBLIC_BASE_URL: BASE, DASHBOARD_ORIGINS: DASHBOARD }, undefined, [
      { provide: FARCASTER_CONNECTOR, useValue: registry.connector },
    ]);
    // The library checks expirationTime against the real clock: keep ours near it.
    t.clock.set(new Date());
    acme = await createTenant(t, 'Acme');
  });
  afterAll(() => t.close());

  const db = () => t.app.get(DataSource);
  const sessionCount = async () => (await db().query('SELECT count(*)::int AS n FROM sessions'))[0].n as number;

  describe('GET /api/auth/nonce', () => {
    it('issues a single-use base62 nonce valid for 10 minutes, never cached', async () => {
      const res = await t.http.get('/api/auth/nonce').set('X-Forwarded-For', randomIp()).expect(200);
      expect(res.body.nonce).toMatch(/^[0-9A-Za-z]{16,}$/);
      expect(new Date(res.body.expires_at).getTime()).toBe(t.clock.now().getTime() + 10 * MINUTE);
      expect(res.headers['cache-control']).toBe('no-store');
    });

    it('is limited to 30 a minute per IP', async () => {
      const ip = randomIp();
      for (let i = 0; i < 30; i++) await t.http.get('/api/auth/nonce').set('X-Forwarded-For', ip).expect(200);
      const res = await t.http.get('/api/auth/nonce').set('X-Forwarded-For', ip).expect(429);
      expect(res.body.code).toBe('rate_limited');
      await t.http.get('/api/auth/nonce').set('X-Forwarded-For', randomIp()).expect(200);
    });
  });

  describe('POST /api/auth/siwf', () => {
    it('signs in with a real signature: sets the cookie, creates the user and a personal tenant it owns', async () => {
      const alice = registry.register();
      const res = await attemptSignIn(t, alice, { body: { username: 'alice', display_name: 'Alice' } });
      expect(res.status).toBe(200);
      expect(res.body).toEqual({
        user: { fid: alice.fid, username: 'alice', display_name: 'Alice' },
        tenants: [{ id: expect.any(String), name: '@alice', role: 'owner', default: true }],
        session: { id: expect.any(String), created_at: t.clock.now().toISOString(), expires_at: expect.any(String) },
      });
      expect(new Date(res.body.session.expires_at).getTime()).toBe(t.clock.now().getTime() + 14 * 24 * 60 * MINUTE);

      const setCookie = ([] as string[]).concat(res.headers['set-cookie']).find((c) => c.startsWith('refos_session='))!;
      expect(setCookie).toMatch(/^refos_session=[0-9A-Za-z]{43}; /);
      expect(setCookie).toMatch(/; Path=\//);
      expect(setCookie).toMatch(/; HttpOnly/);
      expect(setCookie).toMatch(/; SameSite=Lax/);
      expect(setCookie).not.toMatch(/Secure/);

      const token = sessionCookie(res)!.split('=')[1];
      const [session] = await db().query('SELECT fid::int AS fid, token_hash, user_agent FROM sessions WHERE id = $1', [res.body.session.id]);
      expect(session.fid).toBe(alice.fid);
      expect(session.token_hash).toBe(createHash('sha256').update(token).digest('hex'));
      const users = await db().query('SELECT tenant_id, role, active, username FROM users WHERE fid = $1', [alice.fid]);
      expect(users).toEqual([{ tenant_id: res.body.tenants[0].id, role: 'owner', active: true, username: 'alice' }]);
    });

    it('reuses the user and personal tenant on later sign-ins', async () => {
      const bob = registry.register();
      const first = await signIn(t, bob);
      expect(first.res.body.tenants).toEqual([{ id: expect.any(String), name: `fid ${bob.fid}`, role: 'owner', default: true }]);
      const second = await signIn(t, bob);
      expect(second.res.body.tenants).toEqual(first.res.body.tenants);
      expect(second.cookie).not.toBe(first.cookie);
      const [{ n }] = await db().query('SELECT count(*)::int AS n FROM users WHERE fid = $1', [bob.fid]);
      expect(n).toBe(1);
    });

    it('creates one personal tenant when a FID signs in twice at the same time', async () => {
      const carol = registry.register();
      const results = await Promise.all([attemptSignIn(t, carol), attemptSignIn(t, carol), attemptSignIn(t, carol)]);
      expect(results.map((r) => r.status)).toEqual([200, 200, 200]);
      const tenants = await db().query('SELECT DISTINCT tenant_id FROM users WHERE fid = $1', [carol.fid]);
      expect(tenants).toHaveLength(1);
    });

    it('accepts a signature by an auth address of the FID', async () => {
      const dave = registry.register();
      const authKey = registry.addAuthAddress(dave.fid);
      const res = await attemptSignIn(t, dave, { signer: authKey });
      expect(res.status).toBe(200);
      expect(res.body.user.fid).toBe(dave.fid);
    });

    it('refuses a replayed message: the nonce is spent', async () => {
      const erin = registry.register();
      const nonce = await getNonce(t);
      const message = siwfMessage(t, erin.fid, erin.custody.address, nonce);
      const signature = await erin.custody.signMessage({ message });
      await t.http.post('/api/auth/siwf').set('X-Forwarded-For', randomIp()).send({ message, signature }).expect(200);
      const before = await sessionCount();
      const replay = await t.http.post('/api/auth/siwf').set('X-Forwarded-For', randomIp()).send({ message, signature }).expect(401);
      expect(replay.body).toEqual({
        statusCode: 401,
        error: 'Unauthorized',
        message: expect.stringContaining('nonce'),
        code: 'invalid_nonce',
        requestId: expect.any(String),
      });
      expect(sessionCookie(replay)).toBeUndefined();
      expect(await sessionCount()).toBe(before);
    });

    type Case = [string, string, (who: FarcasterAccount) => Promise<Parameters<typeof attemptSignIn>[2]>];
    const cases: Case[] = [
      ['a wrong domain', 'invalid_domain', async () => ({ message: { domain: 'evil.example' } })],
      ['a URI on another origin', 'invalid_uri', async () => ({ message: { uri: 'https://evil.example/login' } })],
      ['an expired message', 'message_expired', async () => ({ message: { expirationTime: new Date(t.clock.now().getTime() - 1000) } })],
      ['a message issued 11 minutes ago', 'message_expired', async () => ({ message: { issuedAt: new Date(t.clock.now().getTime() - 11 * MINUTE) } })],
      ['a message issued 5 minutes in the future', 'message_not_yet_valid', async () => ({ message: { issuedAt: new Date(t.clock.now().getTime() + 5 * MINUTE) } })],
      ['a nonce never issued', 'invalid_nonce', async () => ({ message: { nonce: 'NeverIssuedNonce1234' } })],
      ['a body nonce other than the message\'s', 'invalid_nonce', async () => ({ body: { nonce: 'SomeOtherNonce123456' } })],
      ['a signature by another key', 'invalid_signature', async (who) => ({ signer: privateKeyToAccount(generatePrivateKey()), address: who.custody.address })],
      ['a signer that is not the FID\'s custody or auth address', 'fid_mismatch', async () => ({ signer: privateKeyToAccount(generatePrivateKey()) })],
      ['the custody key of another FID', 'fid_mismatch', async () => ({ signer: registry.register().custody })],
      ['a statement other than "Farcaster Auth"', 'invalid_message', async () => ({ message: { statement: 'Sign in to win' } })],
      ['a chain other than Optimism', 'invalid_message', async () => ({ message: { chainId: 1 } })],
    ];
    it.each(cases)('refuses %s with 401 %s and creates no session', async (_case, code, options) => {
      const who = registry.register();
      const before = await sessionCount();
      const res = await attemptSignIn(t, who, await options(who));
      expect(res.status).toBe(401);
      expect(res.body).toMatchObject({ statusCode: 401, error: 'Unauthorized', code, requestId: expect.any(String) });
      expect(sessionCookie(res)).toBeUndefined();
      expect(await sessionCount()).toBe(before);
      const [{ n }] = await db().query('SELECT count(*)::int AS n FROM users WHERE fid = $1', [who.fid]);
      expect(n).toBe(0);
    });

    it('refuses a nonce that expired before use', async () => {
      const who = registry.register();
      const nonce = await getNonce(t);
      t.clock.advance(10 * MINUTE + 1000);
      const res = await attemptSignIn(t, who, { message: { nonce } });
      expect(res.status).toBe(401);
      expect(res.body.code).toBe('invalid_nonce');
    });

    it('refuses a message that is not SIWE, and validates the body', async () => {
      const res = await t.http.post('/api/auth/siwf').set('X-Forwarded-For', randomIp()).send({ message: 'hello', signature: '0xabcd' }).expect(401);
      expect(res.body.code).toBe('invalid_message');
      const bad = await t.http.post('/api/auth/siwf').set('X-Forwarded-For', randomIp()).send({ message: 'hello', signature: 'nope', extra: 1 }).expect(400);
      expect(bad.body.code).toBe('validation_failed');
    });
  });

  describe('the session on management endpoints', () => {
    let frank: FarcasterAccount;
    let cookie: string;
    let personalTenantId: string;

    beforeAll(async () => {
      frank = registry.register();
      const signedIn = await signIn(t, frank);
      cookie = signedIn.cookie;
      personalTenantId = signedIn.res.body.tenants[0].id;
    });

    it('GET /api/auth/session answers the user, their tenants and the expiry', async () => {
      const res = await t.http.get('/api/auth/session').set('Cookie', cookie).expect(200);
      expect(res.body).toMatchObject({
        user: { fid: frank.fid },
        tenants: [{ id: personalTenantId, role: 'owner', default: true }],
        session: { expires_at: expect.any(String) },
      });
      const none = await t.http.get('/api/auth/session').expect(401);
      expect(none.body).toMatchObject({ statusCode: 401, code: 'unauthorized', requestId: expect.any(String) });
      await t.http.get('/api/auth/session').set('Cookie', 'refos_session=forged').expect(401);
    });

    it('reads the personal tenant and its keys, scoped to it', async () => {
      const tenant = await t.http.get('/api/v1/tenants/current').set('Cookie', cookie).expect(200);
      expect(tenant.body).toMatchObject({ id: personalTenantId, name: `fid ${frank.fid}` });
      const keys = await t.http.get('/api/v1/api-keys').set('Cookie', cookie).expect(200);
      expect(keys.body).toMatchObject({ total: 0, data: [] });
      await t.http.get(`/api/v1/api-keys/${acme.adminKeyId}`).set('Cookie', cookie).expect(404);
    });

    it('whoami names the tenant, the user and the session instead of a key', async () => {
      const res = await t.http.get('/api/v1/whoami').set('Cookie', cookie).expect(200);
      expect(res.body).toMatchObject({
        tenant: { id: personalTenantId },
        user: { fid: frank.fid, role: 'owner', active: true },
        session: { id: expect.any(String), expires_at: expect.any(String) },
      });
      expect(res.body.api_key).toBeUndefined();
    });

    it('answers 404 for X-Tenant-Id of a tenant the user is not in, as for one that does not exist', async () => {
      for (const id of [acme.id, '00000000-0000-4000-8000-000000000000', 'not-a-uuid']) {
        const res = await t.http.get('/api/v1/tenants/current').set('Cookie', cookie).set('X-Tenant-Id', id).expect(404);
        expect(res.body).toMatchObject({ statusCode: 404, code: 'not_found', requestId: expect.any(String) });
      }
    });

    it('switches tenant with X-Tenant-Id; a member reads but cannot manage', async () => {
      await db().query(`INSERT INTO users (tenant_id, fid, role) VALUES ($1, $2, 'member')`, [acme.id, frank.fid]);
      const current = await t.http.get('/api/v1/tenants/current').set('Cookie', cookie).set('X-Tenant-Id', acme.id).expect(200);
      expect(current.body).toMatchObject({ id: acme.id, name: 'Acme' });
      const res = await t.http.get('/api/v1/api-keys').set('Cookie', cookie).set('X-Tenant-Id', acme.id).expect(403);
      expect(res.body.code).toBe('insufficient_scope');
      const session = await t.http.get('/api/auth/session').set('Cookie', cookie).expect(200);
      expect(session.body.tenants).toEqual([
        { id: personalTenantId, name: `fid ${frank.fid}`, role: 'owner', default: true },
        { id: acme.id, name: 'Acme', role: 'member', default: false },
      ]);
      // Without the header the personal tenant is still the default.
      const own = await t.http.get('/api/v1/tenants/current').set('Cookie', cookie).expect(200);
      expect(own.body.id).toBe(personalTenantId);
    });

    it('lets an API key take precedence over the cookie', async () => {
      const byKey = await t.http.get('/api/v1/tenants/current').set('Cookie', cookie).auth(acme.adminKey, { type: 'bearer' }).expect(200);
      expect(byKey.body.id).toBe(acme.id);
      await t.http.get('/api/v1/tenants/current').set('Cookie', cookie).auth('dlk_wrong', { type: 'bearer' }).expect(401);
    });

    describe('CSRF: cookie-authenticated changes need a trusted Origin', () => {
      const create = () => t.http.post('/api/v1/api-keys').set('Cookie', cookie).send({ name: 'from the dashboard', scopes: ['read'] });

      it.each([
        ['no Origin or Referer', {}],
        ['a foreign Origin', { Origin: 'https://evil.example' }],
        ['an opaque Origin', { Origin: 'null' }],
        ['a trusted Referer under a foreign Origin', { Origin: 'https://evil.example', Referer: `${BASE}/keys` }],
        ['a foreign Referer', { Referer: 'https://evil.example/page' }],
        ['a look-alike origin', { Origin: `${BASE}.evil.example` }],
      ])('refuses %s with 403 and creates nothing', async (_case, headers) => {
        const res = await create().set(headers).expect(403);
        expect(res.body).toMatchObject({ statusCode: 403, error: 'Forbidden', code: 'csrf_origin_mismatch', requestId: expect.any(String) });
        const keys = await t.http.get('/api/v1/api-keys').set('Cookie', cookie).expect(200);
        expect(keys.body.total).toBe(0);
      });

      it.each([
        ['the API\'s own Origin', { Origin: BASE }],
        ['a DASHBOARD_ORIGINS Origin', { Origin: DASHBOARD }],
        ['a trusted Referer without Origin', { Referer: `${DASHBOARD}/settings/keys` }],
      ])('accepts %s', async (_case, headers) => {
        const res = await create().set(headers).expect(201);
        expect(res.body.key).toMatch(/^dlk_/);
      });

      it('does not apply to API keys', async () => {
        await t.http
          .post('/api/v1/api-keys')
          .auth(acme.adminKey, { type: 'bearer' })
          .set('Origin', 'https://evil.example')
          .send({ name: 'server side', scopes: ['read'] })
          .expect(201);
      });
    });

    it('logout revokes the session server-side and clears the cookie', async () => {
      const { cookie: other } = await signIn(t, frank);
      const refused = await t.http.post('/api/auth/logout').set('Cookie', other).set('Origin', 'https://evil.example').expect(403);
      expect(refused.body.code).toBe('csrf_origin_mismatch');
      const res = await t.http.post('/api/auth/logout').set('Cookie', other).set('Origin', BASE).expect(204);
      expect(([] as string[]).concat(res.headers['set-cookie'])[0]).toMatch(/^refos_session=; .*Expires=Thu, 01 Jan 1970/);
      await t.http.get('/api/auth/session').set('Cookie', other).expect(401);
      await t.http.get('/api/v1/tenants/current').set('Cookie', other).expect(401);
      await t.http.post('/api/auth/logout').set('Cookie', other).set('Origin', BASE).expect(204);
      await t.http.post('/api/auth/logout').expect(204);
      // Other sessions of the same FID live on.
      await t.http.get('/api/v1/tenants/current').set('Cookie', cookie).expect(200);
    });

    it('refuses a deactivated user at once, and their next sign-in', async () => {
      const gina = registry.register();
      const { cookie: ginaCookie } = await signIn(t, gina);
      await t.http.get('/api/v1/tenants/current').set('Cookie', ginaCookie).expect(200);
      await db().query('UPDATE users SET active = false WHERE fid = $1', [gina.fid]);
      const res = await t.http.get('/api/v1/tenants/current').set('Cookie', ginaCookie).expect(401);
      expect(res.body).toMatchObject({ statusCode: 401, code: 'user_deactivated', requestId: expect.any(String) });
      await t.http.get('/api/auth/session').set('Cookie', ginaCookie).expect(401);
      const before = await sessionCount();
      const again = await attemptSignIn(t, gina);
      expect(again.status).toBe(401);
      expect(again.body.code).toBe('user_deactivated');
      expect(sessionCookie(again)).toBeUndefined();
      expect(await sessionCount()).toBe(before);
    });

    it('expires after SESSION_TTL_HOURS (14 days)', async () => {
      const { cookie: fresh } = await signIn(t, frank);
      t.clock.advance(14 * 24 * 60 * MINUTE - 1000);
      await t.http.get('/api/v1/tenants/current').set('Cookie', fresh).expect(200);
      t.clock.advance(1000);
      const res = await t.http.get('/api/v1/tenants/current').set('Cookie', fresh).expect(401);
      expect(res.body).toMatchObject({ statusCode: 401, code: 'unauthorized' });
      await t.http.get('/api/auth/session').set('Cookie', fresh).expect(401);
    });
  });

  it('documents the cookie scheme and the auth routes in Swagger', async () => {
    const doc = (await t.http.get('/docs-json').expect(200)).body;
    expect(doc.components.securitySchemes.session).toMatchObject({ type: 'apiKey', in: 'cookie', name: 'refos_session' });
    expect(doc.paths['/api/auth/siwf'].post.responses).toHaveProperty('401');
    expect(doc.paths['/api/v1/api-keys'].post.security).toEqual(expect.arrayContaining([{ session: [] }]));
  });
});
