import { FilterTarget } from '../filter/filter-sql';
import { isObject, PatchSchema } from '../patch/apply-patch';
import { invalidValue, scimError } from '../scim-error';
import { SCHEMA, ScimMeta, weakEtag } from '../scim-schemas';

export interface ScimEmail {
  value: string;
  type?: string;
  primary?: boolean;
}

/** What a SCIM client may set on a user, validated. */
export interface UserFields {
  userName: string;
  externalId: string | null;
  displayName: string | null;
  givenName: string | null;
  familyName: string | null;
  emails: ScimEmail[];
  active: boolean;
  fid: string | null;
}

/** A users row as the SCIM queries select it. */
export interface UserRow {
  id: string;
  user_name: string;
  external_id: string | null;
  display_name: string | null;
  given_name: string | null;
  family_name: string | null;
  emails: ScimEmail[];
  active: boolean;
  fid: string | null;
  version: number;
  created_at: Date;
  updated_at: Date;
  groups?: { value: string; display: string }[];
}

export interface ScimUser {
  schemas: string[];
  id: string;
  externalId?: string;
  userName: string;
  name: { givenName?: string; familyName?: string; formatted?: string };
  displayName?: string;
  emails: ScimEmail[];
  active: boolean;
  groups: { value: string; display: string; $ref: string }[];
  [SCHEMA.farcaster]?: { fid: number };
  meta: ScimMeta;
}

/** The SQL each filterable user attribute reads, over the row alias `u` (RFC 7643 §4.1 case rules). */
export const USER_FILTER_TARGET: FilterTarget = {
  schemaUris: [SCHEMA.user.toLowerCase(), SCHEMA.farcaster.toLowerCase()],
  columns: {
    id: { sql: 'u.id::text', type: 'string' },
    username: { sql: 'u.user_name', type: 'string' },
    externalid: { sql: 'u.external_id', type: 'string', caseExact: true },
    displayname: { sql: 'u.display_name', type: 'string' },
    'name.givenname': { sql: 'u.given_name', type: 'string' },
    'name.familyname': { sql: 'u.family_name', type: 'string' },
    active: { sql: 'u.active', type: 'boolean' },
    fid: { sql: 'u.fid', type: 'integer' },
    'meta.created': { sql: 'u.created_at', type: 'dateTime' },
    'meta.lastmodified': { sql: 'u.updated_at', type: 'dateTime' },
  },
  multiValued: {
    emails: {
      exists: (cond) => `EXISTS (SELECT 1 FROM jsonb_array_elements(u.emails) e WHERE ${cond})`,
      subs: {
        value: { sql: "e->>'value'", type: 'string' },
        type: { sql: "e->>'type'", type: 'string' },
        primary: { sql: "(e->>'primary')::boolean", type: 'boolean' },
      },
      defaultSub: 'value',
    },
    groups: {
      exists: (cond) => `EXISTS (SELECT 1 FROM scim_group_members gm JOIN scim_groups g ON g.id = gm.group_id WHERE gm.user_id = u.id AND ${cond})`,
      subs: { value: { sql: 'g.id::text', type: 'string' }, display: { sql: 'g.display_name', type: 'string' } },
      defaultSub: 'value',
    },
  },
};

export const USER_PATCH_SCHEMA: PatchSchema = {
  coreUri: SCHEMA.user,
  attributes: [
    { name: 'id', kind: 'simple', readOnly: true },
    { name: 'meta', kind: 'complex', readOnly: true },
    { name: 'groups', kind: 'multi', readOnly: true },
    { name: 'schemas', kind: 'multi', readOnly: true },
    { name: 'userName', kind: 'simple' },
    { name: 'externalId', kind: 'simple' },
    { name: 'displayName', kind: 'simple' },
    { name: 'name', kind: 'complex' },
    { name: 'emails', kind: 'multi' },
    { name: 'active', kind: 'simple' },
  ],
  extensions: [{ uri: SCHEMA.farcaster, attributes: [{ name: 'fid', kind: 'simple' }] }],
};

/** The columns the users queries select for a SCIM user, with its groups. */
export const USER_COLUMNS = `u.id, u.user_name, u.external_id, u.display_name, u.given_name, u.family_name, u.emails, u.active, u.fid,
  u.version, u.created_at, u.updated_at,
  (SELECT COALESCE(jsonb_agg(jsonb_build_object('value', g.id, 'display', g.display_name) ORDER BY g.display_name), '[]')
   FROM scim_group_members gm JOIN scim_groups g ON g.id = gm.group_id WHERE gm.user_id = u.id) AS groups`;

export function toScimUser(row: UserRow, baseUrl: string): ScimUser {
  const name: ScimUser['name'] = {};
  if (row.given_name !== null) name.givenName = row.given_name;
  if (row.family_name !== null) name.familyName = row.family_name;
  const formatted = [row.given_name, row.family_name].filter((p) => p).join(' ');
  if (formatted) name.formatted = formatted;
  return {
    schemas: row.fid === null ? [SCHEMA.user] : [SCHEMA.user, SCHEMA.farcaster],
    id: row.id,
    ...(row.external_id !== null ? { externalId: row.external_id } : {}),
    userName: row.user_name,
    name,
    ...(row.display_name !== null ? { displayName: row.display_name } : {}),
    emails: row.emails,
    active: row.active,
    groups: (row.groups ?? []).map((g) => ({ value: g.value, display: g.display, $ref: `${baseUrl}/Groups/${g.value}` })),
    ...(row.fid !== null ? { [SCHEMA.farcaster]: { fid: Number(row.fid) } } : {}),
    meta: {
      resourceType: 'User',
      created: row.created_at.toISOString(),
      lastModified: row.updated_at.toISOString(),
      location: `${baseUrl}/Users/${row.id}`,
      version: weakEtag(row.version),
    },
  };
}

