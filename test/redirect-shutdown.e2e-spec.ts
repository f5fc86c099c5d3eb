/*
 * The redirect acknowledges a click before its touch is written. This proves the buffer loses none
 * of them on SIGTERM: 1,000 redirects on a real process, SIGTERM at once, 1,000 human touches stored.
 */
import { randomBase62, startEmbeddedPostgres } from '@refos/platform';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { startProcess, waitUntilReady } from './support/processes';
import { openTestDatabase } from './support/test-database';

const ADMIN_TOKEN = `adm_${randomBase62(40)}`;
const BROWSER = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36';

async function post(url: string, token: string, body: object): Promise<Record<string, string>> {
  const res = await fetch(url, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
  if (res.status !== 201) throw new Error(`${url} answered ${res.status}: ${await res.text()}`);
  return (await res.json()) as Record<string, string>;
}

describe('redirect touches survive SIGTERM', () => {
  it('stores exactly one human touch per redirect answered before shutdown', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'refos-redirect-'));
    const server = process.env.DATABASE_URL ? await openTestDatabase() : undefined;
    const api = await startProcess('api', { DATA_DIR: dataDir, ADMIN_TOKEN, DATABASE_URL: server?.url, JOBS_ENABLED: 'false', THROTTLE_LIMIT: '100000' });
    try {
      await waitUntilReady(api, 60_000);
      const { api_key: key } = (await post(`${api.url}/api/v1/tenants`, ADMIN_TOKEN, { name: 'Shutdown' })) as unknown as { api_key: { key: string } };
      const app = await post(`${api.url}/api/v1/apps`, key.key, { name: 'Mini' });
      const link = await post(`${api.url}/api/v1/referral-links`, key.key, { app_id: app.id, creator_handle: 'alice', destination_url: 'https://mini.example/' });

      let redirected = 0;
      let remaining = 1_000;
      await Promise.all(
        Array.from({ length: 50 }, async () => {
          while (remaining-- > 0) {
            const res = await fetch(`${api.url}/r/${link.code}`, { redirect: 'manual', headers: { 'user-agent': BROWSER } });
            if (res.status === 302) redirected++;
          }
        }),
      );
      expect(redirected).toBe(1_000);
      expect(await api.stop('SIGTERM')).toBe(0);

      const database = server ?? (await startEmbeddedPostgres({ dataDir }));
      const client = new Client({ connectionString: database.url });
      await client.connect();
      try {
        const { rows } = await client.query(
          `SELECT count(*) FILTER (WHERE NOT is_bot)::int AS humans, count(DISTINCT click_id)::int AS clicks FROM touches WHERE link_id = $1`,
          [link.id],
        );
        expect(rows[0]).toEqual({ humans: 1_000, clicks: 1_000 });
      } finally {
        await client.end();
        if (!server) await database.close();
      }
    } finally {
      await api.stop('SIGKILL');
      await server?.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
