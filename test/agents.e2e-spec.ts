import { ActivateAgentReferralsJob, AgentReferralsService, PurgeAgentSignaturesJob } from '@refos/agents';
import { createHash } from 'node:crypto';
import { DataSource } from 'typeorm';
import { ed25519 } from '@noble/curves/ed25519';
import {
  AgentFixture,
  canonicalize,
  codeBody,
  createCode,
  newKey,
  registerAgent,
  registrationBody,
  review,
  reviewBody,
  signIn,
  signMessage,
  xff,
} from './factories/agents';
import { createTestApp, TestApp } from './support/test-app';

const BEARER = { type: 'bearer' as const };
const DAY = 24 * 3600_000;
const HOST = 'agents.test';
const DID_PATTERN = new RegExp(`^did:web:${HOST}:agent:[0-9a-f-]{36}$`);
const SIGNED_PER_IP = 5;

describe('agents and agent referrals (seed 001)', () => {
  let t: TestApp;
  const now = () => t.clock.now().getTime();
  const sql = <T = Record<string, unknown>>(query: string, params: unknown[] = []) => t.app.get(DataSource).query(query, params) as Promise<T[]>;
  const count = async (table: string) => (await sql<{ n: number }>(`SELECT count(*)::int AS n FROM ${table}`))[0].n;
  const activate = () => t.app.get(AgentReferralsService).activatePending();
  const register = (body: object) => t.http.post('/api/agents/register').set(xff()).send(body);
  /** An agent old enough to create codes, with a token valid now. */
  const established = async (): Promise<AgentFixture> => {
    const agent = await registerAgent(t);
    t.clock.advance(7 * DAY);
    await signIn(t, agent);
    return agent;
  };

  beforeAll(async () => {
    t = await createTestApp({ PUBLIC_BASE_URL: `https://${HOST}`, AGENT_SIGNED_REQUESTS_PER_IP: String(SIGNED_PER_IP) });
  });
  afterAll(() => t.close());

  describe('POST /api/agents/register', () => {
    it('registers with a full profile: 201 with did, token and expires_at; the public profile shows it', async () => {
      const key = newKey();
      const profile = {
        name: 'Full Agent',
        description: 'Reviews pull requests',
        capabilities: [{ type: 'coding', description: 'TypeScript' }, { type: 'review' }],
        tags: ['typescript', 'ci'],
        website: 'https://agent.example',
        avatar: 'https://agent.example/a.png',
      };
      const res = await register(registrationBody(key, { profile, timestamp: now() })).expect(201);
      expect(res.body).toEqual({ did: expect.stringMatching(DID_PATTERN), token: expect.any(String), expires_at: now() + DAY });
      const got = await t.http.get(`/api/agents/${res.body.did}`).expect(200);
      expect(got.body).toEqual({
        did: res.body.did,
        public_key: key.publicKey,
        profile,
        reputation: 0,
        tier: 'new',
        review_count: 0,
        average_rating: null,
        effective_reviews: 0,
        created_at: now(),
      });
    });

    it('fills a minimal profile with its nulls and defaults (as signed)', async () => {
      const agent = await registerAgent(t, { profile: { name: 'Minimal' } });
      const got = await t.http.get(`/api/agents/${agent.did}`).expect(200);
      expect(got.body.profile).toEqual({ name: 'Minimal', description: null, capabilities: [], tags: [], website: null, avatar: null });
    });

    it('accepts a timestamp up to 5 minutes off and refuses one beyond, either way', async () => {
      await register(registrationBody(newKey(), { timestamp: now() - 5 * 60_000 })).expect(201);
      await register(registrationBody(newKey(), { timestamp: now() + 5 * 60_000 })).expect(201);
      const before = await count('agents');
      for (const offset of [-5 * 60_000 - 1, 5 * 60_000 + 1, -DAY]) {
        const res = await register(registrationBody(newKey(), { timestamp: now() + offset })).expect(401);
        expect(res.body).toMatchObject({ statusCode: 401, error: 'Unauthorized', code: 'timestamp_out_of_window' });
      }
      expect(await count('agents')).toBe(before);
    });

    it('refuses a replayed registration (same signature) with 401 signature_replayed', async () => {
      const body = registrationBody(newKey(), { timestamp: now() });
      await register(body).expect(201);
      const res = await register(body).expect(401);
      expect(res.body.code).toBe('signature_replayed');
    });

    it.each([
      ['a tampered profile name', (b: ReturnType<typeof registrationBody>) => ({ ...b, profile: { ...b.profile, name: 'Mallory' } })],
      ['a tampered timestamp', (b: ReturnType<typeof registrationBody>) => ({ ...b, timestamp: b.timestamp + 1 })],
      ['an added referrer', (b: ReturnType<typeof registrationBody>) => ({ ...b, referrer: 'ABC123XY' })],
      ['another key\'s public_key', (b: ReturnType<typeof registrationBody>) => ({ ...b, public_key: newKey().publicKey })],
    ])('refuses %s with 401 invalid_signature and writes nothing', async (_case, tamper) => {
      const before = await count('agents');
      const res = await register(tamper(registrationBody(newKey(), { timestamp: now() }))).expect(401);
      expect(res.body.code).toBe('invalid_signature');
      expect(await count('agents')).toBe(before);
    });

    it('purges accepted signatures once the window refuses their timestamps (scheduled job); a replay stays refused', async () => {
      const body = registrationBody(newKey(), { timestamp: now() });
      await register(body).expect(201);
      const hash = createHash('sha256').update(Buffer.from(body.signature, 'hex')).digest('hex');
      const stored = async () => (await sql<{ n: number }>(`SELECT count(*)::int AS n FROM agent_signatures WHERE signature_hash = $1`, [hash]))[0].n;
      expect(await stored()).toBe(1);
      t.clock.advance(11 * 60_000);
      await t.app.get(PurgeAgentSignaturesJob).tick();
      expect(await stored()).toBe(0);
      expect((await register(body).expect(401)).body.code).toBe('timestamp_out_of_window');
    });

    it('refuses a signature over non-canonical JSON (keys unsorted)', async () => {
      const key = newKey();
      const timestamp = now();
      const unsorted = JSON.stringify({ purpose: 'registration', public_key: key.publicKey, timestamp, profile: { name: 'X', description: null, capabilities: [], tags: [], website: null, avatar: null } });
      const signature = Buffer.from(ed25519.sign(Buffer.from(unsorted), key.secretKey)).toString('hex');
      await register({ public_key: key.publicKey, profile: { name: 'X' }, timestamp, signature }).expect(401);
    });

    it('refuses a key that is already registered with 409 agent_exists', async () => {
      const key = newKey();
      await register(registrationBody(key, { timestamp: now() })).expect(201);
      const res = await register(registrationBody(key, { timestamp: now() - 1 })).expect(409);
      expect(res.body.code).toBe('agent_exists');
    });

    it.each([
      ['a short public_key', { public_key: 'abcd' }],
      ['a non-hex signature', { signature: 'zz'.repeat(64) }],
      ['no timestamp', { timestamp: undefined }],
      ['a fractional timestamp', { timestamp: 1.5 }],
      ['no profile', { profile: undefined }],
      ['an empty name', { profile: { name: '' } }],
      ['a capability without type', { profile: { name: 'A', capabilities: [{}] } }],
      ['a javascript website', { profile: { name: 'A', website: 'javascript:alert(1)' } }],
      ['an unknown field', { admin: true }],
      ['a non-string referrer', { referrer: 42 }],
    ])('refuses %s with 400 validation_failed', async (_case, fields) => {
      const before = await count('agents');
      const res = await register({ ...registrationBody(newKey(), { timestamp: now() }), ...fields }).expect(400);
      expect(res.body.code).toBe('validation_failed');
      expect(await count('agents')).toBe(before);
    });

    it(`limits signed requests to AGENT_SIGNED_REQUESTS_PER_IP (${SIGNED_PER_IP}) per IP per minute`, async () => {
      const ip = { 'x-forwarded-for': '203.0.113.77' };
      for (let i = 0; i < SIGNED_PER_IP; i++) {
        await t.http.post('/api/agents/register').set(ip).send(registrationBody(newKey(), { timestamp: now() })).expect(201);
      }
      const res = await t.http.post('/api/agents/register').set(ip).send(registrationBody(newKey(), { timestamp: now() })).expect(429);
      expect(res.headers['retry-after']).toBeDefined();
    });
  });

  describe('POST /api/agents/auth and tokens', () => {
    const signIn = (key: { publicKey: string; secretKey: Uint8Array }, timestamp = now()) => ({
      public_key: key.publicKey,
      timestamp,
      signature: signMessage(key, { public_key: key.publicKey, purpose: 'authenticate', timestamp }),
    });

    it('issues a fresh JWT that works, once per signature', async () => {
      const agent = await registerAgent(t);
      t.clock.advance(1000);
      const body = signIn(agent);
      const res = await t.http.post('/api/agents/auth').set(xff()).send(body).expect(200);
      expect(res.body).toEqual({ did: agent.did, token: expect.any(String), expires_at: now() + DAY });
      expect(res.body.token).not.toBe(agent.token);
      await t.http.get('/api/referrals/code').auth(res.body.token, BEARER).expect(200);
      expect((await t.http.post('/api/agents/auth').set(xff()).send(body).expect(401)).body.code).toBe('signature_replayed');
    });

    it('refuses an unknown key, a tampered body and a stale timestamp with 401', async () => {
      const agent = await registerAgent(t);
      expect((await t.http.post('/api/agents/auth').set(xff()).send(signIn(newKey())).expect(401)).body.code).toBe('unknown_agent');
      expect((await t.http.post('/api/agents/auth').set(xff()).send({ ...signIn(agent), timestamp: now() + 1 }).expect(401)).body.code).toBe('invalid_signature');
      expect((await t.http.post('/api/agents/auth').set(xff()).send(signIn(agent, now() - 6 * 60_000)).expect(401)).body.code).toBe('timestamp_out_of_window');
    });

    it('expires tokens after AGENT_TOKEN_TTL_HOURS (24)', async () => {
      const agent = await registerAgent(t);
      t.clock.advance(DAY - 1000);
      await t.http.get('/api/referrals/stats').auth(agent.token, BEARER).expect(200);
      t.clock.advance(1000);
      const res = await t.http.get('/api/referrals/stats').auth(agent.token, BEARER).expect(401);
      expect(res.body.code).toBe('invalid_token');
    });

    it.each([
      ['no token', undefined],
      ['a malformed token', 'not.a.jwt'],
      ['a tenant API key', 'dlk_abc_def'],
    ])('answers 401 to %s on every agent route', async (_case, token) => {
      const routes = [
        t.http.get('/api/referrals/code'),
        t.http.post('/api/referrals/code').send({}),
        t.http.delete('/api/referrals/code/ABC123XY'),
        t.http.get('/api/referrals/my'),
        t.http.get('/api/referrals/stats'),
        t.http.post('/api/referrals/ref_x/revoke'),
        t.http.post(`/api/agents/did:web:${HOST}:agent:00000000-0000-4000-8000-000000000000/reviews`).send({}),
      ];
      for (const req of routes) {
        const res = await (token ? req.auth(token, BEARER) : req);
        expect(res.status).toBe(401);
        expect(res.body.error).toBe('Unauthorized');
      }
    });
  });

  describe('GET /api/agents/:did', () => {
    it.each([
      ['an unknown id', `did:web:${HOST}:agent:00000000-0000-4000-8000-000000000000`],
      ['another host', 'did:web:elsewhere.example:agent:00000000-0000-4000-8000-000000000000'],
      ['a malformed DID', 'abc123'],
    ])('answers 404 for %s on every public agent route', async (_case, did) => {
      for (const path of [`/api/agents/${did}`, `/api/agents/${did}/reviews`, `/api/agents/${did}/referrals`]) {
        expect((await t.http.get(path).expect(404)).body.message).toBe('Agent not found');
      }
    });
  });

  describe('reviews', () => {
    it('creates (201), updates (200) and lists a review; profile shows count, average and tier', async () => {
      const subject = await registerAgent(t);
      const alice = await registerAgent(t);
      const bob = await registerAgent(t);
      const first = await t.http.post(`/api/agents/${subject.did}/reviews`).auth(alice.token, BEARER).send(reviewBody(alice, subject.did, now(), 3, 'ok')).expect(201);
      expect(first.body).toEqual({
        review_id: expect.any(String),
        subject_did: subject.did,
        reviewer_did: alice.did,
        rating: 3,
        comment: 'ok',
        created_at: now(),
        updated_at: now(),
      });
      t.clock.advance(60_000);
      const updated = await t.http.post(`/api/agents/${subject.did}/reviews`).auth(alice.token, BEARER).send(reviewBody(alice, subject.did, now(), 5)).expect(200);
      expect(updated.body).toMatchObject({ review_id: first.body.review_id, rating: 5, comment: null, created_at: now() - 60_000, updated_at: now() });
      await review(t, bob, subject, 4);

      const list = await t.http.get(`/api/agents/${subject.did}/reviews?limit=1`).expect(200);
      expect(list.body).toMatchObject({ total: 2, limit: 1, offset: 0 });
      expect(list.body.reviews).toHaveLength(1);
      const profile = await t.http.get(`/api/agents/${subject.did}`).expect(200);
      expect(profile.body).toMatchObject({ review_count: 2, average_rating: 4.5, effective_reviews: 2, tier: 'bronze' });
    });

    it('refuses self-review (400), a bad rating (400), an unknown subject (404), a bad or replayed signature (401)', async () => {
      const subject = await registerAgent(t);
      const alice = await registerAgent(t);
      const post = (did: string, body: object, token = alice.token) => t.http.post(`/api/agents/${did}/reviews`).auth(token, BEARER).send(body);
      expect((await post(alice.did, reviewBody(alice, alice.did, now(), 5)).expect(400)).body.code).toBe('self_review');
      expect((await post(subject.did, { ...reviewBody(alice, subject.did, now(), 5), rating: 6 }).expect(400)).body.code).toBe('validation_failed');
      expect((await post(subject.did, reviewBody(alice, subject.did, now(), 0)).expect(400)).body.code).toBe('validation_failed');
      await post(`did:web:${HOST}:agent:00000000-0000-4000-8000-000000000000`, reviewBody(alice, subject.did, now(), 5)).expect(404);
      expect((await post(subject.did, { ...reviewBody(alice, subject.did, now(), 5), rating: 4 }).expect(401)).body.code).toBe('invalid_signature');
      // Signed by another agent than the token's.
      expect((await post(subject.did, reviewBody(subject, subject.did, now(), 5)).expect(401)).body.code).toBe('invalid_signature');
      const body = reviewBody(alice, subject.did, now(), 5);
      await post(subject.did, body).expect(201);
      expect((await post(subject.did, body).expect(401)).body.code).toBe('signature_replayed');
      expect(await count('agent_reviews')).toBeGreaterThan(0);
    });

    it('pages reviews with limit 1-100', async () => {
      const subject = await registerAgent(t);
      await t.http.get(`/api/agents/${subject.did}/reviews?limit=0`).expect(400);
      await t.http.get(`/api/agents/${subject.did}/reviews?limit=101`).expect(400);
      expect((await t.http.get(`/api/agents/${subject.did}/reviews`).expect(200)).body).toEqual({ reviews: [], total: 0, limit: 50, offset: 0 });
    });
  });

  describe('referral codes', () => {
    const postCode = (agent: AgentFixture, body: object) => t.http.post('/api/referrals/code').auth(agent.token, BEARER).send(body);

    it('refuses an account younger than 7 days with 403 "Account too new"', async () => {
      const agent = await registerAgent(t);
      t.clock.advance(7 * DAY - 1);
      await signIn(t, agent);
      const res = await postCode(agent, codeBody(agent, now())).expect(403);
      // The seed's "Error" column is in `error`; `message` says the same.
      expect(res.body).toMatchObject({ statusCode: 403, error: 'Account too new', message: 'Account too new', code: 'account_too_new' });
      t.clock.advance(1);
      await postCode(agent, codeBody(agent, now())).expect(201);
    });

    it('creates a code with the defaults (unlimited, 30 days) and with given options', async () => {
      const agent = await established();
      const plain = await postCode(agent, codeBody(agent, now())).expect(201);
      expect(plain.body).toEqual({ code: expect.stringMatching(/^[A-Z0-9]{8}$/), max_uses: -1, expires_at: now() + 30 * DAY, created_at: now() });
      const expiresAt = now() + 10 * DAY;
      const limited = await postCode(agent, codeBody(agent, now() - 1, { max_uses: 10, expires_at: expiresAt })).expect(201);
      expect(limited.body).toEqual({ code: expect.any(String), max_uses: 10, expires_at: expiresAt, created_at: now() });
    });

    it('refuses a replayed or tampered code request with 401', async () => {
      const agent = await established();
      const body = codeBody(agent, now(), { max_uses: 3 });
      await postCode(agent, body).expect(201);
      expect((await postCode(agent, body).expect(401)).body).toMatchObject({ error: 'Unauthorized', code: 'signature_replayed' });
      expect((await postCode(agent, { ...codeBody(agent, now() - 1, { max_uses: 3 }), max_uses: 30 }).expect(401)).body.code).toBe('invalid_signature');
      const other = await registerAgent(t);
      // Another agent's signature under this agent's token: its did is not the token's.
      expect((await postCode(agent, codeBody(other, now() - 2)).expect(401)).body.code).toBe('invalid_signature');
    });

    it.each([
      ['max_uses 0', { max_uses: 0 }],
      ['max_uses -2', { max_uses: -2 }],
      ['expires_at in the past', { expires_at: Date.parse('2020-01-01') }],
      ['expires_at beyond 365 days', { expires_at: Date.parse('2040-01-01') }],
      ['expires_at beyond any date', { expires_at: Number.MAX_SAFE_INTEGER }],
    ])('refuses %s with 400', async (_case, options) => {
      const agent = await established();
      await postCode(agent, codeBody(agent, now(), options)).expect(400);
    });

    it('allows at most 5 active codes (429 "Limit exceeded"); a disabled one frees a place', async () => {
      const agent = await established();
      const codes: string[] = [];
      for (let i = 0; i < 5; i++) codes.push((await postCode(agent, codeBody(agent, now() - i)).expect(201)).body.code);
      const res = await postCode(agent, codeBody(agent, now() - 10)).expect(429);
      expect(res.body).toMatchObject({ statusCode: 429, error: 'Limit exceeded', message: 'Limit exceeded', code: 'limit_exceeded' });
      await t.http.delete(`/api/referrals/code/${codes[0]}`).auth(agent.token, BEARER).expect(200);
      await postCode(agent, codeBody(agent, now() - 11)).expect(201);
    });

    it('lists codes with uses_remaining and status; DELETE by owner, others 403, unknown 400', async () => {
      const owner = await established();
      const other = await registerAgent(t);
      const limited = await createCode(t, owner, { max_uses: 1 });
      const unlimited = await createCode(t, owner, { expires_at: now() + 2 * DAY });
      const disabled = await createCode(t, owner);
      await registerAgent(t, { referrer: limited });

      expect((await t.http.delete(`/api/referrals/code/${disabled}`).auth(other.token, BEARER).expect(403)).body).toMatchObject({ error: 'Forbidden', message: 'Forbidden' });
      const ok = await t.http.delete(`/api/referrals/code/${disabled}`).auth(owner.token, BEARER).expect(200);
      expect(ok.body).toEqual({ message: 'Referral code disabled' });
      await t.http.delete(`/api/referrals/code/${disabled.toLowerCase()}`).auth(owner.token, BEARER).expect(200);
      for (const unknown of ['ZZZZZZZZ', 'nope']) {
        expect((await t.http.delete(`/api/referrals/code/${unknown}`).auth(owner.token, BEARER).expect(400)).body).toMatchObject({ error: 'Code not found', message: 'Code not found' });
      }

      const byCode = async () =>
        Object.fromEntries(((await t.http.get('/api/referrals/code').auth(owner.token, BEARER).expect(200)).body.codes as { code: string; status: string }[]).map((c) => [c.code, c]));
      expect(await byCode()).toEqual({
        [limited]: { code: limited, uses_remaining: 0, max_uses: 1, expires_at: expect.any(Number), created_at: expect.any(Number), status: 'exhausted' },
        [unlimited]: { code: unlimited, uses_remaining: -1, max_uses: -1, expires_at: now() + 2 * DAY, created_at: now(), status: 'active' },
        [disabled]: expect.objectContaining({ status: 'disabled' }),
      });
      t.clock.advance(2 * DAY);
      await signIn(t, owner);
      expect((await byCode())[unlimited].status).toBe('expired');
    });
  });

  describe('registration with a referrer', () => {
    it('counts code uses atomically: 20 parallel registrations on max_uses 10 make exactly 10 referrals', async () => {
      const owner = await established();
      const code = await createCode(t, owner, { max_uses: 10 });
      const results = await Promise.all(
        Array.from({ length: 20 }, () => register(registrationBody(newKey(), { referrer: code, timestamp: now() }))),
      );
      const statuses = results.map((r) => r.status).sort();
      expect(statuses.filter((s) => s === 201)).toHaveLength(10);
      expect(statuses.filter((s) => s === 409)).toHaveLength(10);
      for (const refused of results.filter((r) => r.status === 409)) {
        expect(refused.body).toMatchObject({ code: 'referral_code_unavailable', message: 'Referral code has no uses left' });
      }
      const [row] = await sql<{ uses: number; referrals: number }>(
        `SELECT c.uses, (SELECT count(*)::int FROM agent_referrals r WHERE r.code_id = c.id) AS referrals FROM agent_referral_codes c WHERE c.code = $1`,
        [code],
      );
      expect(row).toEqual({ uses: 10, referrals: 10 });
      const stats = await t.http.get('/api/referrals/stats').auth(owner.token, BEARER).expect(200);
      expect(stats.body).toMatchObject({ total_referrals: 10, pending_referrals: 10, active_referrals: 0 });
    });

    it('accepts a code in any case and a referrer DID; both start pending', async () => {
      const owner = await established();
      const code = await createCode(t, owner);
      const byCode = await registerAgent(t, { referrer: code.toLowerCase() });
      t.clock.advance(1000);
      const byDid = await registerAgent(t, { referrer: owner.did });
      const my = await t.http.get('/api/referrals/my').auth(owner.token, BEARER).expect(200);
      expect(my.body).toEqual({
        referrals: [
          { referral_id: expect.stringMatching(/^ref_[0-9A-Za-z]{16}$/), referred_did: byDid.did, referral_code: null, status: 'pending', created_at: now(), activated_at: null },
          { referral_id: expect.any(String), referred_did: byCode.did, referral_code: code, status: 'pending', created_at: now() - 1000, activated_at: null },
        ],
        total: 2,
        limit: 50,
        offset: 0,
      });
    });

    it('refuses unknown, disabled, expired and revoked-owner referrers, and writes nothing', async () => {
      const owner = await established();
      const disabled = await createCode(t, owner);
      await t.http.delete(`/api/referrals/code/${disabled}`).auth(owner.token, BEARER).expect(200);
      const expiring = await createCode(t, owner, { expires_at: now() + DAY });
      const revokedOwner = await established();
      const orphan = await createCode(t, revokedOwner);
      await t.http.post(`/api/agents/${revokedOwner.did}/revoke`).auth(t.operatorToken, BEARER).expect(200);
      t.clock.advance(DAY);
      const cases: [string, number, string][] = [
        ['ZZZZZZZZ', 400, 'Referral code not found'],
        ['not a code', 400, 'Referral code not found'],
        [orphan, 400, 'Referral code not found'],
        [`did:web:${HOST}:agent:00000000-0000-4000-8000-000000000000`, 400, 'Referrer not found'],
        [revokedOwner.did, 400, 'Referrer not found'],
        [disabled, 409, 'Referral code disabled'],
        [expiring, 409, 'Referral code expired'],
      ];
      const before = { agents: await count('agents'), referrals: await count('agent_referrals') };
      for (const [referrer, status, message] of cases) {
        const res = await register(registrationBody(newKey(), { referrer, timestamp: now() })).expect(status);
        expect(res.body.message).toBe(message);
      }
      expect({ agents: await count('agents'), referrals: await count('agent_referrals') }).toEqual(before);
    });
  });

  describe('activation job', () => {
    it('activates after 7 days and one review, once: +5 reputation, counted toward the referrer', async () => {
      const referrer = await established();
      const code = await createCode(t, referrer, { expires_at: now() + 60 * DAY });
      const referred = await registerAgent(t, { referrer: code });
      const reviewer = await registerAgent(t);
      await activate();
      t.clock.advance(7 * DAY);
      await activate();
      await signIn(t, referrer);
      expect((await t.http.get('/api/referrals/stats').auth(referrer.token, BEARER).expect(200)).body.pending_referrals).toBe(1);

      await signIn(t, reviewer);
      await review(t, reviewer, referred);
      await t.app.get(ActivateAgentReferralsJob).tick();
      // Re-running changes nothing more, here or anywhere.
      expect(await activate()).toEqual({ activated: 0, expired: 0 });

      const profile = (await t.http.get(`/api/agents/${referred.did}`).expect(200)).body;
      expect(profile).toMatchObject({ reputation: 5, review_count: 1 });
      const referrerProfile = (await t.http.get(`/api/agents/${referrer.did}`).expect(200)).body;
      expect(referrerProfile).toMatchObject({ review_count: 0, effective_reviews: 2, tier: 'bronze' });
      const token = referrer.token;
      expect((await t.http.get('/api/referrals/stats').auth(token, BEARER).expect(200)).body).toEqual({
        total_referrals: 1,
        active_referrals: 1,
        pending_referrals: 0,
        referral_bonus_points: 2,
        codes_created: 1,
        codes_active: 1,
      });
      expect((await t.http.get('/api/referrals/my').auth(token, BEARER).expect(200)).body.referrals[0]).toMatchObject({ status: 'active', activated_at: now() });
      expect((await t.http.get(`/api/agents/${referrer.did}/referrals`).expect(200)).body).toEqual({ total_referrals: 1, active_referrals: 1 });
    });

    it('expires a pending referral whose code expired first, but activates one that qualified before its code expired', async () => {
      const referrer = await established();
      const shortCode = await createCode(t, referrer, { expires_at: now() + 3 * DAY });
      const longCode = await createCode(t, referrer, { expires_at: now() + 10 * DAY });
      const late = await registerAgent(t, { referrer: shortCode });
      const early = await registerAgent(t, { referrer: longCode });
      const reviewer = await registerAgent(t);
      await review(t, reviewer, late);
      await review(t, reviewer, early);
      t.clock.advance(12 * DAY);
      await activate();
      expect(await activate()).toEqual({ activated: 0, expired: 0 });
      const statuses = await sql<{ referred_id: string; status: string }>(`SELECT referred_id, status FROM agent_referrals WHERE code_id IN (SELECT id FROM agent_referral_codes WHERE code IN ($1, $2))`, [shortCode, longCode]);
      expect(Object.fromEntries(statuses.map((s) => [s.referred_id, s.status]))).toEqual({ [late.did.split(':').pop()!]: 'expired', [early.did.split(':').pop()!]: 'active' });
      expect((await t.http.get(`/api/agents/${late.did}`).expect(200)).body.reputation).toBe(0);
    });
  });

  describe('revocation', () => {
    it('lets the referrer or the operator revoke a referral; an active one gives back its +5; others get 403, unknown 404', async () => {
      const referrer = await established();
      const stranger = await registerAgent(t);
      const pending = await registerAgent(t, { referrer: referrer.did });
      const active = await registerAgent(t, { referrer: referrer.did });
      await review(t, stranger, active);
      t.clock.advance(7 * DAY);
      await activate();
      const token = await signIn(t, referrer);
      const ids = Object.fromEntries(((await t.http.get('/api/referrals/my').auth(token, BEARER).expect(200)).body.referrals as { referred_did: string; referral_id: string }[]).map((r) => [r.referred_did, r.referral_id]));
      expect((await t.http.get(`/api/agents/${active.did}`)).body.reputation).toBe(5);

      const strangerToken = await signIn(t, stranger);
      await t.http.post(`/api/referrals/${ids[pending.did]}/revoke`).auth(strangerToken, BEARER).expect(403);
      await t.http.post('/api/referrals/ref_unknown/revoke').auth(token, BEARER).expect(404);

      expect((await t.http.post(`/api/referrals/${ids[pending.did]}/revoke`).auth(token, BEARER).expect(200)).body).toMatchObject({ status: 'revoked', referred_did: pending.did });
      expect((await t.http.post(`/api/referrals/${ids[active.did]}/revoke`).auth(t.operatorToken, BEARER).expect(200)).body.status).toBe('revoked');
      await t.http.post(`/api/referrals/${ids[active.did]}/revoke`).auth(t.operatorToken, BEARER).expect(200);
      expect((await t.http.get(`/api/agents/${active.did}`)).body.reputation).toBe(0);
      expect((await t.http.get(`/api/agents/${referrer.did}/referrals`)).body).toEqual({ total_referrals: 2, active_referrals: 0 });
      await activate();
      expect((await sql<{ status: string }>(`SELECT DISTINCT status FROM agent_referrals WHERE referrer_id = $1`, [referrer.did.split(':').pop()])).map((r) => r.status)).toEqual(['revoked']);
    });

    it('lets only the operator revoke an agent: its token, profile and codes stop working', async () => {
      const agent = await established();
      const code = await createCode(t, agent);
      await t.http.post(`/api/agents/${agent.did}/revoke`).expect(401);
      await t.http.post(`/api/agents/${agent.did}/revoke`).auth(agent.token, BEARER).expect(401);
      expect((await t.http.post(`/api/agents/${agent.did}/revoke`).auth(t.operatorToken, BEARER).expect(200)).body).toEqual({ message: 'Agent revoked' });
      await t.http.post(`/api/agents/${agent.did}/revoke`).auth(t.operatorToken, BEARER).expect(200);
      await t.http.get(`/api/agents/${agent.did}`).expect(404);
      await t.http.get('/api/referrals/code').auth(agent.token, BEARER).expect(401);
      await register(registrationBody(newKey(), { referrer: code, timestamp: now() })).expect(400);
      await t.http.post(`/api/agents/did:web:${HOST}:agent:00000000-0000-4000-8000-000000000000/revoke`).auth(t.operatorToken, BEARER).expect(404);
    });
  });

  describe('GET /api/referrals/my paging', () => {
    it.each(['limit=0', 'limit=101', 'offset=-1', 'limit=abc'])('refuses %s with 400', async (query) => {
      const agent = await registerAgent(t);
      await t.http.get(`/api/referrals/my?${query}`).auth(agent.token, BEARER).expect(400);
    });

    it('pages with limit and offset and reports total', async () => {
      const referrer = await registerAgent(t);
      for (let i = 0; i < 3; i++) await registerAgent(t, { referrer: referrer.did });
      const page = await t.http.get('/api/referrals/my?limit=2&offset=2').auth(referrer.token, BEARER).expect(200);
      expect(page.body).toMatchObject({ total: 3, limit: 2, offset: 2 });
      expect(page.body.referrals).toHaveLength(1);
    });
  });

  it('documents every signed endpoint\'s signature message with a worked example in Swagger', async () => {
    const doc = (await t.http.get('/docs-json').expect(200)).body;
    const operations: [string, string, string][] = [
      ['/api/agents/register', 'post', 'registration'],
      ['/api/agents/auth', 'post', 'authenticate'],
      ['/api/referrals/code', 'post', 'create_referral_code'],
      ['/api/agents/{did}/reviews', 'post', 'create_review'],
    ];
    for (const [path, method, purpose] of operations) {
      const description: string = doc.paths[path][method].description;
      expect(description).toContain(`purpose \`${purpose}\``);
      expect(description).toContain('Worked example');
      expect(description).toMatch(/Signature: `[0-9a-f]{128}`/);
      // The example checks out with @noble/curves over canonical JSON built here: message → bytes → signature.
      const publicKey = /public `([0-9a-f]{64})`/.exec(description)![1];
      const message = JSON.parse(/```json\n([\s\S]*?)\n```/.exec(description)![1]);
      const canonical = /Canonical JSON signed:\n\n`(.*)`/.exec(description)![1];
      const signature = /Signature: `([0-9a-f]{128})`/.exec(description)![1];
      expect(message.purpose).toBe(purpose);
      expect(canonicalize(message)).toBe(canonical);
      expect(ed25519.verify(Buffer.from(signature, 'hex'), Buffer.from(canonical, 'utf8'), Buffer.from(publicKey, 'hex'))).toBe(true);
    }
    expect(doc.paths['/api/referrals/code'].post.security).toEqual([{ 'agent-token': [] }]);
    // The seed's error tables, as the bodies say them.
    const seedErrors: [string, string, string, string][] = [
      ['/api/referrals/code', 'post', '403', 'Account too new'],
      ['/api/referrals/code', 'post', '429', 'Limit exceeded'],
      ['/api/referrals/code/{code}', 'delete', '400', 'Code not found'],
      ['/api/referrals/code/{code}', 'delete', '403', 'Forbidden'],
    ];
    for (const [path, method, status, text] of seedErrors) {
      expect(doc.paths[path][method].responses[status].content['application/json'].example).toMatchObject({ error: text, message: text });
    }
  });
});
