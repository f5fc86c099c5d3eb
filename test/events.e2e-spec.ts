/*
 * POST /api/v1/events and /batch: app-key ingestion of SDK events and trusted conversions, stored
 * exactly once, with the conversion outbox written in the same statement.
 */
import { EventEmitter2 } from '@nestjs/event-emitter';
import { EVENT_STORED, StoredEvent } from '@refos/events';
import { gzipSync } from 'node:zlib';
import { DataSource } from 'typeorm';
import { AppFixture, createApp, createCampaign, createReferralLink } from './factories/apps';
import { createTenant, TenantFixture } from './factories/tenants';
import { createTestApp, TestApp } from './support/test-app';

/** The test app's ManualClock starts here. */
const NOW = Date.parse('2026-11-22T12:00:00Z');

describe('event ingestion', () => {
  let t: TestApp;
  let tenant: TenantFixture;
  let app: AppFixture;
  const stored: StoredEvent[] = [];

  const sql = <T>(query: string, params: unknown[] = []): Promise<T[]> => t.app.get(DataSource).query(query, params);
  const count = async (where: string, params: unknown[]) => Number((await sql<{ n: string }>(`SELECT count(*) AS n FROM events WHERE ${where}`, params))[0].n);
  const send = (body: unknown, credentials: { apiKey?: string; secret?: string } = {}) => {
    const req = t.http.post('/api/v1/events').set('x-api-key', credentials.apiKey ?? app.apiKey);
    if (credentials.secret) req.set('x-server-secret', credentials.secret);
    return req.send(body as object);
  };
  const sendBatch = (events: unknown[], secret?: string) => {
    const req = t.http.post('/api/v1/events/batch').set('x-api-key', app.apiKey);
    if (secret) req.set('x-server-secret', secret);
    return req.send({ events });
  };
  const payment = (key: string, extra: Record<string, unknown> = {}) => ({
    event_name: 'payment_completed',
    session_id: 'anon_123',
    idempotency_key: key,
    tx_hash: '0xabc',
    value_usdc: '24.99',
    ...extra,
  });

  beforeAll(async () => {
    t = await createTestApp({ EVENTS_RATE_LIMIT_PER_IP: '100000' });
    tenant = await createTenant(t, 'Events');
    app = await createApp(t, tenant);
    t.app.get(EventEmitter2).on(EVENT_STORED, (event: StoredEvent) => stored.push(event));
  });
  afterAll(() => t.close());

  describe('one event', () => {
    it('stores a client event with the server-side context and answers 201 with its id', async () => {
      const res = await send({
        event_name: 'miniapp_opened',
        session_id: 'anon_open',
        click_id: '3kTMd9Q0vYbq1XzW2nLp8e',
        context: { platform: 'ios', app_version: '2.4.1', locale: 'en-US', country: 'US' },
        properties: { screen: 'home' },
      })
        .set('User-Agent', 'QuestsSDK/2.4.1')
        .expect(201);
      expect(res.body).toEqual({ id: expect.stringMatching(/^[0-9a-f-]{36}$/), event_name: 'miniapp_opened', received_at: expect.any(String) });
      const [row] = await sql<Record<string, unknown>>(`SELECT * FROM events WHERE id = $1`, [res.body.id]);
      expect(row).toMatchObject({
        tenant_id: tenant.id,
        app_id: app.id,
        category: 'client',
        session_id: 'anon_open',
        click_id: '3kTMd9Q0vYbq1XzW2nLp8e',
        trusted: false,
        properties: { screen: 'home' },
        context: { platform: 'ios', app_version: '2.4.1', locale: 'en-US', country: 'US', user_agent: 'QuestsSDK/2.4.1' },
      });
    });

    it('stores text with backslashes, quotes, tabs and newlines exactly as sent', async () => {
      const properties = { note: 'line 1\nline 2\t"quoted" \\N back\\slash', 'key\twith\ttabs': ['\r', '\\'], emoji: '🎉' };
      const res = await send({ event_name: 'note_taken', session_id: 'escapes', user_id: 'user\\N\\t"1"', properties }).expect(201);
      const [row] = await sql<{ user_id: string; properties: unknown }>(`SELECT user_id, properties FROM events WHERE id = $1`, [res.body.id]);
      expect(row).toEqual({ user_id: 'user\\N\\t"1"', properties });
    });

    it('accepts a custom event with revenue and currency (seed 002 purchase)', async () => {
      const res = await send({ event_name: 'purchase', session_id: 'anon_buy', revenue: 59.9, currency: 'EUR', context: { platform: 'ios', country: 'FR' } }).expect(201);
      const [row] = await sql<{ category: string; revenue: string; currency: string }>(`SELECT category, revenue, currency FROM events WHERE id = $1`, [res.body.id]);
      expect(row).toEqual({ category: 'custom', revenue: '59.900000', currency: 'EUR' });
    });

    it.each([
      ['no session_id', { event_name: 'miniapp_opened' }, 'session_id'],
      ['an unknown field', { event_name: 'miniapp_opened', session_id: 's', referal_link_id: 'x' }, 'referal_link_id'],
      ['an event name that is not snake_case', { event_name: 'Miniapp Opened', session_id: 's' }, 'event_name'],
      ['sign_in_completed without fid', { event_name: 'sign_in_completed', session_id: 's' }, 'fid'],
      ['link_clicked without click or link', { event_name: 'link_clicked', session_id: 's' }, 'click_id'],
      ['a client event carrying value_usdc', { event_name: 'miniapp_added', session_id: 's', value_usdc: '1' }, 'value_usdc'],
      ['value_usdc as a number', { event_name: 'checkout_started', session_id: 's', value_usdc: 24.99 }, 'value_usdc'],
      ['a negative value_usdc', { event_name: 'checkout_started', session_id: 's', value_usdc: '-1' }, 'value_usdc'],
      ['value_usdc beyond 6 decimals', { event_name: 'checkout_started', session_id: 's', value_usdc: '1.0000001' }, 'value_usdc'],
      ['revenue without currency', { event_name: 'purchase', session_id: 's', revenue: '5' }, 'currency'],
      ['a currency that is not ISO 4217', { event_name: 'purchase', session_id: 's', revenue: '5', currency: 'euro' }, 'currency'],
      ['occurred_at an hour ahead', { event_name: 'miniapp_opened', session_id: 's', occurred_at: new Date(NOW + 3_600_000).toISOString() }, 'occurred_at'],
      ['occurred_at over 72 hours old', { event_name: 'miniapp_opened', session_id: 's', occurred_at: new Date(NOW - 73 * 3_600_000).toISOString() }, 'occurred_at'],
      ['occurred_at without a zone', { event_name: 'miniapp_opened', session_id: 's', occurred_at: '2026-11-22T10:00:00' }, 'occurred_at'],
      ['properties that are an array', { event_name: 'miniapp_opened', session_id: 's', properties: [1] }, 'properties'],
      ['properties over 8 KB', { event_name: 'miniapp_opened', session_id: 's', properties: { blob: 'x'.repeat(9_000) } }, 'properties'],
      ['properties with a NUL character', { event_name: 'miniapp_opened', session_id: 's', properties: { note: 'a\u0000b' } }, 'properties'],
      ['an unknown context key', { event_name: 'miniapp_opened', session_id: 's', context: { device: 'iPhone' } }, 'context.device'],
      ['a country that is not alpha-2', { event_name: 'miniapp_opened', session_id: 's', context: { country: 'France' } }, 'context.country'],
    ])('refuses %s with 422 naming the field, and stores nothing', async (_, body, field) => {
      const before = await count('app_id = $1', [app.id]);
      const res = await send(body).expect(422);
      expect(res.body).toMatchObject({ statusCode: 422, code: 'invalid_event', requestId: expect.any(String) });
      expect(res.body.details.map((d: { field: string }) => d.field)).toContain(field);
      expect(await count('app_id = $1', [app.id])).toBe(before);
    });

    it('keeps the client time when it is within the bounds, and the receive time otherwise', async () => {
      const lastMinute = new Date(NOW + 4 * 60_000).toISOString();
      const offline = await send({ event_name: 'miniapp_opened', session_id: 's', occurred_at: '2026-11-20T08:00:00+02:00' }).expect(201);
      const ahead = await send({ event_name: 'miniapp_opened', session_id: 's', occurred_at: lastMinute }).expect(201);
      const unset = await send({ event_name: 'miniapp_opened', session_id: 's' }).expect(201);
      const times = await sql<{ id: string; occurred_at: Date; received_at: Date }>(`SELECT id, occurred_at, received_at FROM events WHERE id = ANY($1)`, [
        [offline.body.id, ahead.body.id, unset.body.id],
      ]);
      const byId = new Map(times.map((row) => [row.id, row]));
      expect(byId.get(offline.body.id)!.occurred_at.toISOString()).toBe('2026-11-20T06:00:00.000Z');
      expect(byId.get(ahead.body.id)!.occurred_at.toISOString()).toBe(lastMinute);
      expect(byId.get(unset.body.id)!.occurred_at.getTime()).toBe(NOW);
      expect(byId.get(unset.body.id)!.received_at.getTime()).toBe(NOW);
    });

    it('answers 400 in the error shape for a body that is not JSON', async () => {
      const res = await t.http.post('/api/v1/events').set('x-api-key', app.apiKey).set('content-type', 'application/json').send('{"event_name":').expect(400);
      expect(res.body.requestId).toEqual(expect.any(String));
    });

    it('answers 413 in the error shape for a body over BODY_LIMIT, and stores nothing', async () => {
      const before = await count('app_id = $1', [app.id]);
      const res = await send({ event_name: 'miniapp_opened', session_id: 's', properties: { blob: 'x'.repeat(1_100_000) } })
        .set('x-request-id', 'too-big-1')
        .expect(413);
      expect(res.body).toMatchObject({ statusCode: 413, code: 'payload_too_large', requestId: 'too-big-1' });
      expect(await count('app_id = $1', [app.id])).toBe(before);
    });

    it('refuses a body that is not declared as JSON with 422, through the framework route', async () => {
      const res = await t.http.post('/api/v1/events').set('x-api-key', app.apiKey).set('content-type', 'text/plain').send('hello').expect(422);
      expect(res.body.code).toBe('invalid_event');
    });

    it('parses a body exactly as the framework route does', async () => {
      // A media type parameter other than charset sends the request through Express's body parser.
      const post = (contentType: string, body: string) =>
        t.http.post('/api/v1/events').set('x-api-key', app.apiKey).set('content-type', contentType).send(body);
      const bodies = ['', '   ', '"miniapp_opened"', 'null', '[]', '\uFEFF{"event_name":"miniapp_opened","session_id":"bom"}', '{"a":1}'];
      for (const body of bodies) {
        const [hot, framework] = [await post('application/json', body), await post('application/json; profile="sdk"', body)];
        expect({ body, status: hot.status, code: hot.body.code }).toEqual({ body, status: framework.status, code: framework.body.code });
      }
      expect(await count('session_id = $1', ['bom'])).toBe(2);
    });

    it('takes compressed bodies through the framework route', async () => {
      const body = gzipSync(JSON.stringify({ event_name: 'miniapp_opened', session_id: 'gzipped' }));
      await t.http
        .post('/api/v1/events')
        .set('x-api-key', app.apiKey)
        .set('content-type', 'application/json')
        .set('content-encoding', 'gzip')
        // superagent would serialize a Buffer as JSON; the gzip bytes must go as they are.
        .serialize((raw: Buffer) => raw as unknown as string)
        .send(body)
        .expect(201);
      expect(await count('session_id = $1', ['gzipped'])).toBe(1);
    });

    it('answers 422, never 500, for fields the store or the serializer could not take, and stores nothing', async () => {
      const before = await count('app_id = $1', [app.id]);
      const raw = (json: string) => t.http.post('/api/v1/events').set('x-api-key', app.apiKey).set('content-type', 'application/json').send(json);
      const event = '"event_name":"miniapp_opened","session_id":"odd"';
      const problems = [
        `{${event},"context":{"constructor":"x"}}`,
        `{${event},"context":{"__proto__":"x"}}`,
        `{${event},"properties":${'{"a":'.repeat(100_000)}1${'}'.repeat(100_000)}}`,
        `{${event},"properties":{"note":"\\ud800"}}`,
        `{${event},"properties":{"note":"\\u0000"}}`,
      ];
      for (const json of problems) {
        const res = await raw(json);
        expect({ json: json.slice(0, 80), status: res.status, code: res.body.code }).toEqual({ json: json.slice(0, 80), status: 422, code: 'invalid_event' });
      }
      expect(await count('app_id = $1', [app.id])).toBe(before);
    });

    it('replays the foundation Idempotency-Key header on a single event too', async () => {
      const session = `single_hdr_${Date.now()}`;
      const first = await send({ event_name: 'miniapp_opened', session_id: session }).set('Idempotency-Key', `one-${session}`).expect(201);
      const again = await send({ event_name: 'miniapp_opened', session_id: session }).set('Idempotency-Key', `one-${session}`).expect(201);
      expect(again.body).toEqual(first.body);
      expect(again.headers['x-idempotency-replayed']).toBe('true');
      expect(await count('session_id = $1', [session])).toBe(1);
    });

    it('refuses a missing, malformed or archived app key with 401', async () => {
      await t.http.post('/api/v1/events').send({ event_name: 'miniapp_opened', session_id: 's' }).expect(401);
      await send({ event_name: 'miniapp_opened', session_id: 's' }, { apiKey: 'rk_nope' }).expect(401);
      await send({ event_name: 'miniapp_opened', session_id: 's' }, { apiKey: tenant.adminKey }).expect(401);
      const archived = await createApp(t, tenant);
      await send({ event_name: 'miniapp_opened', session_id: 's' }, { apiKey: archived.apiKey }).expect(201);
      await t.http.post(`/api/v1/apps/${archived.id}/archive`).auth(tenant.adminKey, { type: 'bearer' }).expect(200);
      await send({ event_name: 'miniapp_opened', session_id: 's' }, { apiKey: archived.apiKey }).expect(401);
    });
  });

  describe('trusted conversions', () => {
    it('stores a completed conversion sent with the server secret, with one conversion job in the same commit', async () => {
      const res = await send(payment('tx:0xtrusted'), { secret: app.serverSecret }).expect(201);
      const [event] = await sql<{ trusted: boolean; category: string; value_usdc: string }>(`SELECT trusted, category, value_usdc FROM events WHERE id = $1`, [res.body.id]);
      expect(event).toEqual({ trusted: true, category: 'conversion_completed', value_usdc: '24.990000' });
      const jobs = await sql<{ status: string; tenant_id: string }>(`SELECT status, tenant_id FROM conversion_jobs WHERE event_id = $1`, [res.body.id]);
      expect(jobs).toEqual([{ status: 'pending', tenant_id: tenant.id }]);
    });

    it('needs x-server-secret (401), the right one (403) and an idempotency_key (422); stores nothing otherwise', async () => {
      const before = await count('app_id = $1', [app.id]);
      const jobsBefore = (await sql(`SELECT 1 FROM conversion_jobs WHERE tenant_id = $1`, [tenant.id])).length;
      expect((await send(payment('tx:0xnosecret')).expect(401)).body.code).toBe('server_secret_required');
      const other = await createApp(t, tenant);
      expect((await send(payment('tx:0xwrong'), { secret: other.serverSecret }).expect(403)).body.code).toBe('server_secret_invalid');
      expect((await send(payment('tx:0xgarbage'), { secret: 'rss_garbage' }).expect(403)).body.code).toBe('server_secret_invalid');
      const { idempotency_key: _, ...withoutKey } = payment('unused');
      const res = await send(withoutKey, { secret: app.serverSecret }).expect(422);
      expect(res.body.details.map((d: { field: string }) => d.field)).toEqual(['idempotency_key']);
      expect(await count('app_id = $1', [app.id])).toBe(before);
      expect((await sql(`SELECT 1 FROM conversion_jobs WHERE tenant_id = $1`, [tenant.id])).length).toBe(jobsBefore);
    });

    it('lets started conversions and client events through with the app key alone, without a job', async () => {
      const res = await send({ event_name: 'checkout_started', session_id: 'anon_123', value_usdc: '24.99' }).expect(201);
      expect(await sql(`SELECT 1 FROM conversion_jobs WHERE event_id = $1`, [res.body.id])).toEqual([]);
    });

    it('answers a repeated idempotency_key with the first event, and stores no second row or job', async () => {
      const first = await send(payment('tx:0xrepeat'), { secret: app.serverSecret }).expect(201);
      expect(first.headers['x-idempotency-replayed']).toBeUndefined();
      const again = await send(payment('tx:0xrepeat', { value_usdc: '99' }), { secret: app.serverSecret }).expect(201);
      expect(again.body).toEqual(first.body);
      expect(again.headers['x-idempotency-replayed']).toBe('true');
      expect(await count('app_id = $1 AND idempotency_key = $2', [app.id, 'tx:0xrepeat'])).toBe(1);
      expect(await sql(`SELECT 1 FROM conversion_jobs WHERE event_id = $1`, [first.body.id])).toHaveLength(1);
    });

    it("keeps client keys apart from trusted ones: a client cannot take the key of its server's conversion", async () => {
      await send({ event_name: 'miniapp_opened', session_id: 'squatter', idempotency_key: 'tx:0xsquatted' }).expect(201);
      const conversion = await send(payment('tx:0xsquatted'), { secret: app.serverSecret }).expect(201);
      expect(conversion.headers['x-idempotency-replayed']).toBeUndefined();
      expect(await sql(`SELECT 1 FROM conversion_jobs WHERE event_id = $1`, [conversion.body.id])).toHaveLength(1);
    });

    it('refuses a key already used by another event with 409, alone and in a batch', async () => {
      const first = await send(payment('tx:0xreused'), { secret: app.serverSecret }).expect(201);
      const claim = { event_name: 'claim_completed', session_id: 'anon_123', idempotency_key: 'tx:0xreused', tx_hash: '0xabc' };
      const res = await send(claim, { secret: app.serverSecret }).expect(409);
      expect(res.body.code).toBe('idempotency_key_reused');
      const batch = await sendBatch([claim, payment('tx:0xreused')], app.serverSecret).expect(200);
      expect(batch.body.results).toEqual([
        { index: 0, status: 'rejected', error: expect.objectContaining({ status: 409, code: 'idempotency_key_reused' }) },
        { index: 1, status: 'duplicate', id: first.body.id },
      ]);
      expect(await count('app_id = $1 AND idempotency_key = $2', [app.id, 'tx:0xreused'])).toBe(1);
    });

    it('keys are per app: another app may use the same idempotency_key', async () => {
      const other = await createApp(t, tenant);
      await send(payment('tx:0xshared'), { secret: app.serverSecret }).expect(201);
      const res = await send(payment('tx:0xshared'), { apiKey: other.apiKey, secret: other.serverSecret }).expect(201);
      expect(res.headers['x-idempotency-replayed']).toBeUndefined();
    });

    it('stores 50 concurrent identical trusted conversions once, with one job, and answers all 50 with its id', async () => {
      const responses = await Promise.all(Array.from({ length: 50 }, () => send(payment('tx:0xconcurrent'), { secret: app.serverSecret })));
      expect(responses.map((r) => r.status)).toEqual(Array(50).fill(201));
      expect(new Set(responses.map((r) => r.body.id)).size).toBe(1);
      expect(responses.filter((r) => r.headers['x-idempotency-replayed'] !== 'true')).toHaveLength(1);
      const rows = await sql<{ id: string }>(`SELECT id FROM events WHERE app_id = $1 AND idempotency_key = 'tx:0xconcurrent'`, [app.id]);
      expect(rows).toHaveLength(1);
      expect(await sql(`SELECT 1 FROM conversion_jobs WHERE event_id = $1`, [rows[0].id])).toHaveLength(1);
    });
  });

  describe('references', () => {
    it('refuses a campaign or link of another app (422) and stores nothing', async () => {
      const other = await createApp(t, tenant);
      const foreignCampaign = await createCampaign(t, tenant, other.id);
      const foreignLink = await createReferralLink(t, tenant, other.id);
      const before = await count('app_id = $1', [app.id]);
      const byCampaign = await send({ event_name: 'claim_started', session_id: 's', campaign_id: foreignCampaign.id }).expect(422);
      expect(byCampaign.body).toMatchObject({ code: 'invalid_reference', details: [{ field: 'campaign_id' }] });
      const byLink = await send({ event_name: 'miniapp_opened', session_id: 's', referral_link_id: foreignLink.id }).expect(422);
      expect(byLink.body).toMatchObject({ code: 'invalid_reference', details: [{ field: 'referral_link_id' }] });
      await send({ event_name: 'miniapp_opened', session_id: 's', campaign_id: '00000000-0000-4000-8000-000000000000' }).expect(422);
      expect(await count('app_id = $1', [app.id])).toBe(before);
    });

    it("refuses another tenant's campaign the same way", async () => {
      const stranger = await createTenant(t, 'Stranger');
      const strangerApp = await createApp(t, stranger);
      const campaign = await createCampaign(t, stranger, strangerApp.id);
      await send({ event_name: 'claim_started', session_id: 's', campaign_id: campaign.id }).expect(422);
    });

    it("fills campaign_id from the link's campaign, and refuses a campaign_id that contradicts it", async () => {
      const campaign = await createCampaign(t, tenant, app.id);
      const otherCampaign = await createCampaign(t, tenant, app.id);
      const link = await createReferralLink(t, tenant, app.id, { campaign_id: campaign.id });
      const res = await send({ event_name: 'miniapp_opened', session_id: 's', referral_link_id: link.id }).expect(201);
      expect((await sql<{ campaign_id: string }>(`SELECT campaign_id FROM events WHERE id = $1`, [res.body.id]))[0].campaign_id).toBe(campaign.id);
      await send({ event_name: 'miniapp_opened', session_id: 's', referral_link_id: link.id, campaign_id: otherCampaign.id }).expect(422);
    });
  });

  describe('batch', () => {
    it('stores the 490 valid events of a batch of 500 with 10 bad ones, and answers each in order', async () => {
      const session = `batch_${Date.now()}`;
      const events = Array.from({ length: 500 }, (_, i) =>
        i % 50 === 7 ? { event_name: 'sign_in_completed', session_id: session } : { event_name: 'session_engaged_30s', session_id: session, properties: { i } },
      );
      const res = await sendBatch(events).expect(200);
      expect(res.body).toMatchObject({ accepted: 490, duplicates: 0, rejected: 10 });
      expect(res.body.results).toHaveLength(500);
      res.body.results.forEach((result: { index: number; status: string; error?: { code: string } }, i: number) => {
        expect(result.index).toBe(i);
        expect(result.status).toBe(i % 50 === 7 ? 'rejected' : 'accepted');
        if (i % 50 === 7) expect(result.error).toMatchObject({ status: 422, code: 'invalid_event' });
      });
      expect(await count('session_id = $1', [session])).toBe(490);
    });

    it('answers duplicates inside a batch and across requests, and gates completed conversions per event', async () => {
      await send(payment('tx:0xbatchfirst'), { secret: app.serverSecret }).expect(201);
      const trusted = await sendBatch([payment('tx:0xbatchfirst'), payment('tx:0xbatchnew'), payment('tx:0xbatchnew')], app.serverSecret).expect(200);
      expect(trusted.body.results.map((r: { status: string }) => r.status)).toEqual(['duplicate', 'accepted', 'duplicate']);
      expect(trusted.body.results[2].id).toBe(trusted.body.results[1].id);

      const client = await sendBatch([payment('tx:0xclient'), { event_name: 'miniapp_opened', session_id: 's' }]).expect(200);
      expect(client.body.results[0]).toMatchObject({ status: 'rejected', error: { status: 401, code: 'server_secret_required' } });
      expect(client.body.results[1].status).toBe('accepted');
      expect(await count('idempotency_key = $1', ['tx:0xclient'])).toBe(0);
    });

    it.each([
      ['an empty batch', []],
      ['501 events', Array.from({ length: 501 }, () => ({ event_name: 'miniapp_opened', session_id: 's' }))],
    ])('refuses %s with 422', async (_, events) => {
      expect((await sendBatch(events).expect(422)).body.code).toBe('invalid_batch');
    });

    it('refuses a body without an events array', async () => {
      await t.http.post('/api/v1/events/batch').set('x-api-key', app.apiKey).send({ event_name: 'miniapp_opened' }).expect(422);
    });
  });

  it('publishes each stored event on the bus after commit, never a duplicate', async () => {
    stored.length = 0;
    const res = await send(payment('tx:0xbus'), { secret: app.serverSecret }).expect(201);
    await send(payment('tx:0xbus'), { secret: app.serverSecret }).expect(201);
    expect(stored.map((e) => e.id)).toEqual([res.body.id]);
    expect(stored[0]).toMatchObject({ eventName: 'payment_completed', appId: app.id, tenantId: tenant.id, trusted: true });
    expect(await count('id = $1', [stored[0].id])).toBe(1);
  });

  it('honours the foundation Idempotency-Key header on the batch endpoint', async () => {
    const session = `hdr_${Date.now()}`;
    const first = await sendBatch([{ event_name: 'miniapp_opened', session_id: session }]).set('Idempotency-Key', `batch-${session}`).expect(200);
    const again = await sendBatch([{ event_name: 'miniapp_opened', session_id: session }]).set('Idempotency-Key', `batch-${session}`).expect(200);
    expect(again.body).toEqual(first.body);
    expect(again.headers['x-idempotency-replayed']).toBe('true');
    expect(await count('session_id = $1', [session])).toBe(1);
  });
});

