/*
 * Campaign reports and traces against seeded traffic: the generator's plan goes through the real
 * redirect and ingestion, the real queue derives the conversions, and every report and the payouts
 * CSV must equal what the plan implies, for both models and with each filter.
 */
import { ConversionQueue } from '@refos/attribution';
import { DataSource } from 'typeorm';
import { TouchBuffer } from '../libs/links/src/redirect/touch-buffer';
import { AppFixture, createApp, createCampaign, createReferralLink } from './factories/apps';
import { createApiKey, createTenant, TenantFixture } from './factories/tenants';
import { AppKey, DAY, ExpectedReports, Model, MODELS, planTraffic, PlannedLink, ReportFilter, TrafficPlan } from './fixtures/campaign-traffic';
import { createTestApp, TestApp } from './support/test-app';

const SEED = 20261204;
const START = Date.parse('2026-08-01T00:00:00Z');
const HUMAN = 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) Safari/604.1';
const BOT = 'facebookexternalhit/1.1';

describe('campaign reports', () => {
  let t: TestApp;
  let tenant: TenantFixture;
  /** Reports need only the read scope. */
  let readKey: string;
  let plan: TrafficPlan;
  let expected: ExpectedReports;
  const apps = new Map<AppKey, AppFixture>();
  const campaignIds = new Map<string, string>();
  const linkIds = new Map<string, string>();
  const eventIds = new Map<string, string>();

  const get = (path: string, key = readKey) => t.http.get(path).auth(key, { type: 'bearer' });
  const report = (campaign: string, name: string, filter: ReportFilter, extra = '') =>
    get(`/api/v1/reports/campaigns/${campaignIds.get(campaign)}/${name}?${query(filter)}${extra}`).expect((res) => { if (res.status !== 200) throw new Error(`${res.status} ${res.text}`); });
  const query = (filter: ReportFilter) =>
    new URLSearchParams({
      model: filter.model,
      ...(filter.app ? { app_id: apps.get(filter.app)!.id } : {}),
      ...(filter.from !== undefined ? { from: new Date(filter.from).toISOString() } : {}),
      ...(filter.to !== undefined ? { to: new Date(filter.to).toISOString() } : {}),
    }).toString();

  beforeAll(async () => {
    t = await createTestApp();
    t.clock.set(new Date(START - DAY));
    tenant = await createTenant(t, 'Reports');
    readKey = (await createApiKey(t, tenant, ['read'])).key;
    plan = planTraffic(SEED, START);
    expected = new ExpectedReports(plan);
    apps.set('main', await createApp(t, tenant, 'Main'));
    apps.set('other', await createApp(t, tenant, 'Other'));
    for (const campaign of plan.campaigns) {
      const created = await createCampaign(t, tenant, apps.get(campaign.app)!.id, {
        name: campaign.key,
        ...(campaign.payout_amount ? { payout_amount: campaign.payout_amount } : {}),
        payout_event: campaign.payout_event,
      });
      campaignIds.set(campaign.key, created.id);
    }
    for (const link of plan.links) {
      const created = await createReferralLink(t, tenant, apps.get(link.app)!.id, {
        code: link.key.replace('_', '-'),
        campaign_id: link.campaign ? campaignIds.get(link.campaign) : undefined,
        creator_fid: link.creator_fid ?? undefined,
        creator_handle: link.creator_handle ?? undefined,
        channel: link.channel ?? undefined,
        cast_hash: link.cast_hash ?? undefined,
      });
      linkIds.set(link.key, created.id);
    }

    // The plan, in time order, through the redirect and the events API.
    const clickIds = new Map<string, string>();
    for (const action of plan.actions) {
      t.clock.set(new Date(action.at));
      if (action.type === 'click') {
        const res = await t.http.get(`/r/${action.link.replace('_', '-')}`).set('User-Agent', action.bot ? BOT : HUMAN).expect(302);
        clickIds.set(action.ref, new URL(res.headers.location).searchParams.get('click_id')!);
        continue;
      }
      const app = apps.get(action.app)!;
      const trusted = action.event_name.endsWith('_completed');
      const req = t.http.post('/api/v1/events').set('x-api-key', app.apiKey);
      const res = await (trusted ? req.set('x-server-secret', app.serverSecret) : req)
        .send({
          event_name: action.event_name,
          session_id: action.session_id,
          occurred_at: new Date(action.at).toISOString(),
          ...(action.click ? { click_id: clickIds.get(action.click) } : {}),
          ...(action.link ? { referral_link_id: linkIds.get(action.link) } : {}),
          ...(action.campaign ? { campaign_id: campaignIds.get(action.campaign) } : {}),
          ...(action.fid !== undefined ? { fid: action.fid } : {}),
          ...(action.value_usdc ? { value_usdc: action.value_usdc } : {}),
          ...(action.tx_hash ? { tx_hash: action.tx_hash, idempotency_key: action.idempotency_key } : {}),
        });
      if (res.status !== 201) throw new Error(`${JSON.stringify(action)} -> ${res.status} ${JSON.stringify(res.body)}`);
      eventIds.set(action.ref, res.body.id);
    }
    await t.app.get(TouchBuffer).drain();
  }, 120_000);
  afterAll(() => t.close());

  it('builds traffic that exercises every rule', () => {
    const conversions = expected.conversions;
    expect(conversions.length).toBeGreaterThan(15);
    expect(conversions.some((c) => c.credit.last_click === null)).toBe(true);
    expect(conversions.some((c) => c.credit.first_touch?.link !== c.credit.last_click?.link)).toBe(true);
    expect(conversions.some((c) => c.credit.last_click?.source === 'event')).toBe(true);
    expect(plan.actions.some((a) => a.type === 'click' && a.bot)).toBe(true);
    // Every filter leaves something to count, and the models disagree somewhere: no report passes by being empty.
    for (const campaign of ['launch', 'creators']) {
      for (const [, filter] of filters('last_click').slice(0, 3)) expect(expected.summary(campaign, filter).conversions_completed).toBeGreaterThan(0);
    }
    expect(expected.payouts('launch', { model: 'first_touch' })).not.toEqual(expected.payouts('launch', { model: 'last_click' }));
    const { from, to } = clicksInsideHours();
    expect([from % 3_600_000, to % 3_600_000].every((offset) => offset > 0)).toBe(true);
    // Same seed, same plan: the expectations below are reproducible.
    expect(planTraffic(SEED, START)).toEqual(plan);
  });

  it('states what pending work the figures do not include yet, then derives every conversion once', async () => {
    const before = await report('launch', 'summary', { model: 'last_click' });
    expect(before.body).toMatchObject({ as_of: t.clock.now().toISOString(), pending_conversion_jobs: expected.conversions.length, conversions_completed: 0 });

    const queue = t.app.get(ConversionQueue);
    while ((await queue.process(500)).processed > 0);
    const [{ n }] = await t.app.get(DataSource).query(`SELECT count(*)::int AS n FROM conversions WHERE tenant_id = $1`, [tenant.id]);
    expect(n).toBe(expected.conversions.length);
    const after = await report('launch', 'summary', { model: 'last_click' });
    expect(after.body.pending_conversion_jobs).toBe(0);
  });

  /**
   * Bounds on two human clicks, so the first and last hours are partial and hold clicks on both sides:
   * what the hourly rollup cannot answer alone.
   */
  const clicksInsideHours = () => {
    const times = plan.actions.filter((a) => a.type === 'click' && !a.bot).map((a) => a.at).sort((a, b) => a - b);
    return { from: times[Math.floor(times.length / 4)], to: times[Math.floor((3 * times.length) / 4)] + 1 };
  };
  const filters = (model: Model): [string, ReportFilter][] => [
    ['all time', { model }],
    ['whole hours', { model, from: START + 10 * DAY, to: START + 30 * DAY }],
    ['a period cutting through hours with clicks', { model, ...clicksInsideHours() }],
    ['another app', { model, app: 'other' }],
  ];

  describe.each(MODELS)('model %s', (model) => {
    it.each(['launch', 'creators', 'elsewhere'])('summary and funnel of %s equal the plan, with each filter', async (campaign) => {
      for (const [, filter] of filters(model)) {
        const want = expected.summary(campaign, filter);
        const summary = await report(campaign, 'summary', filter);
        expect(summary.body).toMatchObject({
          clicks: want.clicks,
          opens: want.opens,
          sign_ins: want.sign_ins,
          conversions_started: want.conversions_started,
          conversions_completed: want.conversions_completed,
          revenue_usdc: want.revenue_usdc,
          conversion_rate: want.conversion_rate,
          pending_conversion_jobs: 0,
        });
        const funnel = await report(campaign, 'funnel', filter);
        expect(funnel.body.steps.map((s: { count: number }) => s.count)).toEqual([
          want.clicks,
          want.opens,
          want.sign_ins,
          want.conversions_started,
          want.converted_sessions,
        ]);
      }
    });

    const dimensions: [string, (link: PlannedLink) => (string | null)[] | null, (row: Record<string, unknown>) => (string | null)[]][] = [
      ['creators', (l) => [l.creator_fid === null ? null : String(l.creator_fid), l.creator_handle], (r) => [r.creator_fid as string | null, r.creator_handle as string | null]],
      ['channels', (l) => [l.channel], (r) => [r.channel as string | null]],
      ['casts', (l) => (l.cast_hash ? [l.cast_hash] : null), (r) => [r.cast_hash as string]],
      ['links', (l) => [linkIds.get(l.key)!], (r) => [r.link_id as string]],
    ];

    it.each(dimensions)('%s of each campaign are ranked as the plan implies, page by page', async (name, keyOf, keyOfRow) => {
      for (const campaign of ['launch', 'creators']) {
        for (const [, filter] of filters(model)) {
          const want = expected.ranked(campaign, filter, keyOf);
          const all = await report(campaign, name, filter, '&limit=100');
          expect(all.body.total).toBe(want.length);
          expect(all.body.data.map((row: Record<string, unknown>) => ({ key: keyOfRow(row), clicks: row.clicks, conversions: row.conversions, revenue_usdc: row.revenue_usdc }))).toEqual(want);
          if (want.length > 1) {
            const second = await report(campaign, name, filter, '&limit=1&offset=1');
            expect(second.body).toMatchObject({ total: want.length, limit: 1, offset: 1 });
            expect(keyOfRow(second.body.data[0])).toEqual(want[1].key);
          }
        }
      }
    });

    it('names each link by its code and creator', async () => {
      const res = await report('launch', 'links', { model }, '&limit=100');
      const bob = res.body.data.find((row: { link_id: string }) => row.link_id === linkIds.get('bob_memes'));
      expect(bob).toMatchObject({ code: 'bob-memes', creator_fid: '4242', creator_handle: 'bob', channel: 'memes', cast_hash: null });
    });

    it.each(['launch', 'creators'])('payouts.csv of %s is the plan\'s, as RFC 4180 with a header', async (campaign) => {
      for (const [, filter] of filters(model)) {
        const res = await report(campaign, 'payouts.csv', filter);
        expect(res.headers['content-type']).toBe('text/csv; charset=utf-8');
        expect(res.headers['content-disposition']).toMatch(/^attachment; filename="campaign-[0-9a-f-]+-payouts-(first_touch|last_click)\.csv"$/);
        expect(res.headers['x-pending-conversion-jobs']).toBe('0');
        expect(res.headers['x-report-as-of']).toBe(t.clock.now().toISOString());
        const lines = res.text.split('\r\n');
        expect(lines.pop()).toBe('');
        expect(lines[0]).toBe('creator_fid,creator_handle,conversions,revenue_usdc,payable_conversions,payout_per_conversion,payout,payout_currency');
        const rows = expected.payouts(campaign, filter).map((r) =>
          [r.creator_fid, r.creator_handle, r.conversions, r.revenue_usdc, r.payable_conversions, r.payout_per_conversion, r.payout, r.payout_currency].join(','),
        );
        expect(lines.slice(1)).toEqual(rows);
      }
    });
  });

  it('answers 404 for another tenant\'s campaign and 400 for a bad filter, in the error shape', async () => {
    const stranger = await createTenant(t, 'Stranger');
    const id = campaignIds.get('launch');
    for (const name of ['summary', 'funnel', 'creators', 'channels', 'casts', 'links', 'payouts.csv']) {
      const res = await get(`/api/v1/reports/campaigns/${id}/${name}`, stranger.adminKey).expect(404);
      expect(res.body).toMatchObject({ statusCode: 404, code: 'not_found' });
    }
    await get(`/api/v1/reports/campaigns/${id}/summary?model=linear`).expect(400);
    await get(`/api/v1/reports/campaigns/${id}/summary?from=yesterday`).expect(400);
    await get(`/api/v1/reports/campaigns/${id}/creators?limit=1000`).expect(400);
    await get(`/api/v1/reports/campaigns/not-a-uuid/summary`).expect(400);
    await t.http.get(`/api/v1/reports/campaigns/${id}/summary`).expect(401);
  });

  it('counts a session in the period it first reached a step, even when the earlier event arrives late', async () => {
    const main = apps.get('main')!;
    const campaign = await createCampaign(t, tenant, main.id, { name: 'late' });
    const now = t.clock.now().getTime();
    const opened = (at: number) =>
      t.http
        .post('/api/v1/events')
        .set('x-api-key', main.apiKey)
        .send({ event_name: 'miniapp_opened', session_id: 'late_1', campaign_id: campaign.id, occurred_at: new Date(at).toISOString() })
        .expect(201);
    const opens = async (from: number, to: number) =>
      (await get(`/api/v1/reports/campaigns/${campaign.id}/summary?from=${new Date(from).toISOString()}&to=${new Date(to).toISOString()}`).expect(200)).body.opens;

    await opened(now);
    expect([await opens(now - 3 * DAY, now - DAY), await opens(now - 3_600_000, now + 3_600_000)]).toEqual([0, 1]);
    await opened(now - 2 * DAY);
    expect([await opens(now - 3 * DAY, now - DAY), await opens(now - 3_600_000, now + 3_600_000)]).toEqual([1, 0]);
    expect((await get(`/api/v1/reports/campaigns/${campaign.id}/summary`).expect(200)).body.opens).toBe(1);
  });

  it('documents every report and the trace in Swagger: auth, filters, answers with examples, errors', async () => {
    const doc = (await t.http.get('/docs-json').expect(200)).body;
    const paths = ['summary', 'funnel', 'creators', 'channels', 'casts', 'links', 'payouts.csv'].map((name) => `/api/v1/reports/campaigns/{id}/${name}`);
    for (const path of [...paths, '/api/v1/trace']) {
      const op = doc.paths[path]?.get;
      expect({ path, documented: !!op }).toEqual({ path, documented: true });
      expect(op.security).toEqual([{ 'tenant-api-key': [] }, { session: [] }]);
      expect(op.description.length).toBeGreaterThan(40);
      expect(Object.keys(op.responses)).toEqual(expect.arrayContaining(['200', '400', '401', '404']));
    }
    for (const path of paths) {
      expect(doc.paths[path].get.parameters.map((p: { name: string }) => p.name)).toEqual(expect.arrayContaining(['id', 'model', 'app_id', 'from', 'to']));
    }
    expect(doc.paths['/api/v1/reports/campaigns/{id}/payouts.csv'].get.responses['200'].content['text/csv'].example).toMatch(/^creator_fid,creator_handle,/);
    expect(doc.components.schemas.CampaignSummaryDto.properties.revenue_usdc.example).toBe('1499.40');
  });

  describe('trace', () => {
    it('explains a conversion: its window, its candidates and the touch each model credited', async () => {
      const conversion = expected.conversions.find((c) => c.candidates >= 2 && c.credit.first_touch!.link !== c.credit.last_click!.link)!;
      const [{ id }] = await t.app.get(DataSource).query(`SELECT id FROM conversions WHERE event_id = $1`, [eventIds.get(conversion.event.ref)]);
      const res = await get(`/api/v1/trace?conversion_id=${id}`).expect(200);
      expect(res.body.sessions).toContain(conversion.event.session_id);
      const traced = res.body.conversions.find((c: { id: string }) => c.id === id);
      expect(traced.attribution.window.lookback_days).toBe(30);
      expect(traced.attribution.candidates).toHaveLength(conversion.candidates);
      expect(traced.attribution.candidates_at_derivation).toBe(conversion.candidates);
      expect(traced.attribution.first_touch.touch.link_id).toBe(linkIds.get(conversion.credit.first_touch!.link.key));
      expect(traced.attribution.last_click.touch.link_id).toBe(linkIds.get(conversion.credit.last_click!.link.key));
      expect(traced.attribution.first_touch.reason).toMatch(new RegExp(`^earliest of ${conversion.candidates} qualifying touches between `));
      const times = res.body.timeline.map((item: { at: string }) => item.at);
      expect(times).toEqual([...times].sort());
      expect(res.body.timeline.some((item: { type: string; event_id?: string }) => item.type === 'event' && item.event_id === eventIds.get(conversion.event.ref))).toBe(true);
    });

    it('says why an unattributed conversion got no credit', async () => {
      const conversion = expected.conversions.find((c) => c.credit.last_click === null)!;
      const res = await get(`/api/v1/trace?event_id=${eventIds.get(conversion.event.ref)}`).expect(200);
      const traced = res.body.conversions.find((c: { event_id: string }) => c.event_id === eventIds.get(conversion.event.ref));
      expect(traced.attribution).toMatchObject({ candidates: [], first_touch: { touch: null }, last_click: { touch: null } });
      expect(traced.attribution.last_click.reason).toMatch(/^unattributed: /);
    });

    it('follows a fid across its sessions, marking bot touches', async () => {
      const fid = plan.actions.find((a) => a.type === 'event' && a.fid !== undefined)!;
      const sessions = new Set(plan.actions.flatMap((a) => (a.type === 'event' && a.fid === (fid as { fid: number }).fid ? [a.session_id] : [])));
      const res = await get(`/api/v1/trace?fid=${(fid as { fid: number }).fid}`).expect(200);
      expect(new Set(res.body.sessions)).toEqual(sessions);
      for (const item of res.body.timeline.filter((i: { type: string }) => i.type === 'touch')) expect(typeof item.is_bot).toBe('boolean');
    });

    it('needs exactly one subject, and finds nothing in another tenant', async () => {
      await get('/api/v1/trace').expect(400);
      await get('/api/v1/trace?session_id=s001&fid=101').expect(400);
      const stranger = await createTenant(t, 'Stranger 2');
      await get(`/api/v1/trace?session_id=s001`, stranger.adminKey).expect(404);
      const own = await get(`/api/v1/trace?session_id=s001`).expect(200);
      expect(own.body.sessions).toEqual(['s001']);
    });
  });
});
