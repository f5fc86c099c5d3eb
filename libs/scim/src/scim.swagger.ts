import { applyDecorators } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiConflictResponse,
  ApiConsumes,
  ApiHeader,
  ApiNotFoundResponse,
  ApiPreconditionFailedResponse,
  ApiProduces,
  ApiQuery,
  ApiTooManyRequestsResponse,
  ApiUnauthorizedResponse,
  ApiForbiddenResponse,
} from '@nestjs/swagger';
import { PATCH_OP_SCHEMA } from './patch/apply-patch';
import { SCHEMA, SCIM_CONTENT_TYPE } from './scim-schemas';

/* OpenAPI descriptions of the SCIM wire format (RFC 7643/7644), shared by the controllers. */

export const SCIM_ERROR_SCHEMA = {
  type: 'object',
  required: ['schemas', 'status'],
  properties: {
    schemas: { type: 'array', items: { type: 'string' }, example: [SCHEMA.error] },
    status: { type: 'string', example: '400', description: 'The HTTP status, as a string' },
    scimType: {
      type: 'string',
      enum: ['invalidFilter', 'tooMany', 'uniqueness', 'mutability', 'invalidSyntax', 'invalidPath', 'noTarget', 'invalidValue', 'invalidVers'],
    },
    detail: { type: 'string', example: 'Unknown attribute "title"' },
  },
};

const META_SCHEMA = {
  type: 'object',
  properties: {
    resourceType: { type: 'string', example: 'User' },
    created: { type: 'string', format: 'date-time' },
    lastModified: { type: 'string', format: 'date-time' },
    location: { type: 'string', example: 'https://api.example.com/scim/v2/Users/2819c223-7f76-453a-919d-413861904646' },
    version: { type: 'string', example: 'W/"3"', description: 'Weak ETag; send it back in If-Match' },
  },
};

export const SCIM_USER_SCHEMA = {
  type: 'object',
  required: ['schemas', 'userName'],
  properties: {
    schemas: { type: 'array', items: { type: 'string' }, example: [SCHEMA.user] },
    id: { type: 'string', format: 'uuid', readOnly: true },
    externalId: { type: 'string', example: '00u1abcd2EFGH3ijk4l5' },
    userName: { type: 'string', example: 'ann.lee@acme.com' },
    name: { type: 'object', properties: { givenName: { type: 'string', example: 'Ann' }, familyName: { type: 'string', example: 'Lee' }, formatted: { type: 'string', readOnly: true } } },
    displayName: { type: 'string', example: 'Ann Lee' },
    emails: {
      type: 'array',
      items: { type: 'object', properties: { value: { type: 'string' }, type: { type: 'string' }, primary: { type: 'boolean' } } },
      example: [{ value: 'ann.lee@acme.com', type: 'work', primary: true }],
    },
    active: { type: 'boolean', example: true },
    groups: { type: 'array', readOnly: true, items: { type: 'object', properties: { value: { type: 'string' }, display: { type: 'string' }, $ref: { type: 'string' } } } },
    [SCHEMA.farcaster]: { type: 'object', properties: { fid: { type: 'integer', example: 3621 } } },
    meta: { ...META_SCHEMA, readOnly: true },
  },
};

export const SCIM_GROUP_SCHEMA = {
  type: 'object',
  required: ['schemas', 'displayName'],
  properties: {
    schemas: { type: 'array', items: { type: 'string' }, example: [SCHEMA.group] },
    id: { type: 'string', format: 'uuid', readOnly: true },
    externalId: { type: 'string' },
    displayName: { type: 'string', example: 'Referral OS Admins' },
    members: {
      type: 'array',
      items: { type: 'object', properties: { value: { type: 'string', format: 'uuid' }, display: { type: 'string' }, type: { type: 'string', example: 'User' }, $ref: { type: 'string' } } },
    },
    meta: { ...META_SCHEMA, readOnly: true },
  },
};

export function listSchema(item: object) {
  return {
    type: 'object',
    properties: {
      schemas: { type: 'array', items: { type: 'string' }, example: [SCHEMA.listResponse] },
      totalResults: { type: 'integer', example: 1 },
      startIndex: { type: 'integer', example: 1 },
      itemsPerPage: { type: 'integer', example: 1 },
      Resources: { type: 'array', items: item },
    },
  };
}

export const PATCH_SCHEMA = {
  type: 'object',
  required: ['schemas', 'Operations'],
  properties: {
    schemas: { type: 'array', items: { type: 'string' }, example: [PATCH_OP_SCHEMA] },
    Operations: {
      type: 'array',
      items: {
        type: 'object',
        required: ['op'],
        properties: {
          op: { type: 'string', enum: ['add', 'replace', 'remove'], description: 'Case-insensitive (Entra sends "Replace")' },
          path: { type: 'string', example: 'emails[type eq "work"].value' },
          value: { description: 'Any JSON value; without a path, an object of attribute → value' },
        },
      },
    },
  },
};

const error = (description: string) => ({ description, schema: SCIM_ERROR_SCHEMA });

/** The errors every SCIM route can answer, as SCIM errors. */
export function ScimCommonResponses() {
  return applyDecorators(
    ApiConsumes(SCIM_CONTENT_TYPE, 'application/json'),
    ApiProduces(SCIM_CONTENT_TYPE),
    ApiUnauthorizedResponse(error('Missing, unknown or revoked API key')),
    ApiForbiddenResponse(error('The API key lacks the `scim` scope')),
    ApiTooManyRequestsResponse(error('More than SCIM_RATE_LIMIT_PER_TENANT requests this minute for the tenant; see Retry-After')),
  );
}

export function ScimListQueries() {
  return applyDecorators(
    ApiQuery({ name: 'filter', required: false, description: 'RFC 7644 filter: eq ne co sw ew gt ge lt le pr, and or not, ( ), attr[…]', example: 'userName eq "ann.lee@acme.com"' }),
    ApiQuery({ name: 'startIndex', required: false, description: '1-based index of the first result', example: 1 }),
    ApiQuery({ name: 'count', required: false, description: 'Page size (0–100, default 100)', example: 100 }),
    ScimProjectionQueries(),
    ApiBadRequestResponse(error('invalidFilter, or invalidValue for a bad startIndex/count/attributes')),
  );
}

export function ScimProjectionQueries() {
  return applyDecorators(
    ApiQuery({ name: 'attributes', required: false, description: 'Comma-separated attributes to return (id and schemas always are)', example: 'userName,active' }),
    ApiQuery({ name: 'excludedAttributes', required: false, description: 'Comma-separated attributes to leave out', example: 'members' }),
  );
}

export function ScimWriteResponses(what: string) {
  return applyDecorators(
    ApiBadRequestResponse(error('invalidSyntax, invalidValue, invalidPath, invalidFilter, noTarget or mutability; nothing is written')),
    ApiConflictResponse(error(`uniqueness: another ${what} already has this value`)),
  );
}

export function ScimTargetResponses(what: string) {
  return applyDecorators(
    ApiHeader({ name: 'If-Match', required: false, description: 'Only change the resource if its version (meta.version, e.g. W/"3") still matches' }),
    ApiNotFoundResponse(error(`No such ${what} in this tenant`)),
    ApiPreconditionFailedResponse(error('If-Match does not match the current version')),
  );
}
