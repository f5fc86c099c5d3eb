import { DomainError } from '@refos/platform';
import { QueryFailedError } from 'typeorm';
import { parseAttrPath, parseFilter, Filter } from './filter/scim-filter';
import { isObject } from './patch/apply-patch';
import { invalidValue, scimError } from './scim-error';
import { MAX_RESULTS, weakEtag } from './scim-schemas';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Ids are uuids: anything else cannot name a resource (404, never a database cast error). */
export function isResourceId(id: string): boolean {
  return UUID.test(id);
}

export interface ListQuery {
  filter?: Filter;
  /** 1-based, as RFC 7644 §3.4.2.4 says; values below 1 read as 1. */
  startIndex: number;
  count: number;
  projection: Projection;
}

export interface Projection {
  attributes?: string[];
  excludedAttributes?: string[];
}

/** `filter`, `startIndex`, `count`, `attributes`, `excludedAttributes` from a query string. */
export function parseListQuery(query: Record<string, unknown>): ListQuery {
  const one = (name: string): string | undefined => {
    const value = query[name];
    if (value === undefined) return undefined;
    if (typeof value !== 'string') throw invalidValue(`"${name}" must appear once, as a plain value`);
    return value;
  };
  const integer = (name: string, fallback: number): number => {
    const raw = one(name);
    if (raw === undefined || raw === '') return fallback;
    if (!/^-?\d{1,9}$/.test(raw)) throw invalidValue(`"${name}" must be an integer`);
    return Number(raw);
  };
  const filter = one('filter');
  return {
    filter: filter === undefined ? undefined : parseFilter(filter),
    startIndex: Math.max(1, integer('startIndex', 1)),
    // A negative count reads as 0; more than the maximum reads as the maximum (RFC 7644 §3.4.2.4).
    count: Math.min(MAX_RESULTS, Math.max(0, integer('count', MAX_RESULTS))),
    projection: parseProjection(one('attributes'), one('excludedAttributes')),
  };
}

export function parseProjection(attributes: string | undefined, excludedAttributes: string | undefined): Projection {
  const list = (raw: string | undefined) => {
    if (raw === undefined || raw.trim() === '') return undefined;
    const names = raw.split(',').map((n) => n.trim()).filter(Boolean);
    if (names.length > 50) throw invalidValue('At most 50 attribute names');
    for (const name of names) parseAttrPath(name, invalidValue);
    return names;
  };
  return { attributes: list(attributes), excludedAttributes: list(excludedAttributes) };
}

/** Whether a projection returns a top-level attribute (e.g. whether to load a group's members). */
export function projectionIncludes(projection: Projection, coreUri: string, attr: string): boolean {
  const matches = (name: string) => topLevel(name, coreUri).toLowerCase() === attr.toLowerCase();
  if (projection.attributes) return projection.attributes.some(matches);
  return !(projection.excludedAttributes ?? []).some((n) => matches(n) && !n.includes('.'));
}

/**
 * Applies `attributes` / `excludedAttributes` (RFC 7644 §3.4.2.5) to a rendered resource: `id` and
 * `schemas` are always returned; names may carry their schema URN and one `.subAttribute`.
 */
export function project<T extends object>(resource: T, projection: Projection, coreUri: string): Partial<T> {
  const source = resource as Record<string, unknown>;
  if (projection.attributes) {
    const result: Record<string, unknown> = { schemas: source.schemas, id: source.id };
    for (const name of projection.attributes) {
      const { key, sub } = locate(source, name, coreUri);
      if (key === undefined) continue;
      if (sub === undefined || !isObject(source[key])) {
        result[key] = source[key];
        continue;
      }
      const subKey = Object.keys(source[key] as object).find((k) => k.toLowerCase() === sub.toLowerCase());
      if (subKey === undefined) continue;
      const target = isObject(result[key]) ? (result[key] as Record<string, unknown>) : {};
      target[subKey] = (source[key] as Record<string, unknown>)[subKey];
      result[key] = target;
    }
    return result as Partial<T>;
  }
  const result = structuredClone(source);
  for (const name of projection.excludedAttributes ?? []) {
    const { key, sub } = locate(result, name, coreUri);
    if (key === undefined || key === 'id' || key === 'schemas') continue;
    if (sub === undefined) delete result[key];
    else if (isObject(result[key])) {
      const subKey = Object.keys(result[key] as object).find((k) => k.toLowerCase() === sub.toLowerCase());
      if (subKey !== undefined) delete (result[key] as Record<string, unknown>)[subKey];
    }
  }
  return result as Partial<T>;
}

function topLevel(name: string, coreUri: string): string {
  return name.toLowerCase().startsWith(`${coreUri.toLowerCase()}:`) ? name.slice(coreUri.length + 1).split('.')[0] : name.split('.')[0];
}

/** The resource key a projected name refers to: a core attribute, an extension object, or an extension's attribute. */
function locate(resource: Record<string, unknown>, name: string, coreUri: string): { key?: string; sub?: string } {
  const find = (wanted: string) => Object.keys(resource).find((k) => k.toLowerCase() === wanted.toLowerCase());
  const whole = find(name);
  if (whole !== undefined) return { key: whole };
  const path = parseAttrPath(name, invalidValue);
  if (path.uri && path.uri.toLowerCase() !== coreUri.toLowerCase()) {
    // `urn:…:User:fid` is the `fid` of the extension object keyed by its URN.
    return { key: find(path.uri), sub: path.attr };
  }
  return { key: find(path.attr), sub: path.sub };
}

/** RFC 7644 §3.14: `If-Match` lists ETags (or `*`); any other current version is 412. */
export function checkIfMatch(ifMatch: string | undefined, version: number): void {
  if (ifMatch === undefined || ifMatch.trim() === '*') return;
  const current = weakEtag(version);
  const offered = ifMatch.split(',').map((tag) => tag.trim());
  if (!offered.some((tag) => tag === current || tag === current.slice(2))) {
    throw new DomainError('precondition_failed', 412, `The resource has changed: its version is now ${current}`);
  }
}

const UNIQUENESS_MESSAGES: Record<string, string> = {
  uq_users_tenant_user_name: 'A user with this userName already exists in this tenant',
  uq_users_tenant_fid: 'Another user of this tenant already has this Farcaster fid',
  uq_scim_groups_tenant_display_name: 'A group with this displayName already exists in this tenant',
};

/** A unique violation of a SCIM-visible attribute as 409 uniqueness; anything else unchanged. */
export function asUniqueness(error: unknown): unknown {
  if (!(error instanceof QueryFailedError)) return error;
  const driver = error.driverError as { code?: string; constraint?: string };
  if (driver.code !== '23505') return error;
  return scimError(409, 'uniqueness', UNIQUENESS_MESSAGES[driver.constraint ?? ''] ?? 'The resource already exists');
}
