import { Body, Controller, Get, HttpCode, Param, ParseUUIDPipe, Post, Query } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiBody,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
  ApiUnprocessableEntityResponse,
} from '@nestjs/swagger';
import { ApiPage, Auth, CurrentTenant, ErrorResponseDto, Page } from '@refos/platform';
import { CreateReferralLinkDto, ListReferralLinksQueryDto, ReferralLinkDto } from './dto/referral-link.dto';
import { ReferralLinksService } from './referral-links.service';

const NOT_FOUND = { type: ErrorResponseDto, description: 'No such referral link in this tenant' };

@ApiTags('referral-links')
@Controller('api/v1/referral-links')
export class ReferralLinksController {
  constructor(private readonly links: ReferralLinksService) {}

  @Post()
  @HttpCode(201)
  @Auth('tenant', { scope: 'admin' })
  @ApiOperation({
    summary: 'Create a referral link',
    description:
      'A link of one active app, optionally in one of that app\'s campaigns, for a creator (`creator_fid` and/or ' +
      '`creator_handle`) or a channel: at least one of the three is required (400). Without `code` a random ' +
      '10-character base62 code is generated. The answer carries `short_url`, the URL to share. ' +
      'Unknown or foreign `app_id`/`campaign_id` → 422 `invalid_app`/`invalid_campaign`; a campaign of another app → 422 ' +
      '`campaign_app_mismatch`; archived app or campaign → 409 `app_archived`/`campaign_archived`; a taken code → 409 `code_taken`.',
  })
  @ApiBody({
    type: CreateReferralLinkDto,
    examples: {
      creator: {
        summary: 'A creator\'s link in a campaign, with a custom code',
        value: {
          app_id: '3f0b1c2d-4e5f-4a6b-8c7d-9e0f1a2b3c4d',
          campaign_id: '7c1d2e3f-4a5b-4c6d-8e7f-0a1b2c3d4e5f',
          creator_fid: 3621,
          creator_handle: 'alice',
          channel: 'base',
          cast_hash: '0x0d8b1a6e2c4f9d3b7a5e8c1f2a4b6d8e0f1a3c5e',
          destination_url: 'https://quests.example/miniapp?screen=claim',
          code: 'alice-summer',
        },
      },
      channel: {
        summary: 'A channel link with a generated code',
        value: { app_id: '3f0b1c2d-4e5f-4a6b-8c7d-9e0f1a2b3c4d', channel: 'base', destination_url: 'https://quests.example/miniapp' },
      },
    },
  })
  @ApiCreatedResponse({ type: ReferralLinkDto })
  @ApiBadRequestResponse({ type: ErrorResponseDto, description: 'Invalid body, or none of creator_fid, creator_handle, channel' })
  @ApiConflictResponse({ type: ErrorResponseDto, description: '`code_taken`, `app_archived` or `campaign_archived`' })
  @ApiUnprocessableEntityResponse({ type: ErrorResponseDto, description: '`invalid_app`, `invalid_campaign` or `campaign_app_mismatch`' })
  create(@CurrentTenant() tenantId: string, @Body() dto: CreateReferralLinkDto): Promise<ReferralLinkDto> {
    return this.links.create(tenantId, dto);
  }

  @Get()
  @Auth('tenant', { scope: 'read' })
  @ApiOperation({ summary: 'List referral links', description: 'Newest first; filters combine with AND.' })
  @ApiPage(ReferralLinkDto)
  @ApiBadRequestResponse({ type: ErrorResponseDto, description: 'Invalid filter or paging' })
  list(@CurrentTenant() tenantId: string, @Query() query: ListReferralLinksQueryDto): Promise<Page<ReferralLinkDto>> {
    return this.links.list(tenantId, query);
  }

  @Get(':id')
  @Auth('tenant', { scope: 'read' })
  @ApiOperation({ summary: 'Get a referral link' })
  @ApiOkResponse({ type: ReferralLinkDto })
  @ApiBadRequestResponse({ type: ErrorResponseDto, description: 'Malformed id' })
  @ApiNotFoundResponse(NOT_FOUND)
  get(@CurrentTenant() tenantId: string, @Param('id', ParseUUIDPipe) id: string): Promise<ReferralLinkDto> {
    return this.links.get(tenantId, id);
  }

  @Post(':id/disable')
  @HttpCode(200)
  @Auth('tenant', { scope: 'admin' })
  @ApiOperation({
    summary: 'Disable a referral link',
    description: '/r/:code stops redirecting to it (404 or the tenant\'s fallback URL). Idempotent: 200 when already disabled.',
  })
  @ApiOkResponse({ type: ReferralLinkDto })
  @ApiBadRequestResponse({ type: ErrorResponseDto, description: 'Malformed id' })
  @ApiNotFoundResponse(NOT_FOUND)
  disable(@CurrentTenant() tenantId: string, @Param('id', ParseUUIDPipe) id: string): Promise<ReferralLinkDto> {
    return this.links.disable(tenantId, id);
  }

  @Post(':id/enable')
  @HttpCode(200)
  @Auth('tenant', { scope: 'admin' })
  @ApiOperation({ summary: 'Enable a referral link', description: 'Reverses disable. Idempotent: 200 when already active.' })
  @ApiOkResponse({ type: ReferralLinkDto })
  @ApiBadRequestResponse({ type: ErrorResponseDto, description: 'Malformed id' })
  @ApiNotFoundResponse(NOT_FOUND)
  enable(@CurrentTenant() tenantId: string, @Param('id', ParseUUIDPipe) id: string): Promise<ReferralLinkDto> {
    return this.links.enable(tenantId, id);
  }
}
