import { Controller, Get, Inject, Param, UseInterceptors } from '@nestjs/common';
import { ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { APP_CONFIG, AppConfig, Auth, DomainError } from '@refos/platform';
import { ScimInterceptor } from '../scim.interceptor';
import { listSchema, ScimCommonResponses, SCIM_ERROR_SCHEMA } from '../scim.swagger';
import { listResponse } from '../scim-list';
import { ListResponse } from '../scim-schemas';
import { resourceTypes, schemaResources, serviceProviderConfig } from './discovery';

type Resource = Record<string, unknown>;

/** RFC 7644 §4: what this service provider supports, for identity providers to discover. */
@ApiTags('scim')
@Controller('scim/v2')
// Above @Auth so that its SCIM error schemas, applied last, replace the generic 401/403 ones.
@ScimCommonResponses()
@Auth('tenant', { scope: 'scim' })
@UseInterceptors(ScimInterceptor)
export class ScimDiscoveryController {
  private readonly config: Resource;
  private readonly types: Resource[];
  private readonly schemas: Resource[];

  constructor(@Inject(APP_CONFIG) appConfig: AppConfig) {
    const baseUrl = `${appConfig.publicBaseUrl}/scim/v2`;
    this.config = serviceProviderConfig(baseUrl, `${appConfig.publicBaseUrl}/docs`);
    this.types = resourceTypes(baseUrl);
    this.schemas = schemaResources(baseUrl);
  }

  @Get('ServiceProviderConfig')
  @ApiOperation({ summary: 'Supported features: PATCH, filter (max 100 results), ETags; no bulk, sort or password change' })
  @ApiOkResponse({ schema: { type: 'object', example: { patch: { supported: true }, bulk: { supported: false } } } })
  serviceProviderConfig(): Resource {
    return this.config;
  }

  @Get('ResourceTypes')
  @ApiOperation({ summary: 'User and Group' })
  @ApiOkResponse({ schema: listSchema({ type: 'object' }) })
  resourceTypes(): ListResponse<Resource> {
    return listResponse(this.types.length, 1, this.types);
  }

  @Get('ResourceTypes/:id')
  @ApiOperation({ summary: 'One resource type (User or Group)' })
  @ApiOkResponse({ schema: { type: 'object' } })
  @ApiNotFoundResponse({ schema: SCIM_ERROR_SCHEMA })
  resourceType(@Param('id') id: string): Resource {
    return found(this.types.find((t) => t.id === id), 'ResourceType');
  }

  @Get('Schemas')
  @ApiOperation({ summary: 'The User and Group schemas and the Farcaster extension, attribute by attribute' })
  @ApiOkResponse({ schema: listSchema({ type: 'object' }) })
  schemaList(): ListResponse<Resource> {
    return listResponse(this.schemas.length, 1, this.schemas);
  }

  @Get('Schemas/:id')
  @ApiOperation({ summary: 'One schema, by URN' })
  @ApiOkResponse({ schema: { type: 'object' } })
  @ApiNotFoundResponse({ schema: SCIM_ERROR_SCHEMA })
  schema(@Param('id') id: string): Resource {
    return found(this.schemas.find((s) => s.id === id), 'Schema');
  }
}

function found(resource: Resource | undefined, what: string): Resource {
  if (!resource) throw DomainError.notFound(what);
  return resource;
}
