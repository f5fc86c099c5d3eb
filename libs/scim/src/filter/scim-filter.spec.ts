import { DomainError } from '@refos/platform';
import { filterToSql, FilterTarget, SqlParams } from './filter-sql';
import { matchesValue } from './filter-match';
import { MAX_FILTER_LENGTH, parseFilter, parsePatchPath } from './scim-filter';
import { USER_FILTER_TARGET } from '../users/user-resource';

function compile(filter: string, target: FilterTarget = USER_FILTER_TARGET) {
  const params = new SqlParams(1);
  return { sql: filterToSql(parseFilter(filter), target, params), values: params.values };
}

function scimTypeOf(run: () => unknown): string | undefined {
  try {
    run();
  } catch (error) {
    if (error instanceof DomainError) return `${error.status} ${error.code}`;
    throw error;
  }
  return undefined;
}

describe('parseFilter', () => {
  it.each<[string, unknown]>([
    ['userName eq "bjensen"', { kind: 'compare', path: { attr: 'userName' }, op: 'eq', value: 'bjensen' }],
    ['name.familyName co "O\'Malley"', { kind: 'compare', path: { attr: 'name', sub: 'familyName' }, op: 'co', value: "O'Malley" }],
    ['userName SW "J"', { kind: 'compare', path: { attr: 'userName' }, op: 'sw', value: 'J' }],
    [
      'urn:ietf:params:scim:schemas:core:2.0:User:userName sw "J"',
      { kind: 'compare', path: { uri: 'urn:ietf:params:scim:schemas:core:2.0:User', attr: 'userName' }, op: 'sw', value: 'J' },
    ],
    ['title pr', { kind: 'present', path: { attr: 'title' } }],
    ['active eq true', { kind: 'compare', path: { attr: 'active' }, op: 'eq', value: true }],
    ['externalId eq null', { kind: 'compare', path: { attr: 'externalId' }, op: 'eq', value: null }],
    ['x eq "a \\"quoted\\" \\u00e9"', { kind: 'compare', path: { attr: 'x' }, op: 'eq', value: 'a "quoted" é' }],
    [
      'a eq "1" or b eq "2" and c eq "3"',
      {
        kind: 'or',
        left: { kind: 'compare', path: { attr: 'a' }, op: 'eq', value: '1' },
        right: {
          kind: 'and',
          left: { kind: 'compare', path: { attr: 'b' }, op: 'eq', value: '2' },
          right: { kind: 'compare', path: { attr: 'c' }, op: 'eq', value: '3' },
        },
      },
    ],
    [
      'not (a pr) and (b eq 1)',
      { kind: 'and', left: { kind: 'not', filter: { kind: 'present', path: { attr: 'a' } } }, right: { kind: 'compare', path: { attr: 'b' }, op: 'eq', value: 1 } },
    ],
    [
      'emails[type eq "work" and value co "@example.com"]',
      {
        kind: 'valuePath',
        path: { attr: 'emails' },
        filter: {
          kind: 'and',
          left: { kind: 'compare', path: { attr: 'type' }, op: 'eq', value: 'work' },
          right: { kind: 'compare', path: { attr: 'value' }, op: 'co', value: '@example.com' },
        },
      },
    ],
    [
      'emails[type eq "work"].value eq "a@b.c"',
      {
        kind: 'valuePath',
        path: { attr: 'emails' },
        filter: {
          kind: 'and',
          left: { kind: 'compare', path: { attr: 'type' }, op: 'eq', value: 'work' },
          right: { kind: 'compare', path: { attr: 'value' }, op: 'eq', value: 'a@b.c' },
        },
      },
    ],
  ])('parses %s', (input, expected) => {
    expect(parseFilter(input)).toEqual(expected);
  });

  it.each([
    ['an empty filter', ''],
    ['a bare attribute', 'userName'],
    ['an unknown operator', 'userName like "a"'],
    ['a missing value', 'userName eq'],
    ['an unquoted string', 'userName eq bjensen'],
    ['an unterminated string', 'userName eq "bjensen'],
    ['a bad escape', 'userName eq "\\x"'],
    ['an unbalanced parenthesis', '(userName eq "a"'],
    ['a stray parenthesis', 'userName eq "a")'],
    ['an unclosed value filter', 'emails[type eq "work"'],
    ['a dangling and', 'userName eq "a" and'],
    ['not without parentheses', 'not userName eq "a"'],
    ['an odd character', 'userName eq "a" & active eq true'],
    ['a bad attribute name', '1abc eq "a"'],
    ['a three-part path', 'a.b.c eq "a"'],
    ['deep nesting', `${'('.repeat(40)}a pr${')'.repeat(40)}`],
    ['a filter that is too long', `userName eq "${'a'.repeat(MAX_FILTER_LENGTH)}"`],
    ['too many tokens', Array.from({ length: 300 }, () => 'a pr').join(' or ')],
  ])('refuses %s with 400 invalidFilter', (_case, input) => {
    expect(scimTypeOf(() => parseFilter(input))).toBe('400 invalidFilter');
  });

  it('parses a hostile but legal filter in linear time', () => {
    const input = `userName eq "${'\\"'.repeat(900)}"`;
    const started = process.hrtime.bigint();
    expect(parseFilter(input)).toMatchObject({ kind: 'compare' });
    expect(Number(process.hrtime.bigint() - started) / 1e6).toBeLessThan(50);
  });
});

