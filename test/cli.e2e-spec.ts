/*
 * The built `refos` command line (`npm run build` first: `npm test` does) as its own process,
 * against the whole API listening on 127.0.0.1.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { createApiKey, createTenant, TenantFixture } from './factories/tenants';
import { freePort } from './support/processes';
import { createTestApp, TestApp } from './support/test-app';

const ROOT = join(__dirname, '..');
const CLI = join(ROOT, 'dist/apps/cli/src/main.js');

interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Every key handed to the CLI: none may ever show up in what it prints. */
const keysUsed = new Set<string>();

async function refos(args: string[], env: { REFOS_API_URL?: string; REFOS_API_KEY?: string }): Promise<CliResult> {
  if (env.REFOS_API_KEY) keysUsed.add(env.REFOS_API_KEY);
  const result = await new Promise<CliResult>((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { cwd: ROOT, env: { PATH: process.env.PATH, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, stderr }));
  });
  const printed = `${result.stdout}\n${result.stderr}`;
  for (const key of keysUsed) {
    expect(printed).not.toContain(key);
    expect(printed).not.toContain(key.split('_')[2]);
  }
  return result;
}

describe('refos (the CLI)', () => {
  let t: TestApp;
  let url: string;
  let acme: TenantFixture;

  beforeAll(async () => {
    if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run "npm run build" first`);
    t = await createTestApp();
    await t.app.listen(0, '127.0.0.1');
    url = `http://127.0.0.1:${(t.app.getHttpServer().address() as AddressInfo).port}`;
    acme = await createTenant(t, 'Acme Rockets');
  });
  afterAll(() => t?.close());

  describe('whoami', () => {
    it('names the tenant and the key, readably', async () => {
      const res = await refos(['whoami'], { REFOS_API_URL: url, REFOS_API_KEY: acme.adminKey });
      expect(res).toMatchObject({ code: 0, stderr: '' });
      expect(res.stdout).toMatch(new RegExp(`^Tenant: +Acme Rockets \\(${acme.id}\\)$`, 'm'));
      expect(res.stdout).toMatch(new RegExp(`^API key: +.+ \\(${acme.adminKeyId}\\)$`, 'm'));
      expect(res.stdout).toMatch(new RegExp(`^Key prefix: +dlk_${acme.adminKey.split('_')[1]}_…$`, 'm'));
      expect(res.stdout).toMatch(/^Scopes: +admin$/m);
    });

    it('--json prints the API response', async () => {
      const reader = await createApiKey(t, acme, ['read'], 'BI exports');
      const res = await refos(['whoami', '--json'], { REFOS_API_URL: `${url}/`, REFOS_API_KEY: reader.key });
      expect(res).toMatchObject({ code: 0, stderr: '' });
      expect(JSON.parse(res.stdout)).toMatchObject({
        tenant: { id: acme.id, name: 'Acme Rockets' },
        api_key: { id: reader.id, name: 'BI exports', scopes: ['read'], prefix: reader.key.split('_')[1] },
      });
    });

    it('exits 1 with the API message and status for a revoked key', async () => {
      const revoked = await createApiKey(t, acme, ['read'], 'soon gone');
      await t.http.delete(`/api/v1/api-keys/${revoked.id}`).auth(acme.adminKey, { type: 'bearer' }).expect(204);
      const api = await t.http.get('/api/v1/whoami').auth(revoked.key, { type: 'bearer' }).expect(401);

      const res = await refos(['whoami'], { REFOS_API_URL: url, REFOS_API_KEY: revoked.key });
      expect(res).toMatchObject({ code: 1, stdout: '' });
      expect(res.stderr).toContain(api.body.message);
      expect(res.stderr).toContain('HTTP 401 Unauthorized');
      expect(res.stderr).toContain('REFOS_API_KEY');
    });

    it('exits 1 for an unknown key, --json or not', async () => {
      const res = await refos(['whoami', '--json'], { REFOS_API_URL: url, REFOS_API_KEY: 'dlk_AAAAAAAAAAAA_BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB' });
      expect(res).toMatchObject({ code: 1, stdout: '' });
      expect(res.stderr).toMatch(/HTTP 401/);
    });

    it('exits 2 naming REFOS_API_KEY when it is unset', async () => {
      const res = await refos(['whoami'], { REFOS_API_URL: url });
      expect(res).toMatchObject({ code: 2, stdout: '' });
      expect(res.stderr).toMatch(/REFOS_API_KEY is not set/);
    });

    it('exits 1 naming the URL when nothing listens there', async () => {
      const closed = `http://127.0.0.1:${await freePort()}`;
      const res = await refos(['whoami'], { REFOS_API_URL: closed, REFOS_API_KEY: acme.adminKey });
      expect(res).toMatchObject({ code: 1, stdout: '' });
      expect(res.stderr).toContain(`Could not reach the Referral OS API at ${closed} (connection refused)`);
    });
  });

  describe('usage', () => {
    it.each([[['--help']], [['-h']]])('%j prints the commands and exits 0', async (args) => {
      const res = await refos(args, {});
      expect(res).toMatchObject({ code: 0, stderr: '' });
      expect(res.stdout).toMatch(/^Usage: refos <command>/);
      expect(res.stdout).toMatch(/^ {2}whoami +Show the tenant/m);
    });

    it('whoami --help prints its options and exits 0 without a key', async () => {
      const res = await refos(['whoami', '--help'], {});
      expect(res).toMatchObject({ code: 0, stderr: '' });
      expect(res.stdout).toMatch(/^Usage: refos whoami \[--json\]/);
      expect(res.stdout).toContain('REFOS_API_KEY');
    });

    it.each([
      [['launch'], /unknown command 'launch'/],
      [['whoami', '--verbose'], /unknown option '--verbose'/],
      [[], /missing command/],
    ])('%j prints usage on stderr and exits 2', async (args, message) => {
      const res = await refos(args, { REFOS_API_URL: url, REFOS_API_KEY: acme.adminKey });
      expect(res).toMatchObject({ code: 2, stdout: '' });
      expect(res.stderr).toMatch(message);
      expect(res.stderr).toMatch(/Usage: refos/);
    });
  });
});
