import { invalidFilter } from '../scim-error';
import { AttrPath, CompareOp, Filter, FilterValue } from './scim-filter';

export type AttrType = 'string' | 'boolean' | 'dateTime' | 'integer';

export interface ColumnSpec {
  /** A SQL expression over the resource's row alias; never built from request text. */
  sql: string;
  type: AttrType;
  caseExact?: boolean;
}

export interface MultiValuedSpec {
  /** `EXISTS (…)` over the attribute's values, where `cond` is a condition on one value. */
  exists(cond: string): string;
  subs: Record<string, ColumnSpec>;
  /** The sub-attribute a bare `emails eq "…"` compares: `value`. */
  defaultSub: string;
}

/** What a resource type's filters may name; keys are lower-case, `name.givenname` style. */
export interface FilterTarget {
  /** Schema URNs an attribute path may be prefixed with (lower-case). */
  schemaUris: readonly string[];
  columns: Record<string, ColumnSpec>;
  multiValued: Record<string, MultiValuedSpec>;
}

/** Collects bind parameters; `offset` is how many the surrounding query already uses. */
export class SqlParams {
  readonly values: unknown[] = [];
  constructor(private readonly offset = 0) {}

  add(value: unknown): string {
    this.values.push(value);
    return `$${this.offset + this.values.length}`;
  }
}

/**
 * Compiles a parsed filter to a SQL condition whose every value is a bind parameter. Each comparison
 * is NULL-safe (a missing attribute matches nothing, and `not` of it matches), so `not` and `or` behave
 * as RFC 7644 reads. Unknown attributes and type mismatches are 400 invalidFilter.
 */
export function filterToSql(filter: Filter, target: FilterTarget, params: SqlParams): string {
  switch (filter.kind) {
    case 'and':
    case 'or':
      return `(${filterToSql(filter.left, target, params)} ${filter.kind.toUpperCase()} ${filterToSql(filter.right, target, params)})`;
    case 'not':
      return `(NOT ${filterToSql(filter.filter, target, params)})`;
    case 'valuePath': {
      const multi = multiValued(filter.path, target);
      if (filter.path.sub) throw invalidFilter(`"${filter.path.attr}.${filter.path.sub}" cannot take a value filter`);
      return multi.exists(elementFilterToSql(filter.filter, multi, params));
    }
    case 'compare':
    case 'present': {
      const column = resolveColumn(filter.path, target);
      if (column) return condition(column, filter, params);
      const multi = multiValued(filter.path, target);
      const sub = multi.subs[(filter.path.sub ?? multi.defaultSub).toLowerCase()];
      if (!sub) throw invalidFilter(`Unknown attribute "${pathText(filter.path)}"`);
      if (filter.kind === 'present' && !filter.path.sub) return multi.exists('true');
      return multi.exists(condition(sub, filter, params));
    }
  }
}

/** Inside `attr[…]`: attribute names are the multi-valued attribute's sub-attributes. */
function elementFilterToSql(filter: Filter, multi: MultiValuedSpec, params: SqlParams): string {
  switch (filter.kind) {
    case 'and':
    case 'or':
      return `(${elementFilterToSql(filter.left, multi, params)} ${filter.kind.toUpperCase()} ${elementFilterToSql(filter.right, multi, params)})`;
    case 'not':
      return `(NOT ${elementFilterToSql(filter.filter, multi, params)})`;
    case 'valuePath':
      throw invalidFilter('Value filters cannot nest');
    case 'compare':
    case 'present': {
      if (filter.path.sub || filter.path.uri) throw invalidFilter(`Unknown sub-attribute "${pathText(filter.path)}"`);
      const sub = multi.subs[filter.path.attr.toLowerCase()];
      if (!sub) throw invalidFilter(`Unknown sub-attribute "${filter.path.attr}"`);
      return condition(sub, filter, params);
    }
  }
}

function stripUri(path: AttrPath, target: FilterTarget): AttrPath {
  if (path.uri === undefined) return path;
  if (!target.schemaUris.includes(path.uri.toLowerCase())) throw invalidFilter(`Unknown schema "${path.uri}"`);
  return { attr: path.attr, sub: path.sub };
}

