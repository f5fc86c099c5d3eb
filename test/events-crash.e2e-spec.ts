/*
 * "Acknowledged means durable": a 201 from event ingestion is sent only after the group commit. This
 * proves it the hard way: 30 s of concurrent single and batch ingestion against a real process,
 * kill -9 while requests are in flight, then every acknowledged event id must be in the database.
 */
import { randomBase62, startEmbeddedPostgres } from '@refos/platform';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { startProcess, waitUntilReady } from './support/processes';
import { openTestDatabase } from './support/test-database';

const ADMIN_TOKEN = `adm_${randomBase62(40)}`;
const LOAD_MS = 30_000;
const WORKERS = 24;

async function post(url: string, headers: Record<string, string>, body: object): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

describe('event ingestion under kill -9', () => {
  it('keeps every event it acknowledged', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'refos-events-crash-'));
    const server = process.env.DATABASE_URL ? await openTestDatabase() : undefined;
    const api = await startProcess('api', {
      DATA_DIR: dataDir,
      ADMIN_TOKEN,
      DATABASE_URL: server?.url,
      JOBS_ENABLED: 'false',
      EVENTS_RATE_LIMIT_PER_IP: '100000000',
    });
    try {
      await waitUntilReady(api, 60_000);
      const tenant = await post(`${api.url}/api/v1/tenants`, { authorization: `Bearer ${ADMIN_TOKEN}` }, { name: 'Crash' });
      const adminKey = (tenant.body.api_key as { key: string }).key;
      const app = (await post(`${api.url}/api/v1/apps`, { authorization: `Bearer ${adminKey}` }, { name: 'Mini' })).body as { api_key: string; server_secret: string };
      const headers = { 'x-api-key': app.api_key, 'x-server-secret': app.server_secret };

      const acknowledged: string[] = [];
      let sequence = 0;
      let killed = false;
      const worker = async (index: number) => {
        while (!killed) {
          const n = sequence++;
          try {
            if (index % 4 === 0) {
              const events = Array.from({ length: 20 }, (_, i) => ({ event_name: 'session_engaged_30s', session_id: `s${n}_${i}` }));
              const res = await post(`${api.url}/api/v1/events/batch`, headers, { events });
              if (res.status === 200) {
                for (const result of res.body.results as { status: string; id: string }[]) if (result.status === 'accepted') acknowledged.push(result.id);
              }
            } else {
              const event = { event_name: 'payment_completed', session_id: `s${n}`, idempotency_key: `tx:${n}`, tx_hash: `0x${n}`, value_usdc: '1.5' };
              const res = await post(`${api.url}/api/v1/events`, headers, event);
              if (res.status === 201) acknowledged.push(res.body.id as string);
            }
          } catch {
            // The connection died with the process: this request was never acknowledged.
          }
        }
      };
      const load = Promise.all(Array.from({ length: WORKERS }, (_, i) => worker(i)));
      await new Promise((resolve) => setTimeout(resolve, LOAD_MS));
      await api.stop('SIGKILL');
      killed = true;
      await load;
      expect(acknowledged.length).toBeGreaterThan(1_000);

      const database = server ?? (await startEmbeddedPostgres({ dataDir }));
      const client = new Client({ connectionString: database.url });
      await client.connect();
      try {
        const { rows } = await client.query<{ id: string }>(`SELECT id FROM events WHERE id = ANY($1::uuid[])`, [acknowledged]);
        const found = new Set(rows.map((row) => row.id));
        expect(acknowledged.filter((id) => !found.has(id))).toEqual([]);
        const jobs = await client.query<{ missing: number }>(
          `SELECT count(*)::int AS missing FROM events e WHERE e.category = 'conversion_completed'
             AND NOT EXISTS (SELECT 1 FROM conversion_jobs j WHERE j.event_id = e.id)`,
        );
        expect(jobs.rows[0].missing).toBe(0);
      } finally {
        await client.end();
        if (!server) await database.close();
      }
    } finally {
      await api.stop('SIGKILL');
      await server?.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  }, 120_000);
});
