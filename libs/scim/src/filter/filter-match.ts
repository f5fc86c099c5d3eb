import { invalidFilter } from '../scim-error';
import { Filter } from './scim-filter';

/**
 * Evaluates a PATCH path's value filter (`emails[type eq "work"]`, `members[value eq "…"]`) against one
 * value of a multi-valued attribute. Strings compare case-insensitively: every sub-attribute this
 * service filters on (email value and type, member id) is caseExact false or a lower-case uuid.
 */
export function matchesValue(filter: Filter, value: Record<string, unknown>): boolean {
  switch (filter.kind) {
    case 'and':
      return matchesValue(filter.left, value) && matchesValue(filter.right, value);
    case 'or':
      return matchesValue(filter.left, value) || matchesValue(filter.right, value);
    case 'not':
      return !matchesValue(filter.filter, value);
    case 'valuePath':
      throw invalidFilter('Value filters cannot nest');
    case 'present': {
      const actual = read(value, filter.path.attr);
      return actual !== undefined && actual !== null && actual !== '';
    }
    case 'compare': {
      if (filter.path.sub || filter.path.uri) throw invalidFilter(`Unknown sub-attribute "${filter.path.attr}.${filter.path.sub}"`);
      const actual = read(value, filter.path.attr);
      const expected = filter.value;
      if (expected === null || actual === undefined || actual === null) {
        const isNull = actual === undefined || actual === null;
        if (filter.op === 'eq') return expected === null ? isNull : false;
        if (filter.op === 'ne') return expected === null ? !isNull : true;
        return false;
      }
      if (typeof actual === 'boolean' || typeof expected === 'boolean') {
        if (filter.op === 'eq') return actual === expected;
        if (filter.op === 'ne') return actual !== expected;
        throw invalidFilter(`"${filter.op}" does not apply to a boolean`);
      }
      const a = String(actual).toLowerCase();
      const e = String(expected).toLowerCase();
      switch (filter.op) {
        case 'eq':
          return a === e;
        case 'ne':
          return a !== e;
        case 'co':
          return a.includes(e);
        case 'sw':
          return a.startsWith(e);
        case 'ew':
          return a.endsWith(e);
        case 'gt':
          return a > e;
        case 'ge':
          return a >= e;
        case 'lt':
          return a < e;
        case 'le':
          return a <= e;
      }
    }
  }
}

function read(value: Record<string, unknown>, name: string): unknown {
  const key = Object.keys(value).find((k) => k.toLowerCase() === name.toLowerCase());
  return key === undefined ? undefined : value[key];
}
