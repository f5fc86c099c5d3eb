// Campaign reports: p50/p95 of every report endpoint and the trace on a production API process over a
// generated dataset of more than 1,000,000 events and 100,000 conversions (derived by the real queue
// through POST /api/internal/jobs/process-conversions), one file of results. Needs PostgreSQL
// (DATABASE_URL, default the local server); run through `npm run bench`.
'use strict';
const { randomBytes } = require('node:crypto');
const { mkdtempSync, rmSync } = require('node:fs');
const { cpus, tmpdir } = require('node:os');
const { join } = require('node:path');
const { Client } = require('pg');
const { freePort, peakRssMb, startNode, waitForHttp, writeResult } = require('./lib');

const SERVER_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const SESSIONS = 300_000;
/** Every third session converts: 100,000 conversions. */
const CONVERTING_EVERY = 3;
const CAMPAIGNS = 5;
const LINKS = 50;
const REQUESTS = Number(process.env.BENCH_REPORT_REQUESTS ?? 60);
const TARGET_P95_MS = 100;
const JOB_RUNNER_SECRET = `jrs_${randomBytes(24).toString('hex')}`;

async function call(base, path, token, body) {
  const res = await fetch(`${base}${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (res.status >= 300) throw new Error(`${path} answered ${res.status}: ${await res.text()}`);
  return res.json();
}

/**
 * Sixty days of one tenant's traffic, set-based. Session s clicked two links of one campaign (the
 * second an hour after the first; one click in 20 is a bot's), opened the mini app from each click and
 * stayed 30 s, all events carrying the campaign as the SDK forwards it; every third session signed in
 * (30% of them), started a checkout and paid. Event ids are uuidv7 of their time, as the API makes them.
 */
const datasetStatements = (tenantId, appId) => [
  [`CREATE TEMP TABLE bench_links AS
     SELECT row_number() OVER (ORDER BY created_at, id)::int - 1 AS n, l.* FROM referral_links l WHERE tenant_id = $1`, [tenantId]],
  [`CREATE FUNCTION pg_temp.uuidv7(at timestamptz, salt text) RETURNS uuid LANGUAGE sql IMMUTABLE AS $$
     SELECT (lpad(to_hex((extract(epoch FROM at) * 1000)::bigint), 12, '0') || '7' || substr(md5(salt), 1, 3) || '8' || substr(md5(salt), 4, 15))::uuid
   $$`],
  [`CREATE TEMP TABLE bench_sessions AS
     SELECT s, 'anon_' || s AS session_id, now() - interval '2 hours' - s * interval '17 seconds' AS at,
            s % ${CONVERTING_EVERY} = 0 AS converts, CASE WHEN s % 10 < 3 THEN 1000000 + s % 50000 END AS fid
     FROM generate_series(1, ${SESSIONS}) s`],
  [`CREATE TEMP TABLE bench_clicks AS
     SELECT s.s, s.session_id, k, substr(md5('click' || s.s || ':' || k), 1, 22) AS click_id, (s.s + k) % 20 = 0 AS is_bot,
            s.at - (2 - k) * interval '1 hour' AS at, l.id AS link_id, l.campaign_id
     FROM bench_sessions s CROSS JOIN generate_series(1, 2) k
     JOIN bench_links l ON l.n = ((s.s % ${LINKS / CAMPAIGNS}) * ${CAMPAIGNS} + s.s % ${CAMPAIGNS} + k * ${CAMPAIGNS}) % ${LINKS}`],
  [`INSERT INTO touches (tenant_id, app_id, link_id, campaign_id, creator_fid, creator_handle, channel, cast_hash, click_id, is_bot, user_agent, ip_hash, occurred_at)
   SELECT l.tenant_id, l.app_id, l.id, l.campaign_id, l.creator_fid, l.creator_handle, l.channel, l.cast_hash, c.click_id, c.is_bot,
          CASE WHEN c.is_bot THEN 'Twitterbot/1.0' ELSE 'Mozilla/5.0 (iPhone) Safari/604.1' END, encode(sha256(c.click_id::bytea), 'hex'), c.at
   FROM bench_clicks c JOIN bench_links l ON l.id = c.link_id`],
  [`INSERT INTO events (id, tenant_id, app_id, event_name, category, session_id, campaign_id, click_id, fid, idempotency_key,
                       tx_hash, value_usdc, properties, context, trusted, occurred_at, received_at)
   SELECT pg_temp.uuidv7(x.at, x.event_name || x.session_id || x.n), $1, $2, x.event_name, x.category, x.session_id, x.campaign_id,
          x.click_id, x.fid, x.idempotency_key, x.tx_hash, x.value_usdc, '{}', '{"platform":"ios","app_version":"2.4.1"}', x.trusted, x.at, x.at
   FROM (
     SELECT c.k AS n, c.session_id, 'miniapp_opened' AS event_name, 'client' AS category, c.campaign_id, c.click_id,
            NULL::bigint AS fid, NULL AS idempotency_key, NULL AS tx_hash, NULL::numeric AS value_usdc, false AS trusted, c.at + interval '5 seconds' AS at
     FROM bench_clicks c
     UNION ALL
     SELECT c.k, c.session_id, 'session_engaged_30s', 'client', c.campaign_id, NULL, NULL, NULL, NULL, NULL, false, c.at + interval '35 seconds'
     FROM bench_clicks c
     UNION ALL
     SELECT 0, s.session_id, 'sign_in_completed', 'client', c.campaign_id, NULL, s.fid, NULL, NULL, NULL, false, s.at - interval '5 minutes'
     FROM bench_sessions s JOIN bench_clicks c ON c.s = s.s AND c.k = 2 WHERE s.converts AND s.fid IS NOT NULL
     UNION ALL
     SELECT 0, s.session_id, 'checkout_started', 'conversion_started', c.campaign_id, NULL, NULL, NULL, NULL, (s.s % 100) + 0.99, false, s.at - interval '1 minute'
     FROM bench_sessions s JOIN bench_clicks c ON c.s = s.s AND c.k = 2 WHERE s.converts
     UNION ALL
     SELECT 0, session_id, 'payment_completed', 'conversion_completed', NULL, NULL, NULL, 'tx:bench:' || s, '0x' || md5('tx' || s),
            (s % 100) + 0.99, true, at
     FROM bench_sessions WHERE converts
   ) x`, [tenantId, appId]],
  [`INSERT INTO conversion_jobs (tenant_id, event_id, run_at, created_at, updated_at)
   SELECT tenant_id, id, received_at, received_at, received_at FROM events WHERE category = 'conversion_completed' ORDER BY received_at`],
];

function percentile(sorted, p) {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

/** Sequential GETs (one reader, as an analyst's dashboard does), rotating through the campaigns and filters. */
async function timeReport(apiUrl, key, name, paths) {
  const latencies = [];
  let bytes = 0;
  for (let i = 0; i < REQUESTS + 5; i++) {
    const started = performance.now();
    const res = await fetch(`${apiUrl}${paths[i % paths.length]}`, { headers: { authorization: `Bearer ${key}` } });
    const body = await res.text();
    if (res.status !== 200) throw new Error(`${name} answered ${res.status}: ${body}`);
    if (i >= 5) latencies.push(performance.now() - started); // the first few warm the plan and page caches
    bytes = body.length;
  }
  latencies.sort((a, b) => a - b);
  const round = (ms) => Math.round(ms * 10) / 10;
  return { report: name, requests: REQUESTS, p50Ms: round(percentile(latencies, 50)), p95Ms: round(percentile(latencies, 95)), maxMs: round(latencies.at(-1)), lastBodyBytes: bytes };
}

async function main() {
  const database = `refos_bench_${randomBytes(4).toString('hex')}`;
  const admin = new Client({ connectionString: SERVER_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${database}`);
  const databaseUrl = Object.assign(new URL(SERVER_URL), { pathname: `/${database}` }).toString();
  const dataDir = mkdtempSync(join(tmpdir(), 'refos-bench-'));
  const adminToken = `adm_${randomBytes(24).toString('hex')}`;
  const apiPort = await freePort();
  const api = startNode('dist/apps/api/src/main.js', {
    NODE_ENV: 'production',
    HOST: '127.0.0.1',
    PORT: String(apiPort),
    PUBLIC_BASE_URL: `http://127.0.0.1:${apiPort}`,
    DATABASE_URL: databaseUrl,
    ...(process.env.REDIS_URL ? { REDIS_URL: process.env.REDIS_URL } : {}),
    ADMIN_TOKEN: adminToken,
    ENCRYPTION_KEY: `bench:${randomBytes(32).toString('base64')}`,
    AGENT_JWT_SECRET: randomBytes(32).toString('base64url'),
    JOB_RUNNER_SECRET,
    LOG_LEVEL: 'warn',
    JOBS_ENABLED: 'false',
    DATA_DIR: dataDir,
  });
  const db = new Client({ connectionString: databaseUrl });
  try {
    const apiUrl = `http://127.0.0.1:${apiPort}`;
    await waitForHttp(`${apiUrl}/health/ready`);
    const { tenant, api_key } = await call(apiUrl, '/api/v1/tenants', adminToken, { name: 'Bench' });
    const app = await call(apiUrl, '/api/v1/apps', api_key.key, { name: 'Bench app' });
    const campaigns = [];
    for (let i = 0; i < CAMPAIGNS; i++) {
      campaigns.push(await call(apiUrl, '/api/v1/campaigns', api_key.key, { app_id: app.id, name: `Campaign ${i}`, payout_amount: '2.50', payout_event: 'payment_completed' }));
    }
    for (let i = 0; i < LINKS; i++) {
      await call(apiUrl, '/api/v1/referral-links', api_key.key, {
        app_id: app.id,
        campaign_id: campaigns[i % CAMPAIGNS].id,
        creator_fid: 3000 + (i % 20),
        creator_handle: `creator${i % 20}`,
        channel: ['base', 'memes', 'farcaster'][i % 3],
        ...(i % 2 ? { cast_hash: `0x${(i + 1).toString(16).padStart(40, '0')}` } : {}),
        destination_url: 'https://mini.example/checkout',
      });
    }
    const readKey = (await call(apiUrl, '/api/v1/api-keys', api_key.key, { name: 'analyst', scopes: ['read'] })).key;

    await db.connect();
    let started = performance.now();
    for (const [statement, values] of datasetStatements(tenant.id, app.id)) await db.query(statement, values);
    await db.query('VACUUM ANALYZE');
    const loadSec = Math.round(performance.now() - started) / 1000;

    started = performance.now();
    for (;;) {
      const res = await fetch(`${apiUrl}/api/internal/jobs/process-conversions?limit=5000`, { method: 'POST', headers: { authorization: `Bearer ${JOB_RUNNER_SECRET}` } });
      const result = await res.json();
      if (res.status !== 200 || result.failed > 0) throw new Error(`process-conversions: ${res.status} ${JSON.stringify(result)}`);
      if (result.remaining === 0) break;
    }
    const deriveSec = Math.round(performance.now() - started) / 1000;
    await db.query('VACUUM ANALYZE');
    const { rows } = await db.query(`
      SELECT (SELECT count(*)::int FROM events) AS events, (SELECT count(*)::int FROM touches) AS touches,
             (SELECT count(*)::int FROM conversions) AS conversions,
             (SELECT count(*)::int FROM conversions WHERE last_click_campaign_id IS NOT NULL) AS attributed`);
    const dataset = { campaigns: CAMPAIGNS, links: LINKS, sessions: SESSIONS, ...rows[0], loadSec, deriveSec };
    if (dataset.events < 1_000_000 || dataset.conversions < 100_000) throw new Error(`dataset too small: ${JSON.stringify(dataset)}`);
    process.stdout.write(`dataset: ${JSON.stringify(dataset)}\n`);

    // Each report over every campaign, whole history and the last 30 days, both models.
    const to = new Date(Date.now() + 3_600_000).toISOString();
    const from = new Date(Date.now() - 30 * 86_400_000).toISOString();
    const variants = campaigns.flatMap((c, i) => [
      { id: c.id, query: `model=${i % 2 ? 'first_touch' : 'last_click'}` },
      { id: c.id, query: `model=${i % 2 ? 'last_click' : 'first_touch'}&from=${from}&to=${to}` },
    ]);
    const reports = ['summary', 'funnel', 'creators', 'channels', 'casts', 'links', 'payouts.csv'];
    const results = [];
    for (const name of reports) {
      results.push(await timeReport(apiUrl, readKey, name, variants.map((v) => `/api/v1/reports/campaigns/${v.id}/${name}?${v.query}`)));
      process.stdout.write(`${JSON.stringify(results.at(-1))}\n`);
    }
    const traced = await db.query(`SELECT id, session_id, fid::text FROM conversions WHERE fid IS NOT NULL ORDER BY id LIMIT 20`);
    results.push(await timeReport(apiUrl, readKey, 'trace (conversion_id)', traced.rows.map((r) => `/api/v1/trace?conversion_id=${r.id}`)));
    results.push(await timeReport(apiUrl, readKey, 'trace (fid)', traced.rows.map((r) => `/api/v1/trace?fid=${r.fid}`)));
    process.stdout.write(`${JSON.stringify(results.slice(-2))}\n`);

    const result = {
      benchmark: 'campaign reports (sequential GETs on a production API process)',
      ranAt: new Date().toISOString(),
      machine: { cpus: cpus().length, model: cpus()[0]?.model, node: process.version },
      dataset,
      requestsPerReport: REQUESTS,
      targets: { p95Ms: TARGET_P95_MS },
      reports: results,
      peakRssMb: peakRssMb(api.pid),
    };
    const markdown = `## Campaign reports (${result.ranAt.slice(0, 10)}, ${result.machine.cpus} cores, ${result.machine.model}, Node ${result.machine.node})

${REQUESTS} sequential requests per report on a production API process, rotating over the ${CAMPAIGNS} campaigns, both models, whole history and the last 30 days. Dataset: ${dataset.events.toLocaleString('en-US')} events, ${dataset.touches.toLocaleString('en-US')} touches, ${dataset.conversions.toLocaleString('en-US')} conversions (${dataset.attributed.toLocaleString('en-US')} attributed) derived by the queue in ${dataset.deriveSec} s; each campaign holds a fifth of it. PostgreSQL on the same machine.

| report | p50 ms | p95 ms | max ms | target p95 |
|---|---|---|---|---|
${results.map((r) => `| ${r.report} | ${r.p50Ms} | ${r.p95Ms} | ${r.maxMs} | ≤ ${TARGET_P95_MS} ms |`).join('\n')}

Peak RSS of the API: ${result.peakRssMb} MB.
`;
    writeResult('reports', result, markdown);
    process.stdout.write(`\n${markdown}\n`);
    const slow = results.filter((r) => r.p95Ms > TARGET_P95_MS);
    if (slow.length) process.stderr.write(`above the p95 target: ${slow.map((r) => r.report).join(', ')}\n`);
  } finally {
    await db.end().catch(() => {});
    await api.stop('SIGKILL');
    // BENCH_KEEP_DATABASE=1 leaves the dataset behind for EXPLAIN ANALYZE.
    if (process.env.BENCH_KEEP_DATABASE) process.stdout.write(`kept ${databaseUrl}\n`);
    else await admin.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
    await admin.end();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

main().catch((error) => {
  process.stderr.write(`${error.stack ?? error}\n`);
  process.exit(1);
});
