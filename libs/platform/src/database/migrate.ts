import type { DataSource, Migration } from 'typeorm';
import type { DatabaseEndpoint } from './database-endpoint';
import { ResilientClient } from './resilient-client';

// Any fixed 64-bit number shared by every process of the deployment.
const MIGRATION_LOCK_ID = 730_511_410;

/**
 * Applies pending migrations with one process at a time: replicas starting together on a server
 * wait on a session advisory lock held on a side connection (TypeORM takes none). The embedded
 * database needs none: its DATA_DIR lock already admits a single process.
 */
export async function runMigrationsExclusively(dataSource: DataSource, endpoint: Pick<DatabaseEndpoint, 'url' | 'embedded'>): Promise<Migration[]> {
  if (endpoint.embedded) return dataSource.runMigrations({ transaction: 'each' });
  const lock = new ResilientClient({ connectionString: endpoint.url });
  await lock.connect();
  try {
    await lock.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_ID]);
    return await dataSource.runMigrations({ transaction: 'each' });
  } finally {
    await lock.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_ID]).catch(() => undefined);
    await lock.end();
  }
}
