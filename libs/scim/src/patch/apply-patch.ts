import { matchesValue } from '../filter/filter-match';
import { AttrPath, Filter, parsePatchPath } from '../filter/scim-filter';
import { invalidValue, scimError } from '../scim-error';

export const PATCH_OP_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
const MAX_OPERATIONS = 1_000;

export interface AttributeDef {
  name: string;
  kind: 'simple' | 'complex' | 'multi';
  /** Set by the service only: a PATCH path naming it is 400 mutability, a key in a path-less value is ignored. */
  readOnly?: boolean;
}

/** The attributes a resource's PATCH may reach, core and per extension schema URN. */
export interface PatchSchema {
  coreUri: string;
  attributes: AttributeDef[];
  extensions: { uri: string; attributes: AttributeDef[] }[];
}

type Json = Record<string, unknown>;
type Op = 'add' | 'replace' | 'remove';

interface Target {
  container: Json;
  def: AttributeDef;
}

/**
 * Applies a PatchOp request (RFC 7644 §3.5.2) to a resource's writable attributes and returns the new
 * ones; the caller validates the result as it would a PUT, so nothing half-applied is ever stored.
 * Accepts what Okta and Microsoft Entra send: op names in any case, a path-less value object
 * (`{"op":"replace","value":{"active":false}}`), dotted keys inside it, string booleans (left to the
 * validator), and `remove` of `members` with a value list. Attributes this service does not keep
 * (e.g. the enterprise extension) are ignored, as RFC 7644 §3.3 allows.
 */
export function applyPatch(schema: PatchSchema, current: Json, body: unknown): Json {
  if (!isObject(body)) throw scimError(400, 'invalidSyntax', 'The body must be a PatchOp JSON object');
  const schemas = body.schemas;
  if (!Array.isArray(schemas) || !schemas.some((s) => typeof s === 'string' && s.toLowerCase() === PATCH_OP_SCHEMA.toLowerCase())) {
    throw scimError(400, 'invalidSyntax', `"schemas" must contain "${PATCH_OP_SCHEMA}"`);
  }
  const operations = body.Operations ?? body.operations;
  if (!Array.isArray(operations) || operations.length === 0) throw scimError(400, 'invalidSyntax', '"Operations" must be a non-empty array');
  if (operations.length > MAX_OPERATIONS) throw scimError(400, 'tooMany', `At most ${MAX_OPERATIONS} operations per request`);
  const resource = structuredClone(current);
  for (const operation of operations) {
    if (!isObject(operation)) throw scimError(400, 'invalidSyntax', 'Each operation must be an object');
    const op = typeof operation.op === 'string' ? operation.op.toLowerCase() : '';
    if (op !== 'add' && op !== 'replace' && op !== 'remove') throw scimError(400, 'invalidSyntax', `Unknown op ${JSON.stringify(operation.op)}: use add, replace or remove`);
    const path = operation.path;
    if (path !== undefined && typeof path !== 'string') throw scimError(400, 'invalidPath', '"path" must be a string');
    if (path === undefined || path === '') {
      if (op === 'remove') throw scimError(400, 'noTarget', '"remove" needs a path');
      applyValueObject(schema, resource, op, operation.value);
    } else {
      applyAtPath(schema, resource, op, path, operation.value, true);
    }
  }
  return resource;
}

/** A path-less add/replace: every key of the value is a path of its own (RFC 7644 §3.5.2.1 and .3). */
function applyValueObject(schema: PatchSchema, resource: Json, op: Op, value: unknown): void {
  if (!isObject(value)) throw invalidValue(`"${op}" without a path needs an object value`);
  for (const [key, inner] of Object.entries(value)) {
    const extension = schema.extensions.find((e) => e.uri.toLowerCase() === key.toLowerCase());
    if (extension) {
      if (!isObject(inner)) throw invalidValue(`"${key}" must be an object`);
      for (const [subKey, subValue] of Object.entries(inner)) applyAtPath(schema, resource, op, `${extension.uri}:${subKey}`, subValue, false);
    } else {
      applyAtPath(schema, resource, op, key, inner, false);
    }
  }
}

function applyAtPath(schema: PatchSchema, resource: Json, op: Op, pathText: string, value: unknown, explicit: boolean): void {
  const parsed = parsePatchPath(pathText);
  const target = resolve(schema, resource, parsed.path);
  if (!target) return;
  if (target.def.readOnly) {
    if (explicit) throw scimError(400, 'mutability', `"${target.def.name}" is read-only`);
    return;
  }
  const sub = parsed.path.sub ?? parsed.sub;
  const { container, def } = target;
  if (op !== 'remove' && value === undefined) throw invalidValue(`"${op}" of "${pathText}" needs a value`);

  if (def.kind === 'simple') {
    if (sub || parsed.filter) throw scimError(400, 'invalidPath', `"${def.name}" has no sub-attributes`);
    container[def.name] = op === 'remove' ? null : value;
    return;
  }
  if (def.kind === 'complex') {
    if (parsed.filter) throw scimError(400, 'invalidPath', `"${def.name}" is not multi-valued`);
    const current = isObject(container[def.name]) ? (container[def.name] as Json) : {};
    if (sub) {
      setKey(current, sub, op === 'remove' ? null : value);
      container[def.name] = current;
    } else if (op === 'remove') {
      container[def.name] = null;
    } else {
      if (!isObject(value)) throw invalidValue(`"${def.name}" needs an object value`);
      // Sub-attributes not given are left as they are (RFC 7644 §3.5.2.1 and .3).
      for (const [k, v] of Object.entries(value)) setKey(current, k, v);
      container[def.name] = current;
    }
    return;
  }
  applyMulti(container, def, op, parsed.filter, sub, value, pathText);
}

