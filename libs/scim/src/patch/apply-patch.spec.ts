import { DomainError } from '@refos/platform';
import { SCHEMA } from '../scim-schemas';
import { USER_PATCH_SCHEMA, validateUser } from '../users/user-resource';
import { GROUP_PATCH_SCHEMA } from '../groups/group-resource';
import { applyPatch, PATCH_OP_SCHEMA } from './apply-patch';

const patch = (...Operations: unknown[]) => ({ schemas: [PATCH_OP_SCHEMA], Operations });

const user = () => ({
  userName: 'ann@acme.com',
  externalId: 'okta-1',
  displayName: 'Ann',
  name: { givenName: 'Ann', familyName: 'Lee' },
  emails: [{ value: 'ann@acme.com', type: 'work', primary: true }],
  active: true,
  [SCHEMA.farcaster]: { fid: null },
});

function failure(run: () => unknown): string | undefined {
  try {
    run();
  } catch (error) {
    if (error instanceof DomainError) return `${error.status} ${error.code}`;
    throw error;
  }
  return undefined;
}

describe('applyPatch on a user', () => {
  const sut = (body: unknown) => applyPatch(USER_PATCH_SCHEMA, user(), body);

  it.each<[string, unknown, Record<string, unknown>]>([
    ["Okta's deactivation (no path, value object)", patch({ op: 'replace', value: { active: false } }), { active: false }],
    ["Entra's deactivation (capitalised op, string boolean)", patch({ op: 'Replace', path: 'active', value: 'False' }), { active: 'False' }],
    ['a sub-attribute', patch({ op: 'replace', path: 'name.familyName', value: 'Park' }), { name: { givenName: 'Ann', familyName: 'Park' } }],
    ['a complex value merges', patch({ op: 'replace', path: 'name', value: { familyName: 'Park' } }), { name: { givenName: 'Ann', familyName: 'Park' } }],
    ['dotted keys in a value object', patch({ op: 'replace', value: { 'name.givenName': 'Anna' } }), { name: { givenName: 'Anna', familyName: 'Lee' } }],
    [
      'a filtered email value',
      patch({ op: 'Replace', path: 'emails[type eq "work"].value', value: 'ann.lee@acme.com' }),
      { emails: [{ value: 'ann.lee@acme.com', type: 'work', primary: true }] },
    ],
    [
      'a filtered email that does not exist yet (Entra)',
      patch({ op: 'Add', path: 'emails[type eq "home"].value', value: 'ann@home.example' }),
      { emails: [{ value: 'ann@acme.com', type: 'work', primary: true }, { type: 'home', value: 'ann@home.example' }] },
    ],
    ['add to emails appends', patch({ op: 'add', path: 'emails', value: [{ value: 'a2@acme.com', type: 'other' }] }), {
      emails: [{ value: 'ann@acme.com', type: 'work', primary: true }, { value: 'a2@acme.com', type: 'other' }],
    }],
    ['remove of a filtered email', patch({ op: 'remove', path: 'emails[type eq "work"]' }), { emails: [] }],
    ['remove of a filtered email\'s value (the email goes)', patch({ op: 'remove', path: 'emails[type eq "work"].value' }), { emails: [] }],
    ['remove of a filtered email\'s type (the email stays)', patch({ op: 'remove', path: 'emails[type eq "work"].type' }), {
      emails: [{ value: 'ann@acme.com', type: null, primary: true }],
    }],
    ['remove of a simple attribute', patch({ op: 'remove', path: 'externalId' }), { externalId: null }],
    ['an extension attribute', patch({ op: 'add', path: `${SCHEMA.farcaster}:fid`, value: 3621 }), { [SCHEMA.farcaster]: { fid: 3621 } }],
    ['an extension object in a value', patch({ op: 'add', value: { [SCHEMA.farcaster]: { fid: 7 } } }), { [SCHEMA.farcaster]: { fid: 7 } }],
    ['an attribute not kept (ignored)', patch({ op: 'replace', path: 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department', value: 'Sales' }), {}],
    ['read-only keys in a value object (ignored)', patch({ op: 'replace', value: { id: 'x', active: false } }), { active: false }],
  ])('applies %s', (_case, body, changed) => {
    expect(sut(body)).toEqual({ ...user(), ...changed });
  });

  it('applies several operations in order and leaves the input alone', () => {
    const before = user();
    const after = applyPatch(USER_PATCH_SCHEMA, before, patch({ op: 'replace', path: 'active', value: false }, { op: 'replace', path: 'active', value: true }, { op: 'replace', path: 'userName', value: 'a@b.c' }));
    expect(after).toMatchObject({ active: true, userName: 'a@b.c' });
    expect(before).toEqual(user());
  });

  it.each<[string, unknown, string]>([
    ['a body without the PatchOp schema', { Operations: [{ op: 'add', path: 'active', value: true }] }, '400 invalidSyntax'],
    ['no operations', patch(), '400 invalidSyntax'],
    ['an unknown op', patch({ op: 'merge', path: 'active', value: true }), '400 invalidSyntax'],
    ['remove without a path', patch({ op: 'remove' }), '400 noTarget'],
    ['a read-only path', patch({ op: 'replace', path: 'id', value: 'x' }), '400 mutability'],
    ['a malformed path', patch({ op: 'replace', path: 'emails[type eq', value: 'x' }), '400 invalidFilter'],
    ['a replace with no matching value', patch({ op: 'replace', path: 'emails[type eq "home"]', value: { value: 'x@y.z' } }), '400 noTarget'],
    ['a value filter on a simple attribute', patch({ op: 'replace', path: 'userName[value eq "x"]', value: 'x' }), '400 invalidPath'],
    ['a missing value', patch({ op: 'add', path: 'active' }), '400 invalidValue'],
    ['a path-less add of a non-object', patch({ op: 'add', value: 'x' }), '400 invalidValue'],
  ])('refuses %s', (_case, body, expected) => {
    expect(failure(() => sut(body))).toBe(expected);
  });

  it('leaves validation of the result to validateUser', () => {
    const patched = sut(patch({ op: 'Replace', path: 'active', value: 'False' }));
    expect(validateUser(patched, true, false)).toMatchObject({ active: false, userName: 'ann@acme.com' });
    const broken = sut(patch({ op: 'remove', path: 'userName' }));
    expect(failure(() => validateUser(broken, true, false))).toBe('400 invalidValue');
  });
});

describe('applyPatch on a group', () => {
  const group = () => ({ displayName: 'Admins', externalId: null, members: [{ value: 'u1' }, { value: 'u2' }] });
  const sut = (body: unknown) => applyPatch(GROUP_PATCH_SCHEMA, group(), body);

  it.each<[string, unknown, unknown[]]>([
    ['Okta add', patch({ op: 'add', path: 'members', value: [{ value: 'u3', display: 'c@acme.com' }] }), [{ value: 'u1' }, { value: 'u2' }, { value: 'u3', display: 'c@acme.com' }]],
    ['an add of a member already there', patch({ op: 'add', path: 'members', value: [{ value: 'U1' }] }), [{ value: 'u1' }, { value: 'u2' }]],
    ['Okta remove by filter', patch({ op: 'remove', path: 'members[value eq "u1"]' }), [{ value: 'u2' }]],
    ['Entra remove by value list', patch({ op: 'Remove', path: 'members', value: [{ value: 'u2' }] }), [{ value: 'u1' }]],
    ['remove of every member', patch({ op: 'remove', path: 'members' }), []],
    ['replace of the members', patch({ op: 'replace', path: 'members', value: [{ value: 'u9' }] }), [{ value: 'u9' }]],
  ])('applies %s', (_case, body, members) => {
    expect(sut(body)).toEqual({ ...group(), members });
  });

  it("renames with Okta's path-less replace carrying the id", () => {
    expect(sut(patch({ op: 'replace', value: { id: 'g1', displayName: 'Admins 2' } }))).toEqual({ ...group(), displayName: 'Admins 2' });
  });
});
