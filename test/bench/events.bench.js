// POST /api/v1/events (single and batch) against its ceiling: bare node:http + pg doing the same
// durable inserts with adaptive group commit, on the same database, interleaved rounds, one file of
// results. Needs PostgreSQL (DATABASE_URL, default the local server); run through `npm run bench`.
'use strict';
const { randomBytes, randomUUID } = require('node:crypto');
const { mkdtempSync, rmSync } = require('node:fs');
const { cpus, tmpdir } = require('node:os');
const { join } = require('node:path');
const { freePort, measure, median, peakRssMb, post, query, startNode, waitForHttp, writeResult } = require('./lib');

const SERVER_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 64);
const WARMUP_SEC = Number(process.env.BENCH_WARMUP_SEC ?? 3);
const DURATION_SEC = Number(process.env.BENCH_DURATION_SEC ?? 15);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const BATCH_SIZE = Number(process.env.BENCH_BATCH_SIZE ?? 100);

const SINGLE = {
  event_name: 'miniapp_opened',
  session_id: 'anon_bench',
  click_id: '3kTMd9Q0vYbq1XzW2nLp8e',
  properties: { screen: 'home' },
  context: { platform: 'ios', app_version: '2.4.1', locale: 'en-US', country: 'US' },
};
const BATCH = { events: Array.from({ length: BATCH_SIZE }, (_, i) => ({ ...SINGLE, event_name: 'session_engaged_30s', properties: { i } })) };

