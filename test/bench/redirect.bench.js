// GET /r/:code against its ceiling (bare node:http + Map lookup + 302), interleaved rounds, one file
// of results. Needs PostgreSQL (DATABASE_URL, default the local server); run through `npm run bench`.
'use strict';
const { randomBytes } = require('node:crypto');
const { mkdtempSync, rmSync } = require('node:fs');
const { cpus, tmpdir } = require('node:os');
const { join } = require('node:path');
const { freePort, measure, median, peakRssMb, post, query, startNode, waitForHttp, writeResult } = require('./lib');

const SERVER_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 64);
const WARMUP_SEC = Number(process.env.BENCH_WARMUP_SEC ?? 3);
const DURATION_SEC = Number(process.env.BENCH_DURATION_SEC ?? 15);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const BROWSER = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36';

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
  });
  let bare;
  try {
    const apiUrl = `http://127.0.0.1:${apiPort}`;
    await waitForHttp(`${apiUrl}/health/ready`);
    const { api_key } = await post(apiUrl, '/api/v1/tenants', adminToken, { name: 'Bench' });
    const app = await post(apiUrl, '/api/v1/apps', api_key.key, { name: 'Bench app' });
    // A campaign link, the usual kind: its clicks also feed the campaign index and the hourly rollup.
    const campaign = await post(apiUrl, '/api/v1/campaigns', api_key.key, { app_id: app.id, name: 'Bench campaign' });
    const link = await post(apiUrl, '/api/v1/referral-links', api_key.key, {
      app_id: app.id,
      campaign_id: campaign.id,
      creator_handle: 'bench',
      channel: 'base',
      destination_url: 'https://mini.example/claim?src=bench',
    });

    bare = startNode(join(__dirname, 'bare-redirect.js'), { PORT: String(barePort), CODE: link.code, DESTINATION: 'https://mini.example/claim?src=bench' });
    await waitForHttp(`http://127.0.0.1:${barePort}/r/${link.code}`);

    const load = { connections: CONNECTIONS, warmupSec: WARMUP_SEC, durationSec: DURATION_SEC, headers: { 'user-agent': BROWSER } };
    const rounds = [];
    for (let round = 1; round <= ROUNDS; round++) {
      const ceiling = await measure({ ...load, url: `http://127.0.0.1:${barePort}/r/${link.code}`, pid: bare.pid });
      const redirect = await measure({ ...load, url: `${apiUrl}/r/${link.code}`, pid: api.pid });
      rounds.push({ round, ceiling, redirect });
      process.stdout.write(
        `round ${round}: bare ${ceiling.reqPerSec} req/s p99 ${ceiling.p99Ms} ms ${ceiling.serverCpuUsPerReq} µs/req | ` +
          `api ${redirect.reqPerSec} req/s p99 ${redirect.p99Ms} ms ${redirect.serverCpuUsPerReq} µs/req\n`,
      );
    }
    const redirected = rounds.reduce((sum, r) => sum + r.redirect.redirectsAnswered, 0);
    const peakRss = peakRssMb(api.pid);
    const exitCode = await api.stop('SIGTERM');
    const { rows } = await query(databaseUrl, `SELECT count(*) FILTER (WHERE NOT is_bot)::int AS humans, count(*)::int AS total FROM touches WHERE link_id = $1`, [link.id]);

    const summary = (key) => ({
      reqPerSec: median(rounds.map((r) => r[key].reqPerSec)),
      p99Ms: median(rounds.map((r) => r[key].p99Ms)),
      serverCpuUsPerReq: median(rounds.map((r) => r[key].serverCpuUsPerReq)),
    });
    const ceiling = summary('ceiling');
    const redirect = summary('redirect');
    const result = {
      benchmark: 'GET /r/:code',
      ranAt: new Date().toISOString(),
      machine: { cpus: cpus().length, model: cpus()[0]?.model, node: process.version },
      load: { connections: CONNECTIONS, warmupSec: WARMUP_SEC, durationSec: DURATION_SEC, rounds: ROUNDS, tool: 'autocannon (same machine)' },
      ceiling,
      redirect: { ...redirect, peakRssMb: peakRss },
      // Each round's own ratio, then their median: the host's speed drifts between rounds, and a
      // ratio of separate medians can pair a fast ceiling round with a slow API round.
      ratio: median(rounds.map((r) => Math.round((r.redirect.reqPerSec / r.ceiling.reqPerSec) * 100) / 100)),
      targets: { ratio: 0.5, p99Ms: 10 },
      touches: { redirectsAnswered: redirected, humanTouchesStored: rows[0].humans, allTouchesStored: rows[0].total, apiExitCode: exitCode },
      rounds,
    };
    const markdown = `## GET /r/:code (${result.ranAt.slice(0, 10)}, ${result.machine.cpus} cores, ${result.machine.model}, Node ${result.machine.node})

${CONNECTIONS} connections, ${WARMUP_SEC} s warm-up + ${DURATION_SEC} s, medians of ${ROUNDS} interleaved rounds; load generator on the same machine.

| variant | req/s | p99 ms | server CPU µs/req |
|---|---|---|---|
| ceiling: bare node:http, Map lookup + 302 | ${ceiling.reqPerSec} | ${ceiling.p99Ms} | ${ceiling.serverCpuUsPerReq} |
| Referral OS \`/r/:code\` (cached lookup, buffered touch) | ${redirect.reqPerSec} | ${redirect.p99Ms} | ${redirect.serverCpuUsPerReq} |

Ratio to the ceiling (median of the rounds' own ratios): **${result.ratio}×** (target ≥ 0.5×, p99 ≤ 10 ms). Redirects answered: ${redirected}; human touches stored after SIGTERM: ${rows[0].humans}. Peak RSS of the API: ${peakRss} MB.
`;
    writeResult('redirect', result, markdown);
    process.stdout.write(`\n${markdown}\n`);
    // autocannon does not count responses still in flight when a run's time ends, so a few more
    // touches than counted redirects is expected; fewer means clicks were lost.
    if (rows[0].humans < redirected) {
      process.stderr.write(`touches lost: ${redirected - rows[0].humans}\n`);
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
