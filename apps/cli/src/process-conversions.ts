#!/usr/bin/env node
/**
 * `npm run jobs:process-conversions`: one call of POST /api/internal/jobs/process-conversions, for a
 * scheduler or cron inside the deployed environment. Env: APP_BASE_URL, JOB_RUNNER_SECRET and
 * optionally PROCESS_CONVERSIONS_LIMIT. Prints the counts as JSON; exit 0 on success, 1 when the
 * call fails, 2 when the environment is incomplete.
 */
async function main(env: NodeJS.ProcessEnv): Promise<number> {
  const base = env.APP_BASE_URL;
  const secret = env.JOB_RUNNER_SECRET;
  const limit = env.PROCESS_CONVERSIONS_LIMIT;
  if (!base || !secret || (limit !== undefined && !/^[1-9][0-9]{0,3}$/.test(limit))) {
    process.stderr.write('Set APP_BASE_URL and JOB_RUNNER_SECRET (and optionally PROCESS_CONVERSIONS_LIMIT, 1 to 5000)\n');
    return 2;
  }
  const url = new URL('/api/internal/jobs/process-conversions', base);
  if (limit) url.searchParams.set('limit', limit);
  try {
    const res = await fetch(url, { method: 'POST', headers: { authorization: `Bearer ${secret}` } });
    const body = await res.text();
    if (!res.ok) {
      process.stderr.write(`process-conversions failed: HTTP ${res.status} ${body}\n`);
      return 1;
    }
    process.stdout.write(`${body}\n`);
    return 0;
  } catch (error) {
    process.stderr.write(`process-conversions failed: ${(error as Error).message}\n`);
    return 1;
  }
}

void main(process.env).then((code) => {
  process.exitCode = code;
});
