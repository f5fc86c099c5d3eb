import { Body, Controller, Get, HttpCode, Param, ParseUUIDPipe, Patch, Post, Query } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiBody,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import { ApiPage, Auth, CurrentTenant, ErrorResponseDto, Page } from '@refos/platform';
import { AppsService } from './apps.service';
import { AppDto, AppWithCredentialsDto, CreateAppDto, ListAppsQueryDto, RotateAppCredentialsDto, UpdateAppDto } from './dto/app.dto';

const NOT_FOUND = { type: ErrorResponseDto, description: 'No such app in this tenant' };
const BAD_ID_OR_BODY = { type: ErrorResponseDto, description: 'Malformed id or invalid body' };

@ApiTags('apps')
@Controller('api/v1/apps')
export class AppsController {
  constructor(private readonly apps: AppsService) {}

  @Post()
  @HttpCode(201)
  @Auth('tenant', { scope: 'admin' })
  @ApiOperation({
    summary: 'Create an app',
    description:
      'Answers the app with its raw `api_key` (`rk_<prefix>_<secret>`, sent by SDKs as `x-api-key`) and `server_secret` ' +
      '(`rss_<secret>`, sent by the tenant\'s server as `x-server-secret` for completed conversions). ' +
      'Both are shown this once: only SHA-256 hashes are stored. Lost credentials are replaced with rotate-credentials.',
  })
  @ApiBody({ type: CreateAppDto, examples: { miniApp: { value: { name: 'Onchain Quests mini app' } } } })
  @ApiCreatedResponse({ type: AppWithCredentialsDto })
  @ApiBadRequestResponse({ type: ErrorResponseDto, description: 'Invalid body' })
  create(@CurrentTenant() tenantId: string, @Body() dto: CreateAppDto): Promise<AppWithCredentialsDto> {
    return this.apps.create(tenantId, dto);
  }

  @Get()
  @Auth('tenant', { scope: 'read' })
  @ApiOperation({ summary: 'List apps', description: 'Newest first; never credentials or their hashes.' })
  @ApiPage(AppDto)
  @ApiBadRequestResponse({ type: ErrorResponseDto, description: 'Invalid filter or paging' })
  list(@CurrentTenant() tenantId: string, @Query() query: ListAppsQueryDto): Promise<Page<AppDto>> {
    return this.apps.list(tenantId, query);
  }

  @Get(':id')
  @Auth('tenant', { scope: 'read' })
  @ApiOperation({ summary: 'Get an app', description: 'Never its credentials: only the public `api_key_prefix`.' })
  @ApiOkResponse({ type: AppDto })
  @ApiBadRequestResponse({ type: ErrorResponseDto, description: 'Malformed id' })
  @ApiNotFoundResponse(NOT_FOUND)
  get(@CurrentTenant() tenantId: string, @Param('id', ParseUUIDPipe) id: string): Promise<AppDto> {
    return this.apps.get(tenantId, id);
  }

  @Patch(':id')
  @Auth('tenant', { scope: 'admin' })
  @ApiOperation({ summary: 'Rename an app' })
  @ApiBody({ type: UpdateAppDto, examples: { rename: { value: { name: 'Onchain Quests' } } } })
  @ApiOkResponse({ type: AppDto })
  @ApiBadRequestResponse(BAD_ID_OR_BODY)
  @ApiNotFoundResponse(NOT_FOUND)
  rename(@CurrentTenant() tenantId: string, @Param('id', ParseUUIDPipe) id: string, @Body() dto: UpdateAppDto): Promise<AppDto> {
    return this.apps.rename(tenantId, id, dto);
  }

  @Post(':id/archive')
  @HttpCode(200)
  @Auth('tenant', { scope: 'admin' })
  @ApiOperation({
    summary: 'Archive an app',
    description:
      'Its api_key and server_secret stop authenticating at once and it can get no new campaigns or referral links. ' +
      'Idempotent: archiving an archived app answers 200 and changes nothing. There is no unarchive.',
  })
  @ApiOkResponse({ type: AppDto })
  @ApiBadRequestResponse({ type: ErrorResponseDto, description: 'Malformed id' })
  @ApiNotFoundResponse(NOT_FOUND)
  archive(@CurrentTenant() tenantId: string, @Param('id', ParseUUIDPipe) id: string): Promise<AppDto> {
    return this.apps.archive(tenantId, id);
  }

  @Post(':id/rotate-credentials')
  @HttpCode(200)
  @Auth('tenant', { scope: 'admin' })
  @ApiOperation({
    summary: 'Rotate an app\'s api_key and server_secret',
    description:
      'Issues a new api_key and server_secret, shown this once. `grace_period_minutes` (0–10080, default 0) says how long the ' +
      'replaced pair keeps authenticating: 0 = it is refused at once; otherwise until `previous_credentials_expire_at`, so ' +
      'clients and servers can switch without downtime. Rotating again ends any earlier grace period: only the pair just ' +
      'replaced survives. Archived apps cannot be rotated (409).',
  })
  @ApiBody({
    type: RotateAppCredentialsDto,
    examples: { immediate: { summary: 'Old credentials stop at once', value: {} }, graceful: { summary: '30 minutes of overlap', value: { grace_period_minutes: 30 } } },
  })
  @ApiOkResponse({ type: AppWithCredentialsDto })
  @ApiBadRequestResponse(BAD_ID_OR_BODY)
  @ApiNotFoundResponse(NOT_FOUND)
  @ApiConflictResponse({ type: ErrorResponseDto, description: '`app_archived`: the app is archived' })
  rotate(
    @CurrentTenant() tenantId: string,
    @Param('id', ParseUUIDPipe) id: string,
    @Body() dto: RotateAppCredentialsDto,
  ): Promise<AppWithCredentialsDto> {
    return this.apps.rotateCredentials(tenantId, id, dto);
  }
}
