import { Body, Controller, Delete, Get, Headers, HttpCode, Param, Patch, Post, Put, Query, Res, UseInterceptors } from '@nestjs/common';
import { ApiBody, ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Auth, CurrentPrincipal, TenantPrincipal } from '@refos/platform';
import type { Response } from 'express';
import { PATCH_OP_SCHEMA } from '../patch/apply-patch';
import { ScimInterceptor } from '../scim.interceptor';
import { listSchema, PATCH_SCHEMA, ScimCommonResponses, ScimListQueries, ScimProjectionQueries, ScimTargetResponses, ScimWriteResponses, SCIM_USER_SCHEMA } from '../scim.swagger';
import { parseListQuery, parseProjection } from '../scim-request';
import { ListResponse, SCHEMA } from '../scim-schemas';
import { ScimUsersService, Written } from './scim-users.service';
import type { ScimUser } from './user-resource';

const USER_EXAMPLE = {
  schemas: [SCHEMA.user],
  userName: 'ann.lee@acme.com',
  externalId: '00u1abcd2EFGH3ijk4l5',
  name: { givenName: 'Ann', familyName: 'Lee' },
  emails: [{ value: 'ann.lee@acme.com', type: 'work', primary: true }],
  active: true,
};

@ApiTags('scim')
@Controller('scim/v2/Users')
// Above @Auth so that its SCIM error schemas, applied last, replace the generic 401/403 ones.
@ScimCommonResponses()
@Auth('tenant', { scope: 'scim' })
@UseInterceptors(ScimInterceptor)
export class ScimUsersController {
  constructor(private readonly users: ScimUsersService) {}

  @Get()
  @ApiOperation({ summary: 'List or find users', description: 'SCIM users of the tenant, oldest first; Okta and Entra look users up with `filter=userName eq "…"`.' })
  @ScimListQueries()
  @ApiOkResponse({ description: 'A ListResponse', schema: listSchema(SCIM_USER_SCHEMA) })
  list(@CurrentPrincipal() principal: TenantPrincipal, @Query() query: Record<string, unknown>): Promise<ListResponse<Partial<ScimUser>>> {
    return this.users.list(principal.tenantId, parseListQuery(query));
  }

  @Get(':id')
  @ApiOperation({ summary: 'Get a user' })
  @ScimProjectionQueries()
  @ScimTargetResponses('User')
  @ApiOkResponse({ description: 'The user; ETag header = meta.version', schema: SCIM_USER_SCHEMA })
  async get(
    @CurrentPrincipal() principal: TenantPrincipal,
    @Param('id') id: string,
    @Query('attributes') attributes: unknown,
    @Query('excludedAttributes') excluded: unknown,
    @Res({ passthrough: true }) res: Response,
  ): Promise<Partial<ScimUser>> {
    return send(res, await this.users.get(principal.tenantId, id, parseProjection(single(attributes), single(excluded))));
  }

  @Post()
  @HttpCode(201)
  @ApiOperation({ summary: 'Provision a user', description: '`password` and attributes this service does not keep are ignored; `userName` is unique case-insensitively.' })
  @ApiBody({ schema: SCIM_USER_SCHEMA, examples: { okta: { value: USER_EXAMPLE } } })
  @ApiCreatedResponse({ description: 'The user; Location and ETag headers', schema: SCIM_USER_SCHEMA })
  @ScimWriteResponses('user')
  async create(@CurrentPrincipal() principal: TenantPrincipal, @Body() body: unknown, @Res({ passthrough: true }) res: Response): Promise<ScimUser> {
    const written = await this.users.create(principal, body);
    res.setHeader('Location', written.resource.meta.location);
    return send(res, written);
  }

  @Put(':id')
  @ApiOperation({ summary: 'Replace a user', description: 'Attributes left out are cleared, except `active`, which keeps its value.' })
  @ApiBody({ schema: SCIM_USER_SCHEMA, examples: { replace: { value: USER_EXAMPLE } } })
  @ApiOkResponse({ description: 'The user', schema: SCIM_USER_SCHEMA })
  @ScimWriteResponses('user')
  @ScimTargetResponses('User')
  async replace(
    @CurrentPrincipal() principal: TenantPrincipal,
    @Param('id') id: string,
    @Body() body: unknown,
    @Headers('if-match') ifMatch: string | undefined,
    @Res({ passthrough: true }) res: Response,
  ): Promise<ScimUser> {
    return send(res, await this.users.replace(principal, id, body, ifMatch));
  }

  @Patch(':id')
  @ApiOperation({
    summary: 'Update a user (PatchOp)',
    description: 'add / replace / remove, with or without `path`, value filters such as `emails[type eq "work"].value`. Deactivating (`active` false) ends the user\'s sessions at once.',
  })
  @ApiBody({
    schema: PATCH_SCHEMA,
    examples: {
      okta_deactivate: { value: { schemas: [PATCH_OP_SCHEMA], Operations: [{ op: 'replace', value: { active: false } }] } },
      entra_update: {
        value: {
          schemas: [PATCH_OP_SCHEMA],
          Operations: [
            { op: 'Replace', path: 'emails[type eq "work"].value', value: 'ann.park@acme.com' },
            { op: 'Replace', path: 'active', value: 'False' },
          ],
        },
      },
    },
  })
  @ApiOkResponse({ description: 'The user after the operations', schema: SCIM_USER_SCHEMA })
  @ScimWriteResponses('user')
  @ScimTargetResponses('User')
  async patch(
    @CurrentPrincipal() principal: TenantPrincipal,
    @Param('id') id: string,
    @Body() body: unknown,
    @Headers('if-match') ifMatch: string | undefined,
    @Res({ passthrough: true }) res: Response,
  ): Promise<ScimUser> {
    return send(res, await this.users.patch(principal, id, body, ifMatch));
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({ summary: 'Deprovision a user', description: 'Removes the user and their group memberships and ends their sessions; links and other data stay with the tenant.' })
  @ApiNoContentResponse({ description: 'Deleted' })
  @ScimTargetResponses('User')
  delete(@CurrentPrincipal() principal: TenantPrincipal, @Param('id') id: string, @Headers('if-match') ifMatch: string | undefined): Promise<void> {
    return this.users.delete(principal, id, ifMatch);
  }
}

/** Sets the ETag header from a written or read resource and answers its body. */
export function send<T>(res: Response, written: Written<T>): T {
  res.setHeader('ETag', written.etag);
  return written.resource;
}

/** A query parameter given twice arrives as an array: treat it as absent rather than guess. */
export function single(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}