function applyMulti(container: Json, def: AttributeDef, op: Op, filter: Filter | undefined, sub: string | undefined, value: unknown, pathText: string): void {
  const values: Json[] = Array.isArray(container[def.name]) ? [...(container[def.name] as Json[])] : [];
  const given = value === undefined ? undefined : (Array.isArray(value) ? value : [value]).map((v) => {
    if (sub) return v;
    if (!isObject(v)) throw invalidValue(`Values of "${def.name}" must be objects`);
    return v;
  });

  if (!filter) {
    if (sub) {
      // `emails.value` without a filter: every value's sub-attribute.
      if (values.length === 0) throw scimError(400, 'noTarget', `"${def.name}" has no values`);
      container[def.name] = values.map((v) => ({ ...v, [sub]: op === 'remove' ? null : value }));
      return;
    }
    if (op === 'remove') {
      // Entra removes members by listing them in `value`; without one, every value goes.
      container[def.name] = given ? values.filter((v) => !(given as Json[]).some((g) => sameValue(g, v))) : [];
      return;
    }
    if (op === 'replace') {
      container[def.name] = given;
      return;
    }
    const added = (given as Json[]).filter((g) => !values.some((v) => sameValue(g, v)));
    container[def.name] = [...values, ...added];
    return;
  }

  const matched = values.map((v) => matchesValue(filter, v));
  if (op === 'remove') {
    // Without its `value` a value of a multi-valued attribute means nothing: removing that removes the value.
    const whole = !sub || sub.toLowerCase() === 'value';
    container[def.name] = whole ? values.filter((_, i) => !matched[i]) : values.map((v, i) => (matched[i] ? { ...v, [sub]: null } : v));
    return;
  }
  if (!matched.some(Boolean)) {
    // `emails[type eq "work"].value` on a user without a work email: Entra means "set it", so create the value
    // the filter describes. Anything a plain equality filter cannot describe has no target (RFC 7644 §3.5.2.3).
    const described = sub ? describedValue(filter) : undefined;
    if (!described) throw scimError(400, 'noTarget', `No value of "${def.name}" matches "${pathText}"`);
    container[def.name] = [...values, { ...described, [sub!]: value }];
    return;
  }
  if (!sub && (given?.length !== 1)) throw invalidValue(`"${pathText}" needs one object value`);
  container[def.name] = values.map((v, i) => {
    if (!matched[i]) return v;
    return sub ? { ...v, [sub]: value } : op === 'replace' ? { ...(given![0] as Json) } : { ...v, ...(given![0] as Json) };
  });
}

/** `type eq "work"` (and conjunctions of such) → `{ type: "work" }`; anything else → undefined. */
function describedValue(filter: Filter): Json | undefined {
  if (filter.kind === 'compare' && filter.op === 'eq' && !filter.path.sub && !filter.path.uri && filter.value !== null) return { [filter.path.attr]: filter.value };
  if (filter.kind === 'and') {
    const left = describedValue(filter.left);
    const right = describedValue(filter.right);
    return left && right ? { ...left, ...right } : undefined;
  }
  return undefined;
}

/** Two values of a multi-valued attribute are the same when their `value` (and `type`, if any) match. */
function sameValue(a: Json, b: Json): boolean {
  const text = (x: unknown) => (typeof x === 'string' ? x.toLowerCase() : x);
  return text(readKey(a, 'value')) === text(readKey(b, 'value')) && (readKey(a, 'type') === undefined || text(readKey(a, 'type')) === text(readKey(b, 'type')));
}

function resolve(schema: PatchSchema, resource: Json, path: AttrPath): Target | undefined {
  let attributes = schema.attributes;
  let container = resource;
  if (path.uri && path.uri.toLowerCase() !== schema.coreUri.toLowerCase()) {
    const extension = schema.extensions.find((e) => e.uri.toLowerCase() === path.uri!.toLowerCase());
    if (!extension) return undefined;
    attributes = extension.attributes;
    if (!isObject(resource[extension.uri])) resource[extension.uri] = {};
    container = resource[extension.uri] as Json;
  }
  const def = attributes.find((a) => a.name.toLowerCase() === path.attr.toLowerCase());
  return def ? { container, def } : undefined;
}

function setKey(target: Json, key: string, value: unknown): void {
  const existing = Object.keys(target).find((k) => k.toLowerCase() === key.toLowerCase());
  target[existing ?? key] = value;
}

function readKey(target: Json, key: string): unknown {
  const existing = Object.keys(target).find((k) => k.toLowerCase() === key.toLowerCase());
  return existing === undefined ? undefined : target[existing];
}

export function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