describe('event ingestion rate limits', () => {
  let t: TestApp;
  let tenant: TenantFixture;

  beforeAll(async () => {
    t = await createTestApp({ EVENTS_RATE_LIMIT_PER_APP: '5', EVENTS_RATE_LIMIT_PER_IP: '3' });
    tenant = await createTenant(t, 'Limits');
  });
  afterAll(() => t.close());

  it('limits client events per IP, but not trusted server events', async () => {
    const app = await createApp(t, tenant);
    const client = () => t.http.post('/api/v1/events').set('x-api-key', app.apiKey).send({ event_name: 'miniapp_opened', session_id: 's' });
    for (let i = 0; i < 3; i++) await client().expect(201);
    const limited = await client().expect(429);
    expect(limited.body.code).toBe('rate_limited');
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    await t.http
      .post('/api/v1/events')
      .set('x-api-key', app.apiKey)
      .set('x-server-secret', app.serverSecret)
      .send({ event_name: 'claim_started', session_id: 's' })
      .expect(201);
  });

  it('limits each app key on its own', async () => {
    const [first, second] = [await createApp(t, tenant), await createApp(t, tenant)];
    const trusted = (app: AppFixture) =>
      t.http.post('/api/v1/events').set('x-api-key', app.apiKey).set('x-server-secret', app.serverSecret).send({ event_name: 'claim_started', session_id: 's' });
    for (let i = 0; i < 5; i++) await trusted(first).expect(201);
    await trusted(first).expect(429);
    await trusted(second).expect(201);
  });
});

