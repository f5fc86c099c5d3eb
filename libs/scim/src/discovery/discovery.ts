import { MAX_RESULTS, SCHEMA } from '../scim-schemas';

/* RFC 7643 §5–7: what this service supports, exactly. Built once per base URL. */

type Mutability = 'readOnly' | 'readWrite' | 'immutable' | 'writeOnly';

interface AttributeOptions {
  multiValued?: boolean;
  required?: boolean;
  caseExact?: boolean;
  mutability?: Mutability;
  returned?: 'always' | 'never' | 'default' | 'request';
  uniqueness?: 'none' | 'server' | 'global';
  subAttributes?: Record<string, unknown>[];
  referenceTypes?: string[];
}

function attribute(name: string, type: string, description: string, options: AttributeOptions = {}): Record<string, unknown> {
  return {
    name,
    type,
    multiValued: options.multiValued ?? false,
    description,
    required: options.required ?? false,
    caseExact: options.caseExact ?? false,
    mutability: options.mutability ?? 'readWrite',
    returned: options.returned ?? 'default',
    uniqueness: options.uniqueness ?? 'none',
    ...(options.subAttributes ? { subAttributes: options.subAttributes } : {}),
    ...(options.referenceTypes ? { referenceTypes: options.referenceTypes } : {}),
  };
}

const USER_ATTRIBUTES = [
  attribute('userName', 'string', 'Unique identifier of the user in this tenant, typically an email address; unique case-insensitively.', {
    required: true,
    uniqueness: 'server',
  }),
  attribute('externalId', 'string', "The identity provider's identifier of the user.", { caseExact: true }),
  attribute('name', 'complex', "The user's name.", {
    subAttributes: [
      attribute('givenName', 'string', 'Given name.'),
      attribute('familyName', 'string', 'Family name.'),
      attribute('formatted', 'string', 'givenName and familyName joined; derived, not stored.', { mutability: 'readOnly' }),
    ],
  }),
  attribute('displayName', 'string', 'Name shown in the dashboard (at most 120 characters).'),
  attribute('emails', 'complex', 'Email addresses (at most 10; at most one primary).', {
    multiValued: true,
    subAttributes: [
      attribute('value', 'string', 'The address.'),
      attribute('type', 'string', 'e.g. work, home, other.'),
      attribute('primary', 'boolean', 'Whether this is the primary address.'),
    ],
  }),
  attribute('active', 'boolean', 'false: every session of the user in this tenant ends at once and sign-in is refused; their data stays.'),
  attribute('groups', 'complex', 'Groups the user belongs to; change them through /Groups.', {
    multiValued: true,
    mutability: 'readOnly',
    subAttributes: [
      attribute('value', 'string', 'The group id.', { mutability: 'readOnly' }),
      attribute('$ref', 'reference', 'The group URI.', { mutability: 'readOnly', referenceTypes: ['Group'] }),
      attribute('display', 'string', 'The group displayName.', { mutability: 'readOnly' }),
    ],
  }),
];

const GROUP_ATTRIBUTES = [
  attribute('displayName', 'string', 'Group name; unique in the tenant case-insensitively. Names listed in the tenant setting scim_admin_groups grant the admin role.', {
    required: true,
    uniqueness: 'server',
  }),
  attribute('externalId', 'string', "The identity provider's identifier of the group.", { caseExact: true }),
  attribute('members', 'complex', 'Users in the group (nested groups are not supported).', {
    multiValued: true,
    subAttributes: [
      attribute('value', 'string', 'The user id.', { mutability: 'immutable' }),
      attribute('$ref', 'reference', 'The user URI.', { mutability: 'immutable', referenceTypes: ['User'] }),
      attribute('display', 'string', 'The user userName.', { mutability: 'readOnly' }),
      attribute('type', 'string', 'Always User.', { mutability: 'immutable' }),
    ],
  }),
];

const FARCASTER_ATTRIBUTES = [
  attribute('fid', 'integer', 'Farcaster id: the user signs in to the dashboard with Sign In With Farcaster as this fid. Unique in the tenant.', {
    uniqueness: 'server',
  }),
];

const SCHEMAS = [
  { id: SCHEMA.user, name: 'User', description: 'User account', attributes: USER_ATTRIBUTES },
  { id: SCHEMA.group, name: 'Group', description: 'Group', attributes: GROUP_ATTRIBUTES },
  { id: SCHEMA.farcaster, name: 'FarcasterUser', description: 'Referral OS extension: the user\'s Farcaster identity', attributes: FARCASTER_ATTRIBUTES },
];

export function schemaResources(baseUrl: string): Record<string, unknown>[] {
  return SCHEMAS.map((schema) => ({
    schemas: [SCHEMA.schema],
    ...schema,
    meta: { resourceType: 'Schema', location: `${baseUrl}/Schemas/${schema.id}` },
  }));
}

export function resourceTypes(baseUrl: string): Record<string, unknown>[] {
  return [
    {
      schemas: [SCHEMA.resourceType],
      id: 'User',
      name: 'User',
      endpoint: '/Users',
      description: 'User account',
      schema: SCHEMA.user,
      schemaExtensions: [{ schema: SCHEMA.farcaster, required: false }],
      meta: { resourceType: 'ResourceType', location: `${baseUrl}/ResourceTypes/User` },
    },
    {
      schemas: [SCHEMA.resourceType],
      id: 'Group',
      name: 'Group',
      endpoint: '/Groups',
      description: 'Group',
      schema: SCHEMA.group,
      schemaExtensions: [],
      meta: { resourceType: 'ResourceType', location: `${baseUrl}/ResourceTypes/Group` },
    },
  ];
}

export function serviceProviderConfig(baseUrl: string, documentationUri: string): Record<string, unknown> {
  return {
    schemas: [SCHEMA.serviceProviderConfig],
    documentationUri,
    patch: { supported: true },
    bulk: { supported: false, maxOperations: 0, maxPayloadSize: 0 },
    filter: { supported: true, maxResults: MAX_RESULTS },
    changePassword: { supported: false },
    sort: { supported: false },
    etag: { supported: true },
    authenticationSchemes: [
      {
        type: 'oauthbearertoken',
        name: 'Bearer API key',
        description: 'A tenant API key with the scim scope: Authorization: Bearer dlk_…',
        primary: true,
      },
    ],
    meta: { resourceType: 'ServiceProviderConfig', location: `${baseUrl}/ServiceProviderConfig` },
  };
}