async function main() {
  const database = `refos_bench_${randomBytes(4).toString('hex')}`;
  await query(SERVER_URL, `CREATE DATABASE ${database}`);
  const databaseUrl = Object.assign(new URL(SERVER_URL), { pathname: `/${database}` }).toString();
  const dataDir = mkdtempSync(join(tmpdir(), 'refos-bench-'));
  const adminToken = `adm_${randomBytes(24).toString('hex')}`;
  const [apiPort, barePort] = [await freePort(), await freePort()];
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
    LOG_LEVEL: 'warn',
    JOBS_ENABLED: 'false',
    DATA_DIR: dataDir,
    EVENTS_RATE_LIMIT_PER_APP: '100000000',
    EVENTS_RATE_LIMIT_PER_IP: '100000000',
  });
  let bare;
  try {
    const apiUrl = `http://127.0.0.1:${apiPort}`;
    await waitForHttp(`${apiUrl}/health/ready`);
    const { tenant, api_key } = await post(apiUrl, '/api/v1/tenants', adminToken, { name: 'Bench' });
    const app = await post(apiUrl, '/api/v1/apps', api_key.key, { name: 'Bench app' });
    // Its own app id, so the API's durability check counts the API's events only.
    bare = startNode(join(__dirname, 'bare-events.js'), { PORT: String(barePort), DATABASE_URL: databaseUrl, TENANT_ID: tenant.id, APP_ID: randomUUID() });
    await waitForHttp(`http://127.0.0.1:${barePort}/`);

    const load = { connections: CONNECTIONS, warmupSec: WARMUP_SEC, durationSec: DURATION_SEC, method: 'POST' };
    const json = { 'content-type': 'application/json' };
    const appHeaders = { ...json, 'x-api-key': app.api_key };
    const single = { ...load, body: JSON.stringify(SINGLE) };
    const batch = { ...load, body: JSON.stringify(BATCH), itemsPerRequest: BATCH_SIZE };
    const rounds = [];
    for (let round = 1; round <= ROUNDS; round++) {
      const figures = {
        ceilingSingle: await measure({ ...single, url: `http://127.0.0.1:${barePort}/api/v1/events`, pid: bare.pid, headers: json }),
        single: await measure({ ...single, url: `${apiUrl}/api/v1/events`, pid: api.pid, headers: appHeaders }),
        ceilingBatch: await measure({ ...batch, url: `http://127.0.0.1:${barePort}/api/v1/events/batch`, pid: bare.pid, headers: json }),
        batch: await measure({ ...batch, url: `${apiUrl}/api/v1/events/batch`, pid: api.pid, headers: appHeaders }),
      };
      rounds.push({ round, ...figures });
      const line = (name, f) => `${name} ${f.itemsPerSec} ev/s p99 ${f.p99Ms} ms ${f.serverCpuUsPerItem}+${f.postgresCpuUsPerItem} µs/ev`;
      process.stdout.write(
        `round ${round}: ${line('bare', figures.ceilingSingle)} | ${line('api', figures.single)} | ` +
          `${line('bare batch', figures.ceilingBatch)} | ${line('api batch', figures.batch)}\n`,
      );
      for (const [name, f] of Object.entries(figures)) if (f.errors || f.non2xx) throw new Error(`${name}: ${f.errors} errors, ${f.non2xx} non-2xx answers`);
    }
    const peakRss = peakRssMb(api.pid);
    const acknowledged = rounds.reduce((sum, r) => sum + r.single.requests + r.batch.requests * BATCH_SIZE, 0);
    const { rows } = await query(databaseUrl, `SELECT count(*)::int AS stored FROM events WHERE app_id = $1`, [app.id]);
    const summary = (key) => ({
      eventsPerSec: median(rounds.map((r) => r[key].itemsPerSec)),
      p99Ms: median(rounds.map((r) => r[key].p99Ms)),
      serverCpuUsPerEvent: median(rounds.map((r) => r[key].serverCpuUsPerItem)),
      postgresCpuUsPerEvent: median(rounds.map((r) => r[key].postgresCpuUsPerItem)),
    });
    const figures = Object.fromEntries(['ceilingSingle', 'single', 'ceilingBatch', 'batch'].map((key) => [key, summary(key)]));
    const ratio = (a, b) => Math.round((a / b) * 100) / 100;
    const result = {
      benchmark: 'POST /api/v1/events',
      ranAt: new Date().toISOString(),
      machine: { cpus: cpus().length, model: cpus()[0]?.model, node: process.version },
      load: { connections: CONNECTIONS, warmupSec: WARMUP_SEC, durationSec: DURATION_SEC, rounds: ROUNDS, batchSize: BATCH_SIZE, tool: 'autocannon (same machine)' },
      ...figures,
      ratios: { single: ratio(figures.single.eventsPerSec, figures.ceilingSingle.eventsPerSec), batch: ratio(figures.batch.eventsPerSec, figures.ceilingBatch.eventsPerSec) },
      targets: { singleRatio: 0.5, singleP99Ms: 25, batchEventsPerSec: 50_000 },
      durability: { acknowledgedByApi: acknowledged, storedForApp: rows[0].stored },
      peakRssMb: peakRss,
      rounds,
    };
    const row = (name, f) => `| ${name} | ${f.eventsPerSec} | ${f.p99Ms} | ${f.serverCpuUsPerEvent} | ${f.postgresCpuUsPerEvent} |`;
    const markdown = `## POST /api/v1/events (${result.ranAt.slice(0, 10)}, ${result.machine.cpus} cores, ${result.machine.model}, Node ${result.machine.node})

${CONNECTIONS} connections, ${WARMUP_SEC} s warm-up + ${DURATION_SEC} s, medians of ${ROUNDS} interleaved rounds; batches of ${BATCH_SIZE}; load generator and PostgreSQL on the same machine. Every figure is durable events acknowledged after commit.

| variant | events/s | p99 ms | server CPU µs/event | PostgreSQL CPU µs/event |
|---|---|---|---|---|
${row('ceiling: bare node:http + pg, adaptive group commit, single', figures.ceilingSingle)}
${row('Referral OS `POST /api/v1/events`', figures.single)}
${row('ceiling: same, batches', figures.ceilingBatch)}
${row('Referral OS `POST /api/v1/events/batch`', figures.batch)}

Single events: **${result.ratios.single}×** the ceiling (target ≥ 0.5×, p99 ≤ 25 ms). Batches: **${figures.batch.eventsPerSec} events/s**, ${result.ratios.batch}× the ceiling (target ≥ 50,000 events/s). Events acknowledged by the API in the measured windows: ${acknowledged}; stored for its app (warm-ups included): ${rows[0].stored}. Peak RSS of the API: ${peakRss} MB.
`;
    writeResult('events', result, markdown);
    process.stdout.write(`\n${markdown}\n`);
    if (rows[0].stored < acknowledged) {
      process.stderr.write(`acknowledged events missing: ${acknowledged - rows[0].stored}\n`);
      process.exitCode = 1;
    }
  } finally {
    await bare?.stop();
    await api.stop('SIGKILL');
    await query(SERVER_URL, `DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
    rmSync(dataDir, { recursive: true, force: true });
  }
}

main().catch((error) => {
  process.stderr.write(`${error.stack ?? error}\n`);
  process.exit(1);
});