describe('filterToSql on users', () => {
  it('binds every value and scopes nothing from the text into SQL', () => {
    const { sql, values } = compile(`userName eq "x'; DROP TABLE users; --"`);
    expect(sql).toBe('COALESCE(lower(u.user_name) = lower($2::text), false)');
    expect(values).toEqual(["x'; DROP TABLE users; --"]);
  });

  it.each<[string, string, unknown[]]>([
    ['externalId eq "A1"', 'COALESCE(u.external_id = $2::text, false)', ['A1']],
    ['userName ne "a"', '(u.user_name IS NULL OR lower(u.user_name) <> lower($2::text))', ['a']],
    ['name.givenName co "an"', 'COALESCE(strpos(lower(u.given_name), lower($2::text)) > 0, false)', ['an']],
    ['name.familyName sw "je"', 'COALESCE(starts_with(lower(u.family_name), lower($2::text)), false)', ['je']],
    ['userName ew "@acme.com"', 'COALESCE(right(lower(u.user_name), length(lower($2::text))) = lower($2::text), false)', ['@acme.com']],
    ['active eq false', 'COALESCE(u.active = $2::boolean, false)', [false]],
    [
      'meta.lastModified gt "2026-11-22T12:00:00Z"',
      "COALESCE(date_trunc('milliseconds', u.updated_at) > $2::timestamptz, false)",
      ['2026-11-22T12:00:00.000Z'],
    ],
    ['externalId pr', "(u.external_id IS NOT NULL AND u.external_id <> '')", []],
    ['emails pr', "EXISTS (SELECT 1 FROM jsonb_array_elements(u.emails) e WHERE true)", []],
  ])('compiles %s', (input, sql, values) => {
    const compiled = compile(input);
    expect(compiled.sql).toBe(sql);
    expect(compiled.values).toEqual(values);
  });

  it('compiles emails[type eq "work"].value and not/or with parameters in order', () => {
    const compiled = compile('not (active eq true) or emails[type eq "work"].value eq "A@B.C"');
    expect(compiled.sql).toBe(
      '((NOT COALESCE(u.active = $2::boolean, false)) OR EXISTS (SELECT 1 FROM jsonb_array_elements(u.emails) e WHERE ' +
        '(COALESCE(lower(e->>\'type\') = lower($3::text), false) AND COALESCE(lower(e->>\'value\') = lower($4::text), false))))',
    );
    expect(compiled.values).toEqual([true, 'work', 'A@B.C']);
  });

  it.each([
    ['an unknown attribute', 'title eq "boss"'],
    ['an unknown schema', 'urn:example:Other:userName eq "a"'],
    ['a number for a string', 'userName eq 1'],
    ['a string for a boolean', 'active eq "true"'],
    ['gt on a boolean', 'active gt true'],
    ['co on a date', 'meta.created co "2026"'],
    ['a date that is not one', 'meta.lastModified gt "yesterday"'],
    ['gt null', 'userName gt null'],
    ['an unknown sub-attribute in a value filter', 'emails[kind eq "work"]'],
    ['a value filter on a single-valued attribute', 'userName[value eq "a"]'],
  ])('refuses %s with 400 invalidFilter', (_case, input) => {
    expect(scimTypeOf(() => compile(input))).toBe('400 invalidFilter');
  });
});

describe('parsePatchPath', () => {
  it.each<[string, unknown]>([
    ['active', { path: { attr: 'active' } }],
    ['name.givenName', { path: { attr: 'name', sub: 'givenName' } }],
    [
      'emails[type eq "work"].value',
      { path: { attr: 'emails' }, filter: { kind: 'compare', path: { attr: 'type' }, op: 'eq', value: 'work' }, sub: 'value' },
    ],
    ['members[value eq "abc"]', { path: { attr: 'members' }, filter: { kind: 'compare', path: { attr: 'value' }, op: 'eq', value: 'abc' } }],
    [
      'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department',
      { path: { uri: 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User', attr: 'department' } },
    ],
  ])('parses %s', (input, expected) => {
    expect(parsePatchPath(input)).toEqual(expected);
  });

  it.each([
    ['an empty path', '', '400 invalidPath'],
    ['text after the path', 'active true', '400 invalidPath'],
    ['a filter after a sub-attribute', 'name.givenName[x eq "y"]', '400 invalidPath'],
    ['a broken value filter', 'emails[type eq]', '400 invalidFilter'],
    ['junk after the filter', 'emails[type eq "work"]value', '400 invalidPath'],
  ])('refuses %s', (_case, input, expected) => {
    expect(scimTypeOf(() => parsePatchPath(input))).toBe(expected);
  });
});

describe('matchesValue', () => {
  const work = { value: 'Ann@Acme.com', type: 'work', primary: true };
  it.each<[string, boolean]>([
    ['type eq "WORK"', true],
    ['type eq "home"', false],
    ['value ew "@acme.com" and primary eq true', true],
    ['not (type eq "work")', false],
    ['display pr', false],
    ['display ne "x"', true],
  ])('%s -> %s', (input, expected) => {
    expect(matchesValue(parseFilter(input), work)).toBe(expected);
  });
});
