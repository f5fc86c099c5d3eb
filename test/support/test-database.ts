/*
 * One database per test file, cloned from a template migrated once per run (global-setup.ts):
 * on the PostgreSQL server when DATABASE_URL is set, else an in-memory embedded PGlite.
 * Imports stay relative: jest's globalSetup does not apply moduleNameMapper.
 */
import { randomBytes } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { MIGRATIONS } from '../../migrations';
import { dataSourceOptions } from '../../libs/platform/src/database/data-source-options';
import { DatabaseEndpoint, startEmbeddedPostgres } from '../../libs/platform/src/database/database-endpoint';

export const TEMPLATE_ENV = 'REFOS_TEST_TEMPLATE';

function serverUrlFor(base: string, database: string): string {
  const url = new URL(base);
  url.pathname = `/${database}`;
  return url.toString();
}

async function withAdminClient<T>(work: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: process.env.DATABASE_URL });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

async function migrate(url: string, poolSize: number): Promise<void> {
  const dataSource = new DataSource(dataSourceOptions({ url, poolSize }, MIGRATIONS));
  await dataSource.initialize();
  try {
    await dataSource.runMigrations({ transaction: 'each' });
  } finally {
    await dataSource.destroy();
  }
}

/** Builds the migrated template and returns what test files need to clone it. */
export async function createTemplate(tarballPath: string): Promise<string> {
  if (process.env.DATABASE_URL) {
    const name = `refos_tpl_${process.pid}_${randomBytes(3).toString('hex')}`;
    await withAdminClient((client) => client.query(`CREATE DATABASE ${name}`));
    await migrate(serverUrlFor(process.env.DATABASE_URL, name), 2);
    return `server:${name}`;
  }
  const embedded = await startEmbeddedPostgres({});
  try {
    await migrate(embedded.url, 1);
    const tarball = await embedded.snapshot!();
    await writeFile(tarballPath, Buffer.from(await tarball.arrayBuffer()));
  } finally {
    await embedded.close();
  }
  return `embedded:${tarballPath}`;
}

export async function dropTemplate(template: string): Promise<void> {
  if (template.startsWith('server:')) {
    await withAdminClient((client) => client.query(`DROP DATABASE IF EXISTS ${template.slice('server:'.length)} WITH (FORCE)`));
  }
}

/** A fresh database for one test file: migrated, or (server only) `empty` to watch migrations run. */
export async function openTestDatabase(options: { empty?: boolean } = {}): Promise<DatabaseEndpoint> {
  const template = process.env[TEMPLATE_ENV];
  if (!template) throw new Error(`${TEMPLATE_ENV} is unset: run tests through jest so global-setup.ts builds the template`);
  if (template.startsWith('server:')) {
    const name = `refos_t_${randomBytes(6).toString('hex')}`;
    const source = options.empty ? 'template0' : template.slice('server:'.length);
    await withAdminClient((client) => client.query(`CREATE DATABASE ${name} TEMPLATE ${source}`));
    return {
      url: serverUrlFor(process.env.DATABASE_URL!, name),
      poolSize: 10,
      embedded: false,
      close: () => withAdminClient((client) => client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)).then(() => undefined),
    };
  }
  const tarball = await readFile(template.slice('embedded:'.length));
  return startEmbeddedPostgres({ loadDataDir: new Blob([tarball]) });
}