/** A user's writable attributes in SCIM shape: what PATCH operations apply to. */
export function writableUser(row: UserRow): Record<string, unknown> {
  return {
    userName: row.user_name,
    externalId: row.external_id,
    displayName: row.display_name,
    name: { givenName: row.given_name, familyName: row.family_name },
    emails: row.emails,
    active: row.active,
    [SCHEMA.farcaster]: { fid: row.fid === null ? null : Number(row.fid) },
  };
}

/**
 * Validates a POST/PUT body (or a patched resource) into the columns kept. Read-only attributes (id,
 * meta, groups), `password` (sign-in is by Farcaster, never by password) and attributes this service
 * does not keep are ignored; `active` may be a string boolean as Entra sends it; omitted `active`
 * keeps `activeDefault`.
 */
export function validateUser(body: unknown, activeDefault: boolean, requireSchemas: boolean): UserFields {
  if (!isObject(body)) throw scimError(400, 'invalidSyntax', 'The body must be a JSON object');
  const get = (key: string) => readCaseInsensitive(body, key);
  if (requireSchemas) {
    const schemas = get('schemas');
    if (!Array.isArray(schemas) || !schemas.some((s) => typeof s === 'string' && s.toLowerCase() === SCHEMA.user.toLowerCase())) {
      throw scimError(400, 'invalidSyntax', `"schemas" must contain "${SCHEMA.user}"`);
    }
  }
  const userName = text(get('userName'), 'userName', 255);
  if (userName === null || userName.trim() === '') throw invalidValue('"userName" is required');
  const name = get('name');
  if (name !== undefined && name !== null && !isObject(name)) throw invalidValue('"name" must be an object');
  const extension = get(SCHEMA.farcaster);
  if (extension !== undefined && extension !== null && !isObject(extension)) throw invalidValue(`"${SCHEMA.farcaster}" must be an object`);
  const fid = isObject(extension) ? readCaseInsensitive(extension, 'fid') : undefined;
  if (fid !== undefined && fid !== null && !(Number.isSafeInteger(fid) && (fid as number) > 0)) throw invalidValue('"fid" must be a positive integer');
  const active = get('active');
  return {
    userName,
    externalId: text(get('externalId'), 'externalId', 255),
    displayName: text(get('displayName'), 'displayName', 120),
    givenName: isObject(name) ? text(readCaseInsensitive(name, 'givenName'), 'name.givenName', 255) : null,
    familyName: isObject(name) ? text(readCaseInsensitive(name, 'familyName'), 'name.familyName', 255) : null,
    emails: emails(get('emails')),
    active: active === undefined || active === null ? activeDefault : booleanValue(active, 'active'),
    fid: fid === undefined || fid === null ? null : String(fid),
  };
}

const MAX_EMAILS = 10;

function emails(value: unknown): ScimEmail[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw invalidValue('"emails" must be an array');
  if (value.length > MAX_EMAILS) throw invalidValue(`At most ${MAX_EMAILS} emails`);
  const result = value.map((entry): ScimEmail => {
    if (!isObject(entry)) throw invalidValue('Each email must be an object');
    const address = text(readCaseInsensitive(entry, 'value'), 'emails.value', 320);
    if (!address || !address.includes('@')) throw invalidValue(`"emails.value" must be an email address, not ${JSON.stringify(address)}`);
    const type = text(readCaseInsensitive(entry, 'type'), 'emails.type', 32);
    const primary = readCaseInsensitive(entry, 'primary');
    return {
      value: address,
      ...(type !== null ? { type } : {}),
      ...(primary !== undefined && primary !== null ? { primary: booleanValue(primary, 'emails.primary') } : {}),
    };
  });
  if (result.filter((e) => e.primary).length > 1) throw invalidValue('At most one email may be primary');
  return result;
}

function text(value: unknown, name: string, max: number): string | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== 'string') throw invalidValue(`"${name}" must be a string`);
  if (value.length > max) throw invalidValue(`"${name}" must be at most ${max} characters`);
  return value;
}

/** true/false, or Entra's "True"/"False" strings. */
export function booleanValue(value: unknown, name: string): boolean {
  if (typeof value === 'boolean') return value;
  if (typeof value === 'string' && ['true', 'false'].includes(value.toLowerCase())) return value.toLowerCase() === 'true';
  throw invalidValue(`"${name}" must be true or false`);
}

export function readCaseInsensitive(target: Record<string, unknown>, key: string): unknown {
  const found = Object.keys(target).find((k) => k.toLowerCase() === key.toLowerCase());
  return found === undefined ? undefined : target[found];
}
