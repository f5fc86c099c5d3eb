// Shared pieces of the benchmarks: processes, CPU accounting, load, results files.
'use strict';
const { spawn, fork } = require('node:child_process');
const { readFileSync, readdirSync, writeFileSync, mkdirSync, existsSync } = require('node:fs');
const { createServer } = require('node:net');
const { join } = require('node:path');
const autocannon = require('autocannon');
const { Client } = require('pg');

const ROOT = join(__dirname, '../..');
const CLOCK_TICKS = 100; // USER_HZ on Linux

async function freePort() {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** CPU seconds (user + system) a process has used so far. */
function cpuSeconds(pid) {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
}

/** Peak resident set size (VmHWM) in MB. */
function peakRssMb(pid) {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8').split('\n').find((l) => l.startsWith('VmHWM:'));
  return Math.round(Number(line.split(/\s+/)[1]) / 1024);
}

async function waitForHttp(url, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      const res = await fetch(url, { redirect: 'manual' });
      if (res.status < 500) return;
    } catch {
      /* not up yet */
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${url} did not come up`);
}

/** One statement on a short-lived connection (creating and dropping databases, final counts). */
async function query(url, sql, params) {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return await client.query(sql, params);
  } finally {
    await client.end();
  }
}

/** POST with a bearer token, expecting 201 (the benchmarks' setup: tenants, apps, links). */
async function post(base, path, token, body) {
  const res = await fetch(`${base}${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (res.status !== 201) throw new Error(`${path} answered ${res.status}: ${await res.text()}`);
  return res.json();
}

function startNode(script, env) {
  const child = spawn(process.execPath, [script], { cwd: ROOT, env: { PATH: process.env.PATH, ...env }, stdio: ['ignore', 'inherit', 'inherit'] });
  const exited = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
  return {
    pid: child.pid,
    exited,
    stop: (signal = 'SIGTERM') => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}

function runLoad({ url, connections, durationSec, headers, method = 'GET', body }) {
  return new Promise((resolve, reject) => {
    autocannon({ url, connections, duration: durationSec, headers, method, body, pipelining: 1, timeout: 10 }, (error, result) =>
      error ? reject(error) : resolve(result),
    );
  });
}

/**
 * CPU seconds used so far by PostgreSQL: every live postgres process, plus what the postmaster has
 * collected from children that have exited (backends come and go with pool connections).
 */
function postgresCpuSeconds() {
  const processes = new Map();
  for (const pid of readdirSync('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      if (!stat.includes('(postgres)')) continue;
      const fields = stat.split(') ')[1].split(' ');
      processes.set(pid, { parent: fields[1], own: Number(fields[11]) + Number(fields[12]), reaped: Number(fields[13]) + Number(fields[14]) });
    } catch {
      // the process ended while we looked
    }
  }
  let ticks = 0;
  for (const p of processes.values()) ticks += p.own + (processes.has(p.parent) ? 0 : p.reaped);
  return ticks / CLOCK_TICKS;
}

/**
 * Warm up, then measure requests/s, p99, and CPU µs per request of the server process and of
 * PostgreSQL. `itemsPerRequest` turns requests into items (events per batch) for the per-item figures.
 */
async function measure({ url, pid, connections, warmupSec, durationSec, headers, method, body, itemsPerRequest = 1 }) {
  const load = { url, connections, headers, method, body };
  const warmup = await runLoad({ ...load, durationSec: warmupSec });
  const cpuBefore = cpuSeconds(pid);
  const pgBefore = postgresCpuSeconds();
  const result = await runLoad({ ...load, durationSec });
  const cpu = cpuSeconds(pid) - cpuBefore;
  const pgCpu = postgresCpuSeconds() - pgBefore;
  const requests = result.requests.total;
  const items = requests * itemsPerRequest;
  const perItem = (seconds) => (items ? Math.round(((seconds * 1e6) / items) * 10) / 10 : null);
  return {
    requests,
    reqPerSec: Math.round(requests / durationSec),
    itemsPerSec: Math.round(items / durationSec),
    p99Ms: result.latency.p99,
    serverCpuUsPerReq: perItem(cpu * itemsPerRequest),
    serverCpuUsPerItem: perItem(cpu),
    postgresCpuUsPerItem: perItem(pgCpu),
    errors: result.errors + result.timeouts,
    non2xx: result.non2xx,
    statusCodes: result.statusCodeStats,
    redirectsAnswered: (warmup.statusCodeStats['302']?.count ?? 0) + (result.statusCodeStats['302']?.count ?? 0),
  };
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : Math.round(((sorted[mid - 1] + sorted[mid]) / 2) * 10) / 10;
}

function writeResult(name, result, markdown) {
  const dir = join(__dirname, 'results');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, `${name}.json`), `${JSON.stringify(result, null, 2)}\n`);
  writeSection(name, markdown);
}

/** Replaces the section `name` of RESULTS.md; a new one goes at the end, or first if `first`. */
function writeSection(name, markdown, { first = false } = {}) {
  const file = join(__dirname, 'RESULTS.md');
  const header = '# Benchmark results\n\nWritten by `npm run bench`; each section is replaced by its latest run.\n';
  const existing = existsSync(file) ? readFileSync(file, 'utf8') : header;
  const start = `<!-- ${name}:start -->`;
  const end = `<!-- ${name}:end -->`;
  const section = `${start}\n${markdown.trim()}\n${end}`;
  let updated;
  if (existing.includes(start)) updated = existing.replace(new RegExp(`${start}[\\s\\S]*?${end}`), section);
  else if (first && existing.startsWith(header)) updated = `${header}\n${section}\n${existing.slice(header.length)}`;
  else updated = `${existing.trimEnd()}\n\n${section}\n`;
  writeFileSync(file, updated);
}

module.exports = { ROOT, freePort, cpuSeconds, postgresCpuSeconds, peakRssMb, waitForHttp, startNode, measure, median, writeResult, writeSection, fork, query, post };
