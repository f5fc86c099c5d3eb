import { Body, Controller, Delete, Get, Headers, HttpCode, Param, Patch, Post, Put, Query, Res, UseInterceptors } from '@nestjs/common';
import { ApiBody, ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Auth, CurrentPrincipal, TenantPrincipal } from '@refos/platform';
import type { Response } from 'express';
import { PATCH_OP_SCHEMA } from '../patch/apply-patch';
import { ScimInterceptor } from '../scim.interceptor';
import { listSchema, PATCH_SCHEMA, ScimCommonResponses, ScimListQueries, ScimProjectionQueries, ScimTargetResponses, ScimWriteResponses, SCIM_GROUP_SCHEMA } from '../scim.swagger';
import { parseListQuery, parseProjection } from '../scim-request';
import { ListResponse, SCHEMA } from '../scim-schemas';
import { send, single } from '../users/scim-users.controller';
import type { ScimGroupResource } from './group-resource';
import { ScimGroupsService } from './scim-groups.service';

const GROUP_EXAMPLE = { schemas: [SCHEMA.group], displayName: 'Referral OS Admins', members: [{ value: '2819c223-7f76-453a-919d-413861904646' }] };

@ApiTags('scim')
@Controller('scim/v2/Groups')
// Above @Auth so that its SCIM error schemas, applied last, replace the generic 401/403 ones.
@ScimCommonResponses()
@Auth('tenant', { scope: 'scim' })
@UseInterceptors(ScimInterceptor)
export class ScimGroupsController {
  constructor(private readonly groups: ScimGroupsService) {}

  @Get()
  @ApiOperation({ summary: 'List or find groups', description: 'Entra and Okta look groups up with `filter=displayName eq "…"`; `excludedAttributes=members` skips members.' })
  @ScimListQueries()
  @ApiOkResponse({ description: 'A ListResponse', schema: listSchema(SCIM_GROUP_SCHEMA) })
  list(@CurrentPrincipal() principal: TenantPrincipal, @Query() query: Record<string, unknown>): Promise<ListResponse<Partial<ScimGroupResource>>> {
    return this.groups.list(principal.tenantId, parseListQuery(query));
  }

  @Get(':id')
  @ApiOperation({ summary: 'Get a group' })
  @ScimProjectionQueries()
  @ScimTargetResponses('Group')
  @ApiOkResponse({ description: 'The group; ETag header = meta.version', schema: SCIM_GROUP_SCHEMA })
  async get(
    @CurrentPrincipal() principal: TenantPrincipal,
    @Param('id') id: string,
    @Query('attributes') attributes: unknown,
    @Query('excludedAttributes') excluded: unknown,
    @Res({ passthrough: true }) res: Response,
  ): Promise<Partial<ScimGroupResource>> {
    return send(res, await this.groups.get(principal.tenantId, id, parseProjection(single(attributes), single(excluded))));
  }

  @Post()
  @HttpCode(201)
  @ApiOperation({ summary: 'Push a group', description: 'Members are users provisioned through /Users. A group named in the tenant setting `scim_admin_groups` makes its members admins.' })
  @ApiBody({ schema: SCIM_GROUP_SCHEMA, examples: { push: { value: GROUP_EXAMPLE } } })
  @ApiCreatedResponse({ description: 'The group; Location and ETag headers', schema: SCIM_GROUP_SCHEMA })
  @ScimWriteResponses('group')
  async create(@CurrentPrincipal() principal: TenantPrincipal, @Body() body: unknown, @Res({ passthrough: true }) res: Response): Promise<ScimGroupResource> {
    const written = await this.groups.create(principal, body);
    res.setHeader('Location', written.resource.meta.location);
    return send(res, written);
  }

  @Put(':id')
  @ApiOperation({ summary: 'Replace a group (name and the whole member list)' })
  @ApiBody({ schema: SCIM_GROUP_SCHEMA, examples: { replace: { value: GROUP_EXAMPLE } } })
  @ApiOkResponse({ description: 'The group', schema: SCIM_GROUP_SCHEMA })
  @ScimWriteResponses('group')
  @ScimTargetResponses('Group')
  async replace(
    @CurrentPrincipal() principal: TenantPrincipal,
    @Param('id') id: string,
    @Body() body: unknown,
    @Headers('if-match') ifMatch: string | undefined,
    @Res({ passthrough: true }) res: Response,
  ): Promise<ScimGroupResource> {
    return send(res, await this.groups.replace(principal, id, body, ifMatch));
  }

  @Patch(':id')
  @ApiOperation({ summary: 'Update a group (PatchOp)', description: 'Rename, add members, remove members (`members[value eq "…"]` as Okta sends, or a `value` list as Entra sends).' })
  @ApiBody({
    schema: PATCH_SCHEMA,
    examples: {
      okta_add_members: { value: { schemas: [PATCH_OP_SCHEMA], Operations: [{ op: 'add', path: 'members', value: [{ value: '2819c223-7f76-453a-919d-413861904646', display: 'ann.lee@acme.com' }] }] } },
      okta_remove_member: { value: { schemas: [PATCH_OP_SCHEMA], Operations: [{ op: 'remove', path: 'members[value eq "2819c223-7f76-453a-919d-413861904646"]' }] } },
      entra_remove_members: { value: { schemas: [PATCH_OP_SCHEMA], Operations: [{ op: 'Remove', path: 'members', value: [{ value: '2819c223-7f76-453a-919d-413861904646' }] }] } },
      rename: { value: { schemas: [PATCH_OP_SCHEMA], Operations: [{ op: 'replace', value: { displayName: 'Referral OS Admins' } }] } },
    },
  })
  // 204 without a body, as RFC 7644 §3.5.2 allows: Entra's guide asks for exactly that on every group PATCH
  // (a body listing all the members "isn't advisable"), and Okta's accepts it in place of the group.
  @HttpCode(204)
  @ApiNoContentResponse({ description: 'Updated; ETag header = the new meta.version' })
  @ScimWriteResponses('group')
  @ScimTargetResponses('Group')
  async patch(
    @CurrentPrincipal() principal: TenantPrincipal,
    @Param('id') id: string,
    @Body() body: unknown,
    @Headers('if-match') ifMatch: string | undefined,
    @Res({ passthrough: true }) res: Response,
  ): Promise<void> {
    send(res, await this.groups.patch(principal, id, body, ifMatch));
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete a group', description: 'Its members stay; those it made admins go back to member.' })
  @ApiNoContentResponse({ description: 'Deleted' })
  @ScimTargetResponses('Group')
  delete(@CurrentPrincipal() principal: TenantPrincipal, @Param('id') id: string, @Headers('if-match') ifMatch: string | undefined): Promise<void> {
    return this.groups.delete(principal, id, ifMatch);
  }
}
