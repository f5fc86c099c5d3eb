// Conversion derivation: 100,000 pending conversion jobs worked to the end by the real ConversionQueue
// in a production API process, through POST /api/internal/jobs/process-conversions (what a scheduler
// calls; the worker runs the same process(limit) in a loop), one limit after another, interleaved
// rounds, one file of results. Needs PostgreSQL (DATABASE_URL, default the local server); run through
// `npm run bench`.
'use strict';
const { randomBytes } = require('node:crypto');
const { mkdtempSync, rmSync } = require('node:fs');
const { cpus, tmpdir } = require('node:os');
const { join } = require('node:path');
const { Client } = require('pg');
const { cpuSeconds, freePort, median, peakRssMb, post, postgresCpuSeconds, startNode, waitForHttp, writeResult } = require('./lib');

const SERVER_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
// 500 is what a worker's pass takes (DEFAULT_PROCESS_LIMIT); 5000 is the endpoint's most.
const LIMITS = (process.env.BENCH_LIMITS ?? '500,1000,2000,5000').split(',').map(Number);
const CONVERSIONS = 100_000;
// Two callers on two cores: the deployment the issue describes (worker replicas) and what uses both.
const CALLERS = Number(process.env.BENCH_CALLERS ?? 2);
const CAMPAIGNS = 5;
const LINKS = 50;
const CLICKS_PER_SESSION = 2;
const TARGET_PER_SEC = 20_000;
const JOB_RUNNER_SECRET = `jrs_${randomBytes(24).toString('hex')}`;

async function connect(url) {
  const client = new Client({ connectionString: url });
  // A connection the server drops fails the query in flight; unhandled, the event would kill the
  // process before `finally` stops the API.
  client.on('error', (error) => process.stderr.write(`database connection lost: ${error.message}\n`));
  await client.connect();
  return client;
}

/**
 * One tenant's traffic as ingestion and the redirect would have stored it, made set-based. Session s
 * (1..CONVERSIONS) pays at pay_at(s), spread over the last day; before that it opened the mini app from
 * two clicks (3 days and 10 minutes earlier; every tenth session's first click is 40 days old, outside
 * the 30-day window; one click in 20 is a bot's). 30% of sessions sign in with a fid shared by about 3
 * sessions, 10% accept an invite carrying a referral_link_id, 80% start a checkout. Event ids are
 * uuidv7 of the receive time, as the API makes them.
 */
