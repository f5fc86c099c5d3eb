import { EntityManager } from 'typeorm';
import { filterToSql, FilterTarget, SqlParams } from './filter/filter-sql';
import { ListQuery } from './scim-request';
import { ListResponse, SCHEMA } from './scim-schemas';

export interface ListSource {
  /** `users u`, `scim_groups g`: the table and the alias the filter target's SQL uses. */
  from: string;
  columns: string;
  /** The tenant scope and any fixed condition, on `$1` = the tenant id. */
  scope: string;
  orderBy: string;
  target: FilterTarget;
}

/** One page of a resource type: the filter compiled to bound SQL inside the tenant's scope, and the total. */
export async function listPage<R>(manager: EntityManager, source: ListSource, tenantId: string, query: ListQuery): Promise<{ total: number; rows: R[] }> {
  const params = new SqlParams(1);
  const where = query.filter ? `${source.scope} AND ${filterToSql(query.filter, source.target, params)}` : source.scope;
  const [{ total }]: { total: number }[] = await manager.query(`SELECT count(*)::int AS total FROM ${source.from} WHERE ${where}`, [tenantId, ...params.values]);
  if (query.count === 0) return { total, rows: [] };
  const rows: R[] = await manager.query(
    `SELECT ${source.columns} FROM ${source.from} WHERE ${where} ORDER BY ${source.orderBy} OFFSET ${params.add(query.startIndex - 1)} LIMIT ${params.add(query.count)}`,
    [tenantId, ...params.values],
  );
  return { total, rows };
}

export function listResponse<T>(totalResults: number, startIndex: number, resources: T[]): ListResponse<T> {
  return { schemas: [SCHEMA.listResponse], totalResults, startIndex, itemsPerPage: resources.length, Resources: resources };
}
