import { Body, Controller, Delete, Get, HttpCode, Param, ParseUUIDPipe, Post, Query } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiBody,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import { ApiPage, Auth, CurrentTenant, ErrorResponseDto, Page, PageQueryDto } from '@refos/platform';
import { ApiKeysService } from './api-keys.service';
import { ApiKeyDto, CreateApiKeyDto, CreatedApiKeyDto } from './dto/api-key.dto';

@ApiTags('api-keys')
@Controller('api/v1/api-keys')
@Auth('tenant', { scope: 'admin' })
export class ApiKeysController {
  constructor(private readonly apiKeys: ApiKeysService) {}

  @Post()
  @HttpCode(201)
  @ApiOperation({ summary: 'Create an API key', description: 'The answer carries the whole key once; later reads show only its prefix.' })
  @ApiBody({ type: CreateApiKeyDto, examples: { reporting: { value: { name: 'BI exports', scopes: ['read'] } } } })
  @ApiCreatedResponse({ type: CreatedApiKeyDto })
  @ApiBadRequestResponse({ type: ErrorResponseDto, description: 'Invalid body' })
  create(@CurrentTenant() tenantId: string, @Body() dto: CreateApiKeyDto): Promise<CreatedApiKeyDto> {
    return this.apiKeys.create(tenantId, dto);
  }

  @Get()
  @ApiOperation({ summary: 'List active API keys (never their secrets)' })
  @ApiPage(ApiKeyDto)
  list(@CurrentTenant() tenantId: string, @Query() page: PageQueryDto): Promise<Page<ApiKeyDto>> {
    return this.apiKeys.list(tenantId, page);
  }

  @Get(':id')
  @ApiOperation({ summary: 'Get one active API key' })
  @ApiOkResponse({ type: ApiKeyDto })
  @ApiNotFoundResponse({ type: ErrorResponseDto })
  get(@CurrentTenant() tenantId: string, @Param('id', ParseUUIDPipe) id: string): Promise<ApiKeyDto> {
    return this.apiKeys.get(tenantId, id);
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({ summary: 'Revoke an API key', description: 'Takes effect immediately. The last admin key cannot be revoked (409).' })
  @ApiNoContentResponse({ description: 'Revoked' })
  @ApiNotFoundResponse({ type: ErrorResponseDto, description: 'No such active key in this tenant' })
  @ApiConflictResponse({ type: ErrorResponseDto, description: 'It is the tenant\'s last admin key' })
  async revoke(@CurrentTenant() tenantId: string, @Param('id', ParseUUIDPipe) id: string): Promise<void> {
    await this.apiKeys.revoke(tenantId, id);
  }
}
