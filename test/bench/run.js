// `npm run bench`: every benchmark one after the other (each starts its own production API on a fresh
// PostgreSQL database), then one summary of every figure next to its ceiling or target, written to
// test/bench/results.json and at the top of test/bench/RESULTS.md. BENCH_ONLY=redirect,events,…
// runs a subset; the summary then reads the other figures from their last results file.
'use strict';
const { spawnSync } = require('node:child_process');
const { existsSync, readFileSync, writeFileSync } = require('node:fs');
const { cpus } = require('node:os');
const { join } = require('node:path');
const { writeSection } = require('./lib');

const BENCHMARKS = ['cold-start', 'redirect', 'events', 'derivation', 'reports'];
const only = process.env.BENCH_ONLY ? process.env.BENCH_ONLY.split(',') : BENCHMARKS;

const durations = {};
for (const name of BENCHMARKS.filter((b) => only.includes(b))) {
  process.stdout.write(`\n== ${name}\n`);
  const started = Date.now();
  const { status } = spawnSync(process.execPath, [join(__dirname, `${name}.bench.js`)], { stdio: 'inherit', env: process.env });
  durations[name] = Math.round((Date.now() - started) / 1000);
  if (status !== 0) {
    process.stderr.write(`${name} failed with exit code ${status}\n`);
    process.exit(1);
  }
}

const read = (name) => {
  const file = join(__dirname, 'results', `${name}.json`);
  return existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : undefined;
};
const results = Object.fromEntries(BENCHMARKS.map((name) => [name, read(name)]));
const ratio = (value, ceiling) => Math.round((value / ceiling) * 100) / 100;

/** One row per figure: what was measured, against what, and whether it meets its target. */
const figures = [];
const { redirect, events, derivation, reports } = results;
const coldStart = results['cold-start'];
if (coldStart) {
  figures.push({ figure: 'cold start to /health/ready (migrated database)', value: coldStart.migratedDatabaseMs, unit: 'ms', ceiling: coldStart.ceilingMs, ratio: coldStart.ratio, target: null, ranAt: coldStart.ranAt });
  figures.push({ figure: 'cold start to /health/ready (empty database, all migrations)', value: coldStart.freshDatabaseMs, unit: 'ms', ceiling: coldStart.ceilingMs, ratio: ratio(coldStart.ceilingMs, coldStart.freshDatabaseMs), target: null, ranAt: coldStart.ranAt });
}
if (redirect) {
  figures.push({ figure: 'GET /r/:code, 64 connections', value: redirect.redirect.reqPerSec, unit: 'req/s', ceiling: redirect.ceiling.reqPerSec, ratio: redirect.ratio, target: '≥ 0.5×', met: redirect.ratio >= 0.5, ranAt: redirect.ranAt });
  figures.push({ figure: 'GET /r/:code p99', value: redirect.redirect.p99Ms, unit: 'ms', ceiling: redirect.ceiling.p99Ms, ratio: null, target: '≤ 10 ms', met: redirect.redirect.p99Ms <= 10, ranAt: redirect.ranAt });
}
if (events) {
  figures.push({ figure: 'POST /api/v1/events, 64 connections', value: events.single.eventsPerSec, unit: 'events/s', ceiling: events.ceilingSingle.eventsPerSec, ratio: events.ratios.single, target: '≥ 0.5×', met: events.ratios.single >= 0.5, ranAt: events.ranAt });
  figures.push({ figure: 'POST /api/v1/events/batch (100 per batch)', value: events.batch.eventsPerSec, unit: 'events/s', ceiling: events.ceilingBatch.eventsPerSec, ratio: events.ratios.batch, target: '≥ 50,000 events/s', met: events.batch.eventsPerSec >= 50_000, ranAt: events.ranAt });
}
if (derivation) {
  figures.push({ figure: `conversion derivation (${derivation.load.callers} callers, limit ${derivation.derive.limit})`, value: derivation.derive.conversionsPerSec, unit: 'conversions/s', ceiling: null, ratio: ratio(derivation.derive.conversionsPerSec, derivation.targets.conversionsPerSec), target: '≥ 20,000/s', met: derivation.derive.conversionsPerSec >= derivation.targets.conversionsPerSec, ranAt: derivation.ranAt });
}
if (reports) {
  for (const r of reports.reports) {
    figures.push({ figure: `${r.report} p95 (${reports.dataset.events.toLocaleString('en-US')} events)`, value: r.p95Ms, unit: 'ms', ceiling: null, ratio: null, target: `≤ ${reports.targets.p95Ms} ms`, met: r.p95Ms <= reports.targets.p95Ms, ranAt: reports.ranAt });
  }
}
const peakRssMb = Math.max(...[redirect?.redirect.peakRssMb, events?.peakRssMb, derivation?.peakRssMb, reports?.peakRssMb].filter(Number.isFinite));

const summary = {
  ranAt: new Date().toISOString(),
  machine: { cpus: cpus().length, model: cpus()[0]?.model, node: process.version },
  benchmarksRun: Object.keys(durations),
  secondsPerBenchmark: durations,
  totalSeconds: Object.values(durations).reduce((sum, s) => sum + s, 0),
  peakRssMb,
  figures,
};
writeFileSync(join(__dirname, 'results.json'), `${JSON.stringify(summary, null, 2)}\n`);

const cell = (v) => (v === null || v === undefined ? '–' : typeof v === 'number' ? v.toLocaleString('en-US') : v);
const markdown = `
## Summary (${summary.ranAt.slice(0, 10)}, ${summary.machine.cpus} cores, ${summary.machine.model}, Node ${summary.machine.node})

Every figure next to its ceiling (measured in the same run) or target; each benchmark's section below has the detail and its own date. This run: ${summary.benchmarksRun.join(', ') || 'none (summary only)'} in ${summary.totalSeconds} s. Peak RSS of any API process: ${peakRssMb} MB.

| figure | value | ceiling | ratio | target | met |
|---|---|---|---|---|---|
${figures.map((f) => `| ${f.figure} | ${cell(f.value)} ${f.unit} | ${f.ceiling === null ? '–' : `${cell(f.ceiling)} ${f.unit}`} | ${f.ratio === null ? '–' : `${f.ratio}×`} | ${cell(f.target)} | ${f.met === undefined ? '–' : f.met ? 'yes' : '**no**'} |`).join('\n')}
`;
writeSection('summary', markdown, { first: true });
process.stdout.write(markdown);