const datasetStatements = (tenantId, appId) => [
  [`CREATE TEMP TABLE bench_links AS
     SELECT row_number() OVER (ORDER BY created_at, id)::int - 1 AS n, l.* FROM referral_links l WHERE tenant_id = $1`, [tenantId]],
  [`CREATE FUNCTION pg_temp.uuidv7(at timestamptz, salt text) RETURNS uuid LANGUAGE sql IMMUTABLE AS $$
     SELECT (lpad(to_hex((extract(epoch FROM at) * 1000)::bigint), 12, '0') || '7' || substr(md5(salt), 1, 3) || '8' || substr(md5(salt), 4, 15))::uuid
   $$`],
  [`CREATE TEMP TABLE bench_sessions AS
     SELECT s, 'anon_' || s AS session_id, now() - interval '1 hour' - s * interval '800 milliseconds' AS pay_at,
            CASE WHEN s % 10 < 3 THEN 1000000 + s % 30000 END AS fid
     FROM generate_series(1, ${CONVERSIONS}) s`],
  [`CREATE TEMP TABLE bench_clicks AS
     SELECT g, s.s, s.session_id, substr(md5('click' || g), 1, 22) AS click_id, g % 20 = 0 AS is_bot,
            s.pay_at - CASE WHEN g % ${CLICKS_PER_SESSION} = 0 THEN interval '10 minutes'
                            WHEN s.s % 10 = 0 THEN interval '40 days' ELSE interval '3 days' END AS at
     FROM generate_series(1, ${CONVERSIONS * CLICKS_PER_SESSION}) g
     JOIN bench_sessions s ON s.s = (g + 1) / ${CLICKS_PER_SESSION}`],
  [`INSERT INTO touches (tenant_id, app_id, link_id, campaign_id, creator_fid, creator_handle, channel, cast_hash, click_id, is_bot, user_agent, ip_hash, occurred_at)
   SELECT l.tenant_id, l.app_id, l.id, l.campaign_id, l.creator_fid, l.creator_handle, l.channel, l.cast_hash, c.click_id, c.is_bot,
          CASE WHEN c.is_bot THEN 'Twitterbot/1.0' ELSE 'Mozilla/5.0 (iPhone) Safari/604.1' END, encode(sha256(c.click_id::bytea), 'hex'), c.at
   FROM bench_clicks c JOIN bench_links l ON l.n = (c.g * 7) % ${LINKS}`],
  [`INSERT INTO events (id, tenant_id, app_id, event_name, category, session_id, referral_link_id, click_id, fid, idempotency_key,
                       tx_hash, value_usdc, properties, context, trusted, occurred_at, received_at)
   SELECT pg_temp.uuidv7(x.at, x.event_name || x.n), $1, $2, x.event_name, x.category, x.session_id, x.link_id, x.click_id, x.fid,
          x.idempotency_key, x.tx_hash, x.value_usdc, '{}', '{"platform":"ios","app_version":"2.4.1"}', x.trusted, x.at, x.at
   FROM (
     SELECT c.g AS n, c.session_id, 'miniapp_opened' AS event_name, 'client' AS category, NULL::uuid AS link_id, c.click_id,
            NULL::bigint AS fid, NULL AS idempotency_key, NULL AS tx_hash, NULL::numeric AS value_usdc, false AS trusted, c.at + interval '5 seconds' AS at
     FROM bench_clicks c
     UNION ALL
     SELECT s, session_id, 'sign_in_completed', 'client', NULL, NULL, fid, NULL, NULL, NULL, false, pay_at - interval '5 minutes'
     FROM bench_sessions WHERE fid IS NOT NULL
     UNION ALL
     SELECT s.s, s.session_id, 'invite_accepted', 'client', l.id, NULL, NULL, NULL, NULL, NULL, false, s.pay_at - interval '3 minutes'
     FROM bench_sessions s JOIN bench_links l ON l.n = s.s % ${LINKS} WHERE s.s % 10 = 5
     UNION ALL
     SELECT s, session_id, 'checkout_started', 'conversion_started', NULL, NULL, NULL, NULL, NULL, (s % 100) + 0.99, false, pay_at - interval '1 minute'
     FROM bench_sessions WHERE s % 5 <> 0
     UNION ALL
     SELECT s, session_id, 'payment_completed', 'conversion_completed', NULL, NULL, NULL, 'tx:bench:' || s, '0x' || md5('tx' || s),
            (s % 100) + 0.99, true, pay_at
     FROM bench_sessions
   ) x`, [tenantId, appId]],
];

// Every run starts from the same outbox: each completed event's job pending, no conversion. VACUUM
// ANALYZE leaves the tables as autovacuum keeps them in service, and the CHECKPOINT keeps one run's
// dirty pages from being written during the next.
const RESET = [
  `TRUNCATE conversions, conversion_jobs`,
  `INSERT INTO conversion_jobs (tenant_id, event_id, run_at, created_at, updated_at)
   SELECT tenant_id, id, received_at, received_at, received_at FROM events WHERE category = 'conversion_completed' ORDER BY received_at`,
  `VACUUM ANALYZE conversion_jobs`,
  `VACUUM ANALYZE conversions`,
  `CHECKPOINT`,
];

