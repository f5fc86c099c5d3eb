// The whole system under load and faults: two API processes (jobs off) and two workers on one
// PostgreSQL and Redis, mixed traffic addressed to the APIs alternately, a worker and an API killed
// -9 and restarted, every database connection broken once; then the invariants, printed, exit 1 on
// any violation. DURATION in seconds (default 300). Run through `npm run soak` (builds first).
'use strict';
const { randomBytes } = require('node:crypto');
const { mkdtempSync, rmSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { join } = require('node:path');
const { Client } = require('pg');
const { freePort, startNode, waitForHttp } = require('../bench/lib');

const SERVER_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const DURATION_MS = Number(process.env.DURATION ?? 300) * 1000;
const CONCURRENCY = Number(process.env.SOAK_CONCURRENCY ?? 12);
const APPS = 6;
/** Per app and minute, shared by both APIs through Redis; the traffic apps stay well below it. */
const EVENTS_PER_APP_PER_MINUTE = 3000;
const SECRET = randomBytes(24).toString('hex');

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const pick = (items) => items[Math.floor(Math.random() * items.length)];

async function request(base, path, { method = 'GET', headers = {}, body } = {}) {
  const res = await fetch(`${base}${path}`, {
    method,
    redirect: 'manual',
    headers: { ...(body ? { 'content-type': 'application/json' } : {}), ...headers },
    body: body ? JSON.stringify(body) : undefined,
    signal: AbortSignal.timeout(10_000),
  });
  const text = await res.text();
  let json = null;
  try {
    json = text ? JSON.parse(text) : null;
  } catch {
    // CSV or empty
  }
  return { status: res.status, headers: res.headers, json, text };
}

async function main() {
  const database = `refos_soak_${randomBytes(4).toString('hex')}`;
  const admin = new Client({ connectionString: SERVER_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${database}`);
  const databaseUrl = Object.assign(new URL(SERVER_URL), { pathname: `/${database}` }).toString();
  const dataDir = mkdtempSync(join(tmpdir(), 'refos-soak-'));
  const adminToken = `adm_${SECRET}`;
  const env = {
    NODE_ENV: 'production',
    HOST: '127.0.0.1',
    DATABASE_URL: databaseUrl,
    REDIS_URL,
    ADMIN_TOKEN: adminToken,
    ENCRYPTION_KEY: `soak:${randomBytes(32).toString('base64')}`,
    AGENT_JWT_SECRET: randomBytes(32).toString('base64url'),
    JOB_RUNNER_SECRET: `jrs_${SECRET}`,
    EVENTS_RATE_LIMIT_PER_APP: String(EVENTS_PER_APP_PER_MINUTE),
    // Every request of the soak comes from 127.0.0.1: per-IP limits would measure the soak, not the service.
    EVENTS_RATE_LIMIT_PER_IP: '100000000',
    THROTTLE_LIMIT: '1000000',
    CONVERSIONS_POLL_MS: '200',
    LOG_LEVEL: 'error',
    DATA_DIR: dataDir,
  };
  const processes = {};
  const start = async (name, script, extra) => {
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const proc = startNode(script, { ...env, ...extra, PORT: String(port), PUBLIC_BASE_URL: url });
    processes[name] = { url, proc };
    if (script.includes('/api/')) return waitForHttp(`${url}/health/ready`, 120_000);
    // A worker serves no HTTP: it is up when it has not died after its start-up.
    const exited = await Promise.race([proc.exited, sleep(3000).then(() => 'running')]);
    if (exited !== 'running') throw new Error(`${name} exited with ${exited}`);
  };
  const stats = { requests: 0, failures: 0, statuses: {} };
  const acked = { events: new Set(), clicks: new Set(), links: new Set() };
  const keyed = new Map(); // idempotency key → event ids answered for it
  const faults = [];
  let report;

  try {
    await start('api1', 'dist/apps/api/src/main.js', { JOBS_ENABLED: 'false' });
    await start('api2', 'dist/apps/api/src/main.js', { JOBS_ENABLED: 'false' });
    await start('worker1', 'dist/apps/worker/src/main.js', {});
    await start('worker2', 'dist/apps/worker/src/main.js', {});
    const apis = () => [processes.api1.url, processes.api2.url];
    let turn = 0;
    const nextApi = () => apis()[turn++ % 2];

    // A tenant, APPS traffic apps with a campaign and links each, and one app to probe the rate limit.
    const { json: created } = await request(apis()[0], '/api/v1/tenants', { method: 'POST', headers: { authorization: `Bearer ${adminToken}` }, body: { name: 'Soak' } });
    const key = created.api_key.key;
    const auth = { authorization: `Bearer ${key}` };
    const apps = [];
    for (let i = 0; i <= APPS; i++) {
      const { json: app } = await request(apis()[0], '/api/v1/apps', { method: 'POST', headers: auth, body: { name: `Soak app ${i}` } });
      const { json: campaign } = await request(apis()[0], '/api/v1/campaigns', { method: 'POST', headers: auth, body: { app_id: app.id, name: `Soak ${i}`, payout_amount: '1.00' } });
      const links = [];
      for (let l = 0; l < 3; l++) {
        const { json: link } = await request(apis()[0], '/api/v1/referral-links', {
          method: 'POST',
          headers: auth,
          body: { app_id: app.id, campaign_id: campaign.id, creator_handle: `creator${l}`, destination_url: 'https://mini.example/app' },
        });
        links.push(link);
      }
      apps.push({ app, campaign, links, clicks: [] });
    }
    const probe = apps.pop();

    const actions = [
      [35, async () => {
        const a = pick(apps);
        const res = await request(nextApi(), `/r/${pick(a.links).code}`, { headers: { 'user-agent': 'Mozilla/5.0 (iPhone) Safari/604.1' } });
        if (res.status === 302) {
          const clickId = new URL(res.headers.get('location')).searchParams.get('click_id');
          acked.clicks.add(clickId);
          a.clicks.push(clickId);
        }
        return res.status;
      }],
      [30, async () => {
        const a = pick(apps);
        const session = `s${Math.floor(Math.random() * 5000)}`;
        const body = { event_name: pick(['miniapp_opened', 'sign_in_completed', 'checkout_started']), session_id: session, campaign_id: a.campaign.id };
        if (body.event_name === 'miniapp_opened' && a.clicks.length) body.click_id = pick(a.clicks);
        if (body.event_name === 'sign_in_completed') body.fid = 1000 + Math.floor(Math.random() * 500);
        const res = await request(nextApi(), '/api/v1/events', { method: 'POST', headers: { 'x-api-key': a.app.api_key }, body });
        if (res.status === 201) acked.events.add(res.json.id);
        return res.status;
      }],
      [20, async () => {
        // A trusted conversion, retried on the other instance with the same key as a client would.
        const a = pick(apps);
        const tx = randomBytes(16).toString('hex');
        const body = { event_name: 'payment_completed', session_id: `s${Math.floor(Math.random() * 5000)}`, idempotency_key: `tx:${tx}`, tx_hash: tx, value_usdc: '4.99' };
        const headers = { 'x-api-key': a.app.api_key, 'x-server-secret': a.app.server_secret };
        let status;
        for (let attempt = 0; attempt < (Math.random() < 0.3 ? 2 : 1); attempt++) {
          const res = await request(nextApi(), '/api/v1/events', { method: 'POST', headers, body });
          status = res.status;
          if (res.status === 201 || res.status === 200) {
            acked.events.add(res.json.id);
            keyed.set(body.idempotency_key, [...(keyed.get(body.idempotency_key) ?? []), res.json.id]);
          }
        }
        return status;
      }],
      [7, async () => (await request(nextApi(), `/api/v1/reports/campaigns/${pick(apps).campaign.id}/summary`, { headers: auth })).status],
      [8, async () => {
        const a = pick(apps);
        const body = { app_id: a.app.id, campaign_id: a.campaign.id, creator_handle: 'late', destination_url: 'https://mini.example/app' };
        const headers = { ...auth, 'idempotency-key': randomBytes(12).toString('hex') };
        let res = await request(nextApi(), '/api/v1/referral-links', { method: 'POST', headers, body });
        if (res.status >= 500) res = await request(nextApi(), '/api/v1/referral-links', { method: 'POST', headers, body });
        if (res.status === 201) acked.links.add(res.json.id);
        return res.status;
      }],
    ];
    const totalWeight = actions.reduce((sum, [w]) => sum + w, 0);
    const act = () => {
      let r = Math.random() * totalWeight;
      for (const [weight, action] of actions) if ((r -= weight) < 0) return action();
      return actions[0][1]();
    };

    const started = Date.now();
    const deadline = started + DURATION_MS;
    const loaders = Array.from({ length: CONCURRENCY }, async () => {
      while (Date.now() < deadline) {
        stats.requests++;
        try {
          const status = await act();
          stats.statuses[status] = (stats.statuses[status] ?? 0) + 1;
        } catch {
          stats.failures++; // refused or cut while a process was down: not acknowledged, not counted
        }
      }
    });
    const at = (fraction) => sleep(Math.max(0, started + DURATION_MS * fraction - Date.now()));
    const restart = async (name, script, extra) => {
      await processes[name].proc.stop('SIGKILL');
      faults.push(`${new Date().toISOString()} SIGKILL ${name}`);
      await sleep(1000);
      await start(name, script, extra);
      faults.push(`${new Date().toISOString()} ${name} back`);
    };
    const chaos = (async () => {
      await at(0.2);
      await restart('worker1', 'dist/apps/worker/src/main.js', {});
      await at(0.4);
      await restart('api2', 'dist/apps/api/src/main.js', { JOBS_ENABLED: 'false' });
      await at(0.6);
      const { rows } = await admin.query(`SELECT count(pg_terminate_backend(pid))::int AS n FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()`, [database]);
      faults.push(`${new Date().toISOString()} pg_terminate_backend on ${rows[0].n} connections`);
    })();
    await Promise.all([...loaders, chaos]);

    // The rate limit, across both instances: exactly the limit accepted in one window, the rest 429.
    const probeResults = { 201: 0, 429: 0, other: 0 };
    for (let i = 0; i < EVENTS_PER_APP_PER_MINUTE + 300; i += 50) {
      const batch = await Promise.all(
        Array.from({ length: 50 }, (_, j) =>
          request(apis()[(i + j) % 2], '/api/v1/events', { method: 'POST', headers: { 'x-api-key': probe.app.api_key }, body: { event_name: 'miniapp_opened', session_id: `probe${i + j}` } })
            .then((res) => res.status)
            .catch(() => 'error'),
        ),
      );
      for (const status of batch) probeResults[status === 201 || status === 429 ? status : 'other']++;
    }

    // Drain: the APIs flush their buffers on SIGTERM; the workers finish the queue.
    for (const name of ['api1', 'api2']) await processes[name].proc.stop('SIGTERM');
    const db = new Client({ connectionString: databaseUrl });
    await db.connect();
    const drainDeadline = Date.now() + 120_000;
    for (;;) {
      const { rows } = await db.query(`SELECT count(*)::int AS left FROM conversion_jobs WHERE status <> 'dead'`);
      if (rows[0].left === 0 || Date.now() > drainDeadline) break;
      await sleep(500);
    }

    const one = async (sql, params = []) => (await db.query(sql, params)).rows[0];
    const events = [...acked.events];
    const storedEvents = await one(`SELECT count(*)::int AS n FROM events WHERE id = ANY($1::uuid[])`, [events]);
    const conversionFacts = await one(`
      SELECT (SELECT count(*)::int FROM events WHERE category = 'conversion_completed') AS completed_events,
             (SELECT count(*)::int FROM conversions) AS conversions,
             (SELECT count(DISTINCT event_id)::int FROM conversions) AS distinct_events,
             (SELECT count(*)::int FROM conversion_jobs) AS jobs_left,
             (SELECT count(*)::int FROM conversion_jobs WHERE status = 'running') AS jobs_claimed`);
    const keyedFacts = await one(`SELECT count(*)::int AS n, count(DISTINCT idempotency_key)::int AS keys FROM events WHERE trusted AND idempotency_key = ANY($1::text[])`, [[...keyed.keys()]]);
    const inconsistentRetries = [...keyed.values()].filter((ids) => new Set(ids).size > 1).length;
    const storedClicks = await one(`SELECT count(*)::int AS n FROM touches WHERE click_id = ANY($1::text[])`, [[...acked.clicks]]);

    // Reports against a recomputation from the raw rows, campaign by campaign, after the queue drained.
    await start('api1', 'dist/apps/api/src/main.js', { JOBS_ENABLED: 'false' });
    const reportMismatches = [];
    for (const a of apps) {
      const { json: summary } = await request(processes.api1.url, `/api/v1/reports/campaigns/${a.campaign.id}/summary?model=last_click`, { headers: auth });
      const raw = await one(
        `SELECT (SELECT count(*)::int FROM touches WHERE campaign_id = $1 AND NOT is_bot) AS clicks,
                (SELECT count(DISTINCT session_id)::int FROM events WHERE campaign_id = $1 AND event_name = 'miniapp_opened') AS opens,
                (SELECT count(*)::int FROM conversions WHERE last_click_campaign_id = $1) AS conversions_completed`,
        [a.campaign.id],
      );
      for (const field of ['clicks', 'opens', 'conversions_completed']) {
        if (summary[field] !== raw[field]) reportMismatches.push(`${a.campaign.id} ${field}: report ${summary[field]}, rows ${raw[field]}`);
      }
    }
    await db.end();

    const invariants = [
      ['every acknowledged event stored exactly once', storedEvents.n === events.length, `${storedEvents.n} of ${events.length} acknowledged events stored (ids are unique)`],
      ['one conversion per completed conversion event', conversionFacts.conversions === conversionFacts.completed_events && conversionFacts.distinct_events === conversionFacts.conversions, `${conversionFacts.conversions} conversions, ${conversionFacts.completed_events} completed events`],
      ['no job left, none claimed by a dead worker', conversionFacts.jobs_left === 0 && conversionFacts.jobs_claimed === 0, `${conversionFacts.jobs_left} jobs left, ${conversionFacts.jobs_claimed} running`],
      ['idempotent retries never made a second record', keyedFacts.n === keyedFacts.keys && inconsistentRetries === 0, `${keyedFacts.n} events for ${keyedFacts.keys} keys; ${inconsistentRetries} keys answered with two ids`],
      ['per-app rate limit held across both APIs', probeResults[201] === EVENTS_PER_APP_PER_MINUTE && probeResults.other === 0, `${probeResults[201]} accepted, ${probeResults[429]} refused (429), ${probeResults.other} other; limit ${EVENTS_PER_APP_PER_MINUTE}/min`],
      ['reports equal a recomputation from raw rows', reportMismatches.length === 0, reportMismatches.join('; ') || `${apps.length} campaigns match`],
    ];
    report = {
      durationSec: DURATION_MS / 1000,
      requests: stats.requests,
      failedRequests: stats.failures,
      statuses: stats.statuses,
      acknowledged: { events: events.length, clicks: acked.clicks.size, links: acked.links.size },
      // A kill -9 may lose the clicks an API buffered in its last 50 ms (documented), never store one twice.
      clicksStored: storedClicks.n,
      faults,
      invariants: invariants.map(([name, ok, detail]) => ({ name, ok, detail })),
    };
  } finally {
    await Promise.all(Object.values(processes).map(({ proc }) => proc.stop('SIGKILL')));
    await admin.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`).catch(() => {});
    await admin.end();
    rmSync(dataDir, { recursive: true, force: true });
  }

  process.stdout.write(`${JSON.stringify({ ...report, invariants: undefined }, null, 2)}\n\nInvariants:\n`);
  for (const { name, ok, detail } of report.invariants) process.stdout.write(`  ${ok ? 'ok  ' : 'FAIL'} ${name}: ${detail}\n`);
  if (report.invariants.some((i) => !i.ok)) process.exit(1);
}

main().catch((error) => {
  process.stderr.write(`${error.stack ?? error}\n`);
  process.exit(1);
});
