import { FilterTarget } from '../filter/filter-sql';
import { isObject, PatchSchema } from '../patch/apply-patch';
import { invalidValue, scimError } from '../scim-error';
import { SCHEMA, ScimMeta, weakEtag } from '../scim-schemas';
import { readCaseInsensitive } from '../users/user-resource';

export interface GroupFields {
  displayName: string;
  externalId: string | null;
  /** Member user ids, lower-case, without duplicates. */
  memberIds: string[];
}

export interface GroupRow {
  id: string;
  display_name: string;
  external_id: string | null;
  version: number;
  created_at: Date;
  updated_at: Date;
}

export interface ScimGroupResource {
  schemas: string[];
  id: string;
  externalId?: string;
  displayName: string;
  members?: { value: string; display: string; type: 'User'; $ref: string }[];
  meta: ScimMeta;
}

export const GROUP_FILTER_TARGET: FilterTarget = {
  schemaUris: [SCHEMA.group.toLowerCase()],
  columns: {
    id: { sql: 'g.id::text', type: 'string' },
    displayname: { sql: 'g.display_name', type: 'string' },
    externalid: { sql: 'g.external_id', type: 'string', caseExact: true },
    'meta.created': { sql: 'g.created_at', type: 'dateTime' },
    'meta.lastmodified': { sql: 'g.updated_at', type: 'dateTime' },
  },
  multiValued: {
    members: {
      exists: (cond) => `EXISTS (SELECT 1 FROM scim_group_members gm JOIN users mu ON mu.id = gm.user_id WHERE gm.group_id = g.id AND ${cond})`,
      subs: { value: { sql: 'gm.user_id::text', type: 'string' }, display: { sql: 'mu.user_name', type: 'string' } },
      defaultSub: 'value',
    },
  },
};

export const GROUP_PATCH_SCHEMA: PatchSchema = {
  coreUri: SCHEMA.group,
  attributes: [
    { name: 'id', kind: 'simple', readOnly: true },
    { name: 'meta', kind: 'complex', readOnly: true },
    { name: 'schemas', kind: 'multi', readOnly: true },
    { name: 'displayName', kind: 'simple' },
    { name: 'externalId', kind: 'simple' },
    { name: 'members', kind: 'multi' },
  ],
  extensions: [],
};

export function toScimGroup(row: GroupRow, members: { id: string; user_name: string }[] | undefined, baseUrl: string): ScimGroupResource {
  return {
    schemas: [SCHEMA.group],
    id: row.id,
    ...(row.external_id !== null ? { externalId: row.external_id } : {}),
    displayName: row.display_name,
    ...(members ? { members: members.map((m) => ({ value: m.id, display: m.user_name, type: 'User' as const, $ref: `${baseUrl}/Users/${m.id}` })) } : {}),
    meta: {
      resourceType: 'Group',
      created: row.created_at.toISOString(),
      lastModified: row.updated_at.toISOString(),
      location: `${baseUrl}/Groups/${row.id}`,
      version: weakEtag(row.version),
    },
  };
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const MAX_MEMBERS = 10_000;

/** Validates a POST/PUT body (or a patched group). Members must name users; the service checks they are the tenant's. */
export function validateGroup(body: unknown, requireSchemas: boolean): GroupFields {
  if (!isObject(body)) throw scimError(400, 'invalidSyntax', 'The body must be a JSON object');
  const get = (key: string) => readCaseInsensitive(body, key);
  if (requireSchemas) {
    const schemas = get('schemas');
    if (!Array.isArray(schemas) || !schemas.some((s) => typeof s === 'string' && s.toLowerCase() === SCHEMA.group.toLowerCase())) {
      throw scimError(400, 'invalidSyntax', `"schemas" must contain "${SCHEMA.group}"`);
    }
  }
  const displayName = get('displayName');
  if (typeof displayName !== 'string' || displayName.trim() === '' || displayName.length > 255) {
    throw invalidValue('"displayName" is required: a string of 1 to 255 characters');
  }
  const externalId = get('externalId');
  if (externalId !== undefined && externalId !== null && (typeof externalId !== 'string' || externalId.length > 255)) {
    throw invalidValue('"externalId" must be a string of at most 255 characters');
  }
  const members = get('members') ?? [];
  if (!Array.isArray(members)) throw invalidValue('"members" must be an array');
  if (members.length > MAX_MEMBERS) throw invalidValue(`At most ${MAX_MEMBERS} members`);
  const memberIds = new Set<string>();
  for (const member of members) {
    const value = isObject(member) ? readCaseInsensitive(member, 'value') : undefined;
    if (typeof value !== 'string' || !UUID.test(value)) throw invalidValue(`Each member needs a "value" that is a User id, not ${JSON.stringify(value ?? member)}`);
    const type = isObject(member) ? readCaseInsensitive(member, 'type') : undefined;
    if (type !== undefined && type !== null && type !== 'User') throw invalidValue('Only Users can be members (nested groups are not supported)');
    memberIds.add(value.toLowerCase());
  }
  return { displayName, externalId: (externalId as string | null | undefined) ?? null, memberIds: [...memberIds] };
}
