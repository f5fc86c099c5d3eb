// Cold start: from spawning the production API to its first 200 on /health/ready, on a database it
// has to migrate and on one already migrated, next to the floor of a bare node:http server's start.
// Needs PostgreSQL (DATABASE_URL, default the local server); run through `npm run bench`.
'use strict';
const { randomBytes } = require('node:crypto');
const { mkdtempSync, rmSync } = require('node:fs');
const { cpus, tmpdir } = require('node:os');
const { join } = require('node:path');
const { freePort, median, peakRssMb, query, startNode, writeResult } = require('./lib');

const SERVER_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const POLL_MS = 5;

/** Milliseconds from spawn until `path` answers 200, and the process (left running). */
async function timeToReady(script, env, path) {
  const port = await freePort();
  const started = process.hrtime.bigint();
  const proc = startNode(script, { ...env, PORT: String(port), PUBLIC_BASE_URL: `http://127.0.0.1:${port}` });
  const deadline = Date.now() + 120_000;
  for (;;) {
    try {
      const res = await fetch(`http://127.0.0.1:${port}${path}`, { redirect: 'manual' });
      if (res.status === 200 || res.status === 302) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`${script} did not become ready`);
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
  return { ms: Math.round(Number(process.hrtime.bigint() - started) / 1e5) / 10, proc };
}

async function main() {
  const database = `refos_bench_${randomBytes(4).toString('hex')}`;
  await query(SERVER_URL, `CREATE DATABASE ${database}`);
  const dataDir = mkdtempSync(join(tmpdir(), 'refos-bench-'));
  const env = {
    NODE_ENV: 'production',
    HOST: '127.0.0.1',
    DATABASE_URL: Object.assign(new URL(SERVER_URL), { pathname: `/${database}` }).toString(),
    ...(process.env.REDIS_URL ? { REDIS_URL: process.env.REDIS_URL } : {}),
    ADMIN_TOKEN: `adm_${randomBytes(24).toString('hex')}`,
    ENCRYPTION_KEY: `bench:${randomBytes(32).toString('base64')}`,
    AGENT_JWT_SECRET: randomBytes(32).toString('base64url'),
    LOG_LEVEL: 'warn',
    DATA_DIR: dataDir,
  };
  try {
    const first = await timeToReady('dist/apps/api/src/main.js', env, '/health/ready');
    const peakRss = peakRssMb(first.proc.pid);
    await first.proc.stop('SIGTERM');
    const warm = [];
    const bare = [];
    for (let round = 1; round <= ROUNDS; round++) {
      const ceiling = await timeToReady(join(__dirname, 'bare-redirect.js'), { CODE: 'c', DESTINATION: 'https://x.example' }, '/r/c');
      await ceiling.proc.stop('SIGTERM');
      const api = await timeToReady('dist/apps/api/src/main.js', env, '/health/ready');
      await api.proc.stop('SIGTERM');
      bare.push(ceiling.ms);
      warm.push(api.ms);
      process.stdout.write(`cold start round ${round}: API ${api.ms} ms, bare node:http ${ceiling.ms} ms\n`);
    }
    const result = {
      benchmark: 'cold start to /health/ready (production API on PostgreSQL)',
      ranAt: new Date().toISOString(),
      machine: { cpus: cpus().length, model: cpus()[0]?.model.replace(/\s+\d+-Core Processor$/, '').trim(), node: process.version },
      rounds: ROUNDS,
      freshDatabaseMs: first.ms,
      migratedDatabaseMs: median(warm),
      ceilingMs: median(bare),
      ratio: Math.round((median(bare) / median(warm)) * 100) / 100,
      peakRssAfterStartMb: peakRss,
      samples: { migratedDatabaseMs: warm, ceilingMs: bare },
    };
    writeResult(
      'cold-start',
      result,
      `
## Cold start (${result.ranAt.slice(0, 10)}, ${result.machine.cpus} cores, ${result.machine.model}, Node ${result.machine.node})

From spawning \`node dist/apps/api/src/main.js\` (production, PostgreSQL, Redis when set) to its first 200 on \`/health/ready\`, polled every ${POLL_MS} ms; medians of ${ROUNDS} rounds. The floor is a bare node:http server's time to its first answer.

| variant | ms to ready |
|---|---|
| floor: bare node:http | ${result.ceilingMs} |
| Referral OS API, database already migrated | ${result.migratedDatabaseMs} |
| Referral OS API, empty database (runs every migration) | ${result.freshDatabaseMs} |

Ratio floor / API: **${result.ratio}×**. Peak RSS of the API right after start-up: ${peakRss} MB.
`,
    );
    process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  } finally {
    await query(SERVER_URL, `DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
    rmSync(dataDir, { recursive: true, force: true });
  }
}

main().catch((error) => {
  process.stderr.write(`${error.stack ?? error}\n`);
  process.exit(1);
});
