import type { Pool } from 'pg';
import type { DataSource } from 'typeorm';

/**
 * The `pg` pool under TypeORM, for hot batch writes (touches, events) where TypeORM's per-query
 * QueryRunner costs more than the write itself. Same pool, same connections: the embedded
 * database's single-connection rule still holds.
 */
export function pgPool(dataSource: DataSource): Pool {
  const pool = (dataSource.driver as unknown as { master?: Pool }).master;
  if (!pool) throw new Error('pgPool: the DataSource is not initialised on the postgres driver');
  return pool;
}