describe('event ingestion limits per app traffic and per client address', () => {
  let t: TestApp;
  let tenant: TenantFixture;

  beforeAll(async () => {
    t = await createTestApp({ EVENTS_RATE_LIMIT_PER_APP: '3', EVENTS_RATE_LIMIT_PER_IP: '1000', APP_KEY_LOOKUPS_PER_IP: '4' });
    tenant = await createTenant(t, 'Buckets');
  });
  afterAll(() => t.close());

  it("gives an app's client and trusted traffic separate buckets", async () => {
    const app = await createApp(t, tenant);
    const event = (secret?: string) => {
      const req = t.http.post('/api/v1/events').set('x-api-key', app.apiKey);
      return (secret ? req.set('x-server-secret', secret) : req).send({ event_name: 'claim_started', session_id: 's' });
    };
    for (let i = 0; i < 3; i++) await event().expect(201);
    await event().expect(429);
    await event(app.serverSecret).expect(201);
  });

  it('answers 429 to an address that makes the instance look up too many unknown app keys', async () => {
    // The app above cost one lookup of the four this address may make in a minute.
    const madeUp = (n: number) => `rk_${'x'.repeat(11)}${n}_${'y'.repeat(32)}`;
    for (let n = 0; n < 3; n++) await t.http.post('/api/v1/events').set('x-api-key', madeUp(n)).send({ event_name: 'miniapp_opened', session_id: 's' }).expect(401);
    const limited = await t.http.post('/api/v1/events/batch').set('x-api-key', madeUp(9)).send({ events: [] }).expect(429);
    expect(limited.body.code).toBe('rate_limited');
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
  });
});
