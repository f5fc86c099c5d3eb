import type { DataSourceOptions, MixedList } from 'typeorm';
import type { DatabaseEndpoint } from './database-endpoint';
import { ResilientClient } from './resilient-client';

/** Classes, or (for the migration CLI) paths of compiled files. */
// eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
type Classes = MixedList<Function | string>;

/** The one set of TypeORM options used by the app, the worker, the tests and the migration CLI. */
export function dataSourceOptions(
  endpoint: Pick<DatabaseEndpoint, 'url' | 'poolSize'>,
  migrations: Classes,
  entities: Classes = [],
): DataSourceOptions {
  return {
    type: 'postgres',
    url: endpoint.url,
    entities,
    migrations,
    migrationsTableName: 'typeorm_migrations',
    migrationsTransactionMode: 'each',
    synchronize: false,
    // gen_random_uuid() is built into PostgreSQL 13+: no extension to install on either database.
    uuidExtension: 'pgcrypto',
    installExtensions: false,
    logging: ['error'],
    poolSize: endpoint.poolSize,
    extra: { connectionTimeoutMillis: 10_000, idleTimeoutMillis: 30_000, Client: ResilientClient },
  };
}
