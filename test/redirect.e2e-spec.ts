/*
 * GET /r/:code: the lean redirect path. 302 with the source context, touches written off the request
 * path (humans and bots told apart, no raw IP), 404 or the tenant's fallback for dead codes.
 */
import request from 'supertest';
import { DataSource } from 'typeorm';
import { TouchBuffer } from '../libs/links/src/redirect/touch-buffer';
import { createTenant, TenantFixture } from './factories/tenants';
import { createTestApp, TestApp } from './support/test-app';

const BROWSER = 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1';

interface TouchRow {
  click_id: string;
  is_bot: boolean;
  link_id: string;
  campaign_id: string | null;
  creator_fid: string | null;
  creator_handle: string | null;
  channel: string | null;
  cast_hash: string | null;
  user_agent: string | null;
  referer: string | null;
  ip_hash: string | null;
}

describe('GET /r/:code', () => {
  let t: TestApp;
  let tenant: TenantFixture;
  let appId: string;
  let campaignId: string;

  const sql = <T>(query: string, params: unknown[] = []): Promise<T[]> => t.app.get(DataSource).query(query, params);
  /** Touches are written by a buffer a moment after the 302: wait for them rather than for a timer. */
  async function touchesFor(linkId: string, expected: number): Promise<TouchRow[]> {
    // Touches are flushed within 50 ms; a loaded machine running every suite at once may take longer.
    for (const deadline = Date.now() + 5_000; Date.now() < deadline; ) {
      const rows = await sql<TouchRow>(`SELECT * FROM touches WHERE link_id = $1 ORDER BY occurred_at, click_id`, [linkId]);
      if (rows.length >= expected) return rows;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    return sql<TouchRow>(`SELECT * FROM touches WHERE link_id = $1`, [linkId]);
  }
  async function createLink(body: Record<string, unknown>): Promise<{ id: string; code: string }> {
    const res = await t.http
      .post('/api/v1/referral-links')
      .auth(tenant.adminKey, { type: 'bearer' })
      .send({ app_id: appId, destination_url: 'https://mini.example/claim?src=cast#start', creator_handle: 'alice', ...body })
      .expect(201);
    return res.body;
  }

  beforeAll(async () => {
    t = await createTestApp();
    tenant = await createTenant(t, 'Redirects');
    appId = (await t.http.post('/api/v1/apps').auth(tenant.adminKey, { type: 'bearer' }).send({ name: 'Mini' }).expect(201)).body.id;
    campaignId = (
      await t.http.post('/api/v1/campaigns').auth(tenant.adminKey, { type: 'bearer' }).send({ app_id: appId, name: 'Spring' }).expect(201)
    ).body.id;
  });
  afterAll(() => t.close());

  it('answers 302 with the source context and records one human touch', async () => {
    const link = await createLink({ campaign_id: campaignId, creator_fid: 3621, channel: 'base', cast_hash: '0x' + 'ab'.repeat(20) });
    const res = await t.http.get(`/r/${link.code}`).set('User-Agent', BROWSER).set('Referer', 'https://warpcast.com/alice/0xabab').expect(302);

    const location = new URL(res.headers.location);
    expect(location.origin + location.pathname).toBe('https://mini.example/claim');
    expect(location.hash).toBe('#start');
    expect(Object.fromEntries(location.searchParams)).toEqual({
      src: 'cast',
      ref: link.code,
      campaign_id: campaignId,
      utm_source: 'alice',
      utm_medium: 'base',
      utm_campaign: campaignId,
      click_id: expect.stringMatching(/^[0-9A-Za-z]{22}$/),
    });
    expect(res.headers['cache-control']).toBe('no-store');

    const [touch] = await touchesFor(link.id, 1);
    expect(touch).toMatchObject({
      click_id: location.searchParams.get('click_id'),
      is_bot: false,
      campaign_id: campaignId,
      creator_fid: '3621',
      creator_handle: 'alice',
      channel: 'base',
      cast_hash: '0x' + 'ab'.repeat(20),
      user_agent: BROWSER,
      referer: 'https://warpcast.com/alice/0xabab',
    });
    expect(touch.ip_hash).toMatch(/^[0-9a-f]{64}$/);
    const stored = JSON.stringify(await sql(`SELECT * FROM touches WHERE link_id = $1`, [link.id]));
    expect(stored).not.toMatch(/127\.0\.0\.1|::1/);
  });

  it('gives every click its own click id', async () => {
    const link = await createLink({});
    const ids = new Set<string>();
    for (let i = 0; i < 5; i++) {
      const res = await t.http.get(`/r/${link.code}`).set('User-Agent', BROWSER).expect(302);
      ids.add(new URL(res.headers.location).searchParams.get('click_id')!);
    }
    expect(ids.size).toBe(5);
    expect((await touchesFor(link.id, 5)).map((row) => row.click_id).sort()).toEqual([...ids].sort());
    // 9 lowercase base36 digits of the click's millisecond, then 13 random characters.
    const timeDigits = t.clock.now().getTime().toString(36).padStart(9, '0');
    for (const id of ids) expect(id).toMatch(new RegExp(`^${timeDigits}[0-9A-Za-z]{13}$`));
  });

  it('answers alike through the documented Nest route when the hot path is not mounted', async () => {
    const link = await createLink({ campaign_id: campaignId });
    const express = request(t.app.getHttpAdapter().getInstance());
    const res = await express.get(`/r/${link.code}`).set('User-Agent', BROWSER).expect(302);
    const location = new URL(res.headers.location);
    expect(location.searchParams.get('ref')).toBe(link.code);
    expect(location.searchParams.get('campaign_id')).toBe(campaignId);
    expect((await touchesFor(link.id, 1)).map((row) => row.click_id)).toEqual([location.searchParams.get('click_id')]);
    const missing = await express.get('/r/no-such-code-here').expect(404);
    expect(missing.body).toMatchObject({ statusCode: 404, code: 'link_not_found' });

    const doc = (await t.http.get('/docs-json').expect(200)).body;
    const operation = doc.paths['/r/{code}'].get;
    expect(operation.security ?? []).toEqual([]);
    expect(Object.keys(operation.responses).sort()).toEqual(['302', '404', '503']);
    expect(operation.responses['302'].headers.Location.schema.example).toContain('click_id=');
  });

  it('redirects HEAD requests, unfurlers and clients without a user agent, but stores them as bot touches', async () => {
    const link = await createLink({});
    await t.http.head(`/r/${link.code}`).set('User-Agent', BROWSER).expect(302);
    await t.http.get(`/r/${link.code}`).set('User-Agent', 'Mozilla/5.0 (compatible; Discordbot/2.0; +https://discordapp.com)').expect(302);
    await t.http.get(`/r/${link.code}`).set('User-Agent', 'Twitterbot/1.0').expect(302);
    await t.http.get(`/r/${link.code}`).set('User-Agent', '').expect(302);
    await t.http.get(`/r/${link.code}`).set('User-Agent', BROWSER).expect(302);
    const rows = await touchesFor(link.id, 5);
    expect(rows.filter((row) => row.is_bot)).toHaveLength(4);
    expect(rows.filter((row) => !row.is_bot)).toHaveLength(1);
  });

  it('stores header text that COPY would misread (tabs, backslashes, a literal \\N) exactly as sent', async () => {
    const link = await createLink({});
    const agent = 'Mozilla/5.0 (X11; C:\\N\\path\ttab) Safari/604.1';
    await t.http.get(`/r/${link.code}`).set('User-Agent', agent).set('Referer', '\\N').expect(302);
    const [touch] = await touchesFor(link.id, 1);
    expect(touch).toMatchObject({ user_agent: agent, referer: '\\N', is_bot: false });
  });

  it('stores a batch retried after a lost acknowledgement once, and the rest of it too', async () => {
    const link = await createLink({});
    const res = await t.http.get(`/r/${link.code}`).set('User-Agent', BROWSER).expect(302);
    const [stored] = await touchesFor(link.id, 1);
    // The first attempt committed; its retry carries the same click plus one that is new.
    const buffer = t.app.get(TouchBuffer);
    const source = { tenantId: tenant.id, appId, linkId: link.id, campaignId: null, creatorFid: null, creatorHandle: 'alice', channel: null, castHash: null };
    const click = { isBot: false, userAgent: BROWSER, referer: null, ipHash: null, occurredAt: new Date() };
    buffer.record(source, { ...click, clickId: new URL(res.headers.location).searchParams.get('click_id')! });
    buffer.record(source, { ...click, clickId: 'retriedBatchNewClick01' });
    await buffer.drain();
    expect(buffer.size).toBe(0);
    const rows = await sql<TouchRow>(`SELECT * FROM touches WHERE link_id = $1 ORDER BY click_id`, [link.id]);
    expect(rows.map((row) => row.click_id).sort()).toEqual([stored.click_id, 'retriedBatchNewClick01'].sort());
  });

  it('answers 404 in the error shape for an unknown or malformed code, and records nothing', async () => {
    for (const code of ['nope-nothing-here', 'bad%20code', 'x'.repeat(80)]) {
      const res = await t.http.get(`/r/${code}`).set('User-Agent', BROWSER).expect(404);
      expect(res.body).toEqual({
        statusCode: 404,
        error: 'Not Found',
        message: expect.any(String),
        code: 'link_not_found',
        requestId: res.headers['x-request-id'],
      });
    }
  });

  it('stops redirecting a disabled link at once, and sends it to the tenant fallback when one is set', async () => {
    const link = await createLink({});
    await t.http.get(`/r/${link.code}`).set('User-Agent', BROWSER).expect(302);
    await t.http.post(`/api/v1/referral-links/${link.id}/disable`).auth(tenant.adminKey, { type: 'bearer' }).expect(200);
    await t.http.get(`/r/${link.code}`).set('User-Agent', BROWSER).expect(404);

    await t.http
      .patch('/api/v1/tenants/current')
      .auth(tenant.adminKey, { type: 'bearer' })
      .send({ settings: { fallback_url: 'https://redirects.example/welcome' } })
      .expect(200);
    await t.http.post(`/api/v1/referral-links/${link.id}/enable`).auth(tenant.adminKey, { type: 'bearer' }).expect(200);
    await t.http.post(`/api/v1/referral-links/${link.id}/disable`).auth(tenant.adminKey, { type: 'bearer' }).expect(200);
    const res = await t.http.get(`/r/${link.code}`).set('User-Agent', BROWSER).expect(302);
    expect(res.headers.location).toBe('https://redirects.example/welcome');
    expect(await touchesFor(link.id, 1)).toHaveLength(1);

    await t.http.post(`/api/v1/referral-links/${link.id}/enable`).auth(tenant.adminKey, { type: 'bearer' }).expect(200);
    const back = await t.http.get(`/r/${link.code}`).set('User-Agent', BROWSER).expect(302);
    expect(back.headers.location).toMatch(/^https:\/\/mini\.example\/claim\?/);
  });

  it('percent-encodes a non-ASCII fallback URL instead of failing (a raw one would make Node throw)', async () => {
    const other = await createTenant(t, 'Unicode');
    const otherApp = (await t.http.post('/api/v1/apps').auth(other.adminKey, { type: 'bearer' }).send({ name: 'U' }).expect(201)).body.id;
    const link = (
      await t.http
        .post('/api/v1/referral-links')
        .auth(other.adminKey, { type: 'bearer' })
        .send({ app_id: otherApp, destination_url: 'https://mini.example/', channel: 'base' })
        .expect(201)
    ).body;
    await t.http.patch('/api/v1/tenants/current').auth(other.adminKey, { type: 'bearer' }).send({ settings: { fallback_url: 'https://例え.jp/日本' } }).expect(200);
    await t.http.post(`/api/v1/referral-links/${link.id}/disable`).auth(other.adminKey, { type: 'bearer' }).expect(200);
    for (let i = 0; i < 2; i++) {
      const res = await t.http.get(`/r/${link.code}`).set('User-Agent', BROWSER).expect(302);
      expect(res.headers.location).toBe(new URL('https://例え.jp/日本').href);
    }
    await t.http.get('/health').expect(200);
  });

  it('counts redirects by outcome in /metrics', async () => {
    const res = await t.http.get('/metrics').expect(200);
    expect(res.text).toMatch(/^referral_redirects_total\{outcome="redirected"\} [1-9]\d*$/m);
    expect(res.text).toMatch(/^referral_redirects_total\{outcome="bot"\} [1-9]\d*$/m);
    expect(res.text).toMatch(/^referral_redirects_total\{outcome="not_found"\} [1-9]\d*$/m);
  });
});