function resolveColumn(path: AttrPath, target: FilterTarget): ColumnSpec | undefined {
  const bare = stripUri(path, target);
  return target.columns[bare.sub ? `${bare.attr}.${bare.sub}`.toLowerCase() : bare.attr.toLowerCase()];
}

function multiValued(path: AttrPath, target: FilterTarget): MultiValuedSpec {
  const multi = target.multiValued[stripUri(path, target).attr.toLowerCase()];
  if (!multi) throw invalidFilter(`Unknown attribute "${pathText(path)}"`);
  return multi;
}

function pathText(path: AttrPath): string {
  return `${path.uri ? `${path.uri}:` : ''}${path.attr}${path.sub ? `.${path.sub}` : ''}`;
}

function condition(column: ColumnSpec, filter: Extract<Filter, { kind: 'compare' | 'present' }>, params: SqlParams): string {
  const { sql, type } = column;
  if (filter.kind === 'present') return type === 'string' ? `(${sql} IS NOT NULL AND ${sql} <> '')` : `(${sql} IS NOT NULL)`;
  const { op, value } = filter;
  if (value === null) {
    if (op === 'eq') return `(${sql} IS NULL)`;
    if (op === 'ne') return `(${sql} IS NOT NULL)`;
    throw invalidFilter(`"${op}" cannot compare with null`);
  }
  const compared = comparison(column, op, value, params);
  // A missing attribute never equals anything, so it always differs.
  return op === 'ne' ? `(${sql} IS NULL OR ${compared})` : `COALESCE(${compared}, false)`;
}

const ORDER_SQL: Partial<Record<CompareOp, string>> = { eq: '=', ne: '<>', gt: '>', ge: '>=', lt: '<', le: '<=' };

function comparison(column: ColumnSpec, op: CompareOp, value: Exclude<FilterValue, null>, params: SqlParams): string {
  const { sql, type } = column;
  switch (type) {
    case 'string': {
      if (typeof value !== 'string') throw invalidFilter(`Compare a string attribute with a quoted string, not ${JSON.stringify(value)}`);
      const left = column.caseExact ? sql : `lower(${sql})`;
      const right = column.caseExact ? `${params.add(value)}::text` : `lower(${params.add(value)}::text)`;
      if (op === 'co') return `strpos(${left}, ${right}) > 0`;
      if (op === 'sw') return `starts_with(${left}, ${right})`;
      if (op === 'ew') return `right(${left}, length(${right})) = ${right}`;
      return `${left} ${ORDER_SQL[op]} ${right}`;
    }
    case 'boolean':
      if (typeof value !== 'boolean') throw invalidFilter(`Compare a boolean attribute with true or false, not ${JSON.stringify(value)}`);
      if (op !== 'eq' && op !== 'ne') throw invalidFilter(`"${op}" does not apply to a boolean`);
      return `${sql} ${ORDER_SQL[op]} ${params.add(value)}::boolean`;
    case 'dateTime': {
      if (typeof value !== 'string' || !/^\d{4}-\d{2}-\d{2}(T[\d:.]+(Z|[+-]\d{2}:?\d{2})?)?$/.test(value) || Number.isNaN(Date.parse(value))) {
        throw invalidFilter(`Compare a dateTime attribute with an xsd:dateTime string such as "2026-11-22T12:00:00Z", not ${JSON.stringify(value)}`);
      }
      if (!ORDER_SQL[op]) throw invalidFilter(`"${op}" does not apply to a dateTime`);
      // Resources show milliseconds; compare at that precision so a value read back matches itself.
      return `date_trunc('milliseconds', ${sql}) ${ORDER_SQL[op]} ${params.add(new Date(value).toISOString())}::timestamptz`;
    }
    case 'integer':
      if (typeof value !== 'number' || !Number.isSafeInteger(value)) throw invalidFilter(`Compare an integer attribute with an integer, not ${JSON.stringify(value)}`);
      if (!ORDER_SQL[op]) throw invalidFilter(`"${op}" does not apply to an integer`);
      return `${sql} ${ORDER_SQL[op]} ${params.add(String(value))}::bigint`;
  }
}