/** `callers` schedulers calling the endpoint in a loop at once, as parallel workers do, until no job is left. */
async function drain(apiUrl, apiPid, limit) {
  const url = `${apiUrl}/api/internal/jobs/process-conversions?limit=${limit}`;
  const cpuBefore = cpuSeconds(apiPid);
  const pgBefore = postgresCpuSeconds();
  const started = performance.now();
  let calls = 0;
  let processed = 0;
  const caller = async () => {
    for (;;) {
      const res = await fetch(url, { method: 'POST', headers: { authorization: `Bearer ${JOB_RUNNER_SECRET}` } });
      if (res.status !== 200) throw new Error(`process-conversions answered ${res.status}: ${await res.text()}`);
      const result = await res.json();
      calls++;
      processed += result.processed;
      if (result.failed > 0) throw new Error(`process-conversions failed ${result.failed} jobs (limit ${limit})`);
      // Nothing left, or nothing this caller could take: the other callers hold the rest.
      if (result.remaining === 0 || result.processed === 0) return;
    }
  };
  await Promise.all(Array.from({ length: CALLERS }, caller));
  const seconds = (performance.now() - started) / 1000;
  const perConversion = (cpu) => Math.round(((cpu * 1e6) / processed) * 10) / 10;
  return {
    limit,
    processed,
    calls,
    seconds: Math.round(seconds * 1000) / 1000,
    conversionsPerSec: Math.round(processed / seconds),
    msPerCall: Math.round(((seconds * 1000) / calls) * 10) / 10,
    apiCpuUsPerConversion: perConversion(cpuSeconds(apiPid) - cpuBefore),
    postgresCpuUsPerConversion: perConversion(postgresCpuSeconds() - pgBefore),
  };
}

/** Throws unless every completed event has exactly one conversion and every job is done. */
async function verify(db) {
  const { rows } = await db.query(`
    SELECT (SELECT count(*)::int FROM events WHERE category = 'conversion_completed') AS events,
           (SELECT count(*)::int FROM conversions) AS conversions,
           (SELECT count(DISTINCT event_id)::int FROM conversions) AS distinct_events,
           (SELECT count(*)::int FROM conversion_jobs) AS jobs_left,
           (SELECT count(*)::int FROM conversions WHERE last_click_link_id IS NOT NULL) AS attributed,
           (SELECT count(*)::int FROM conversions WHERE started_event_id IS NOT NULL) AS with_started`);
  const check = rows[0];
  if (check.events !== CONVERSIONS || check.conversions !== CONVERSIONS || check.distinct_events !== CONVERSIONS || check.jobs_left !== 0) {
    throw new Error(`expected ${CONVERSIONS} conversions, one per completed event, no job left; found ${JSON.stringify(check)}`);
  }
  return check;
}

async function main() {
  const database = `refos_bench_${randomBytes(4).toString('hex')}`;
  const admin = await connect(SERVER_URL);
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
  let db;
  try {
    const apiUrl = `http://127.0.0.1:${apiPort}`;
    await waitForHttp(`${apiUrl}/health/ready`);
    const { tenant, api_key } = await post(apiUrl, '/api/v1/tenants', adminToken, { name: 'Bench' });
    const app = await post(apiUrl, '/api/v1/apps', api_key.key, { name: 'Bench app' });
    const campaigns = [];
    for (let i = 0; i < CAMPAIGNS; i++) campaigns.push(await post(apiUrl, '/api/v1/campaigns', api_key.key, { app_id: app.id, name: `Campaign ${i}` }));
    for (let i = 0; i < LINKS; i++) {
      await post(apiUrl, '/api/v1/referral-links', api_key.key, {
        app_id: app.id,
        campaign_id: campaigns[i % CAMPAIGNS].id,
        creator_fid: 3000 + i,
        creator_handle: `creator${i}`,
        channel: ['base', 'memes', 'farcaster'][i % 3],
        destination_url: 'https://mini.example/checkout',
      });
    }

    db = await connect(databaseUrl);
    const loadStarted = performance.now();
    for (const [statement, values] of datasetStatements(tenant.id, app.id)) await db.query(statement, values);
    await db.query('VACUUM ANALYZE');
    const { rows: counted } = await db.query(`
      SELECT (SELECT count(*)::int FROM touches) AS touches, (SELECT count(*)::int FROM touches WHERE is_bot) AS bot_touches,
             (SELECT count(DISTINCT session_id)::int FROM events) AS sessions, (SELECT count(*)::int FROM events) AS events,
             (SELECT count(*)::int FROM events WHERE fid IS NOT NULL) AS sign_ins`);
    const dataset = { tenants: 1, campaigns: CAMPAIGNS, links: LINKS, ...counted[0], conversionJobs: CONVERSIONS, loadSec: Math.round(performance.now() - loadStarted) / 1000 };
    process.stdout.write(`dataset: ${JSON.stringify(dataset)}\n`);

    const rounds = [];
    let check;
    for (let round = 1; round <= ROUNDS; round++) {
      const runs = [];
      for (const limit of LIMITS) {
        for (const statement of RESET) await db.query(statement);
        runs.push(await drain(apiUrl, api.pid, limit));
        check = await verify(db);
      }
      rounds.push({ round, runs });
      process.stdout.write(`round ${round}: ${runs.map((r) => `limit ${r.limit} ${r.conversionsPerSec} conv/s (${r.calls} calls, ${r.apiCpuUsPerConversion}+${r.postgresCpuUsPerConversion} µs/conv)`).join(' | ')}\n`);
    }

    const byLimit = LIMITS.map((limit) => {
      const runs = rounds.map((r) => r.runs.find((run) => run.limit === limit));
      return {
        limit,
        calls: runs[0].calls,
        conversionsPerSec: median(runs.map((run) => run.conversionsPerSec)),
        msPerCall: median(runs.map((run) => run.msPerCall)),
        apiCpuUsPerConversion: median(runs.map((run) => run.apiCpuUsPerConversion)),
        postgresCpuUsPerConversion: median(runs.map((run) => run.postgresCpuUsPerConversion)),
      };
    });
    const best = byLimit.reduce((a, b) => (b.conversionsPerSec > a.conversionsPerSec ? b : a));
    const peakRss = peakRssMb(api.pid);
    const result = {
      benchmark: 'conversion derivation (ConversionQueue.process via POST /api/internal/jobs/process-conversions)',
      ranAt: new Date().toISOString(),
      machine: { cpus: cpus().length, model: cpus()[0]?.model, node: process.version },
      load: { rounds: ROUNDS, limits: LIMITS, callers: CALLERS },
      dataset,
      byLimit,
      derive: { limit: best.limit, conversionsPerSec: best.conversionsPerSec },
      targets: { conversionsPerSec: TARGET_PER_SEC },
      check,
      peakRssMb: peakRss,
      rounds,
    };
    const row = (f) => `| ${f.limit} | ${f.conversionsPerSec} | ${f.calls} | ${f.msPerCall} | ${f.apiCpuUsPerConversion} | ${f.postgresCpuUsPerConversion} |`;
    const markdown = `## Conversion derivation (${result.ranAt.slice(0, 10)}, ${result.machine.cpus} cores, ${result.machine.model}, Node ${result.machine.node})

${CONVERSIONS} pending \`conversion_jobs\` worked to the end by ${CALLERS} concurrent callers of \`POST /api/internal/jobs/process-conversions?limit=…\` (ConversionQueue.process: reap expired leases, then one statement that takes a batch with SKIP LOCKED, derives it and deletes its jobs) on a production API process, medians of ${ROUNDS} interleaved rounds, the outbox reset and vacuumed before each run; PostgreSQL on the same machine. Dataset: 1 tenant, ${CAMPAIGNS} campaigns, ${LINKS} links, ${dataset.touches} touches (${dataset.bot_touches} bots), ${dataset.sessions} sessions, ${dataset.events} events (${dataset.sign_ins} sign-ins with a fid).

| limit (jobs per call) | conversions/s | calls | ms per call | API CPU µs/conversion | PostgreSQL CPU µs/conversion |
|---|---|---|---|---|---|
${byLimit.map(row).join('\n')}

Derive throughput: **${best.conversionsPerSec} conversions/s** at limit ${best.limit} (target ≥ ${TARGET_PER_SEC.toLocaleString('en-US')}/s). After the last run: ${check.conversions} conversions for ${check.events} completed events, ${check.jobs_left} jobs left; ${check.attributed} attributed (last click), ${check.with_started} with their checkout_started. Peak RSS of the API: ${peakRss} MB.
`;
    writeResult('derivation', result, markdown);
    process.stdout.write(`\n${markdown}\n`);
    if (best.conversionsPerSec < TARGET_PER_SEC) process.stderr.write(`below the target of ${TARGET_PER_SEC} conversions/s\n`);
  } finally {
    await db?.end();
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
