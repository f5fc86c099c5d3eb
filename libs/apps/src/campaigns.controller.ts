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
  ApiUnprocessableEntityResponse,
} from '@nestjs/swagger';
import { ApiPage, Auth, CurrentTenant, ErrorResponseDto, Page } from '@refos/platform';
import { CampaignsService } from './campaigns.service';
import { CampaignDto, CreateCampaignDto, ListCampaignsQueryDto, UpdateCampaignDto } from './dto/campaign.dto';

const NOT_FOUND = { type: ErrorResponseDto, description: 'No such campaign in this tenant' };
const INVALID_SCHEDULE = { type: ErrorResponseDto, description: '`invalid_schedule`: ends_at is not after starts_at' };

@ApiTags('campaigns')
@Controller('api/v1/campaigns')
export class CampaignsController {
  constructor(private readonly campaigns: CampaignsService) {}

  @Post()
  @HttpCode(201)
  @Auth('tenant', { scope: 'admin' })
  @ApiOperation({
    summary: 'Create a campaign',
    description:
      'A campaign of one app groups its referral links for reports and states payout terms: `payout_amount` of ' +
      '`payout_currency` (default USDC) per conversion matching `payout_event` (default `any_completed`: each completed ' +
      'conversion). `status` defaults to `active`. An `app_id` that is unknown or belongs to another tenant is a bad ' +
      'reference in the body: 422 `invalid_app` (no existence leak: both look the same). An archived app: 409 `app_archived`.',
  })
  @ApiBody({
    type: CreateCampaignDto,
    examples: {
      minimal: { value: { app_id: '3f0b1c2d-4e5f-4a6b-8c7d-9e0f1a2b3c4d', name: 'Summer quests' } },
      full: {
        value: {
          app_id: '3f0b1c2d-4e5f-4a6b-8c7d-9e0f1a2b3c4d',
          name: 'Summer quests',
          status: 'draft',
          starts_at: '2026-12-01T00:00:00Z',
          ends_at: '2027-01-01T00:00:00Z',
          payout_amount: '2.50',
          payout_currency: 'USDC',
          payout_event: 'any_completed',
        },
      },
    },
  })
  @ApiCreatedResponse({ type: CampaignDto })
  @ApiBadRequestResponse({ type: ErrorResponseDto, description: 'Invalid body' })
  @ApiConflictResponse({ type: ErrorResponseDto, description: '`app_archived`: the app is archived' })
  @ApiUnprocessableEntityResponse({ type: ErrorResponseDto, description: '`invalid_app`: app_id is not an app of this tenant; `invalid_schedule`' })
  create(@CurrentTenant() tenantId: string, @Body() dto: CreateCampaignDto): Promise<CampaignDto> {
    return this.campaigns.create(tenantId, dto);
  }

  @Get()
  @Auth('tenant', { scope: 'read' })
  @ApiOperation({ summary: 'List campaigns', description: 'Newest first, filtered by `app_id` and/or `status`.' })
  @ApiPage(CampaignDto)
  @ApiBadRequestResponse({ type: ErrorResponseDto, description: 'Invalid filter or paging' })
  list(@CurrentTenant() tenantId: string, @Query() query: ListCampaignsQueryDto): Promise<Page<CampaignDto>> {
    return this.campaigns.list(tenantId, query);
  }

  @Get(':id')
  @Auth('tenant', { scope: 'read' })
  @ApiOperation({ summary: 'Get a campaign' })
  @ApiOkResponse({ type: CampaignDto })
  @ApiBadRequestResponse({ type: ErrorResponseDto, description: 'Malformed id' })
  @ApiNotFoundResponse(NOT_FOUND)
  get(@CurrentTenant() tenantId: string, @Param('id', ParseUUIDPipe) id: string): Promise<CampaignDto> {
    return this.campaigns.get(tenantId, id);
  }

  @Patch(':id')
  @Auth('tenant', { scope: 'admin' })
  @ApiOperation({
    summary: 'Update a campaign',
    description:
      'Changes only the fields given: name, status (`draft`, `active`, `paused`, `ended`), starts_at/ends_at and payout terms; ' +
      'null clears starts_at, ends_at or payout_amount. The app cannot change. An archived campaign cannot be changed (409).',
  })
  @ApiBody({
    type: UpdateCampaignDto,
    examples: {
      pause: { value: { status: 'paused' } },
      terms: { value: { payout_amount: '3.00', payout_event: 'payment_completed', ends_at: '2027-02-01T00:00:00Z' } },
    },
  })
  @ApiOkResponse({ type: CampaignDto })
  @ApiBadRequestResponse({ type: ErrorResponseDto, description: 'Malformed id or invalid body' })
  @ApiNotFoundResponse(NOT_FOUND)
  @ApiConflictResponse({ type: ErrorResponseDto, description: '`campaign_archived`' })
  @ApiUnprocessableEntityResponse(INVALID_SCHEDULE)
  update(@CurrentTenant() tenantId: string, @Param('id', ParseUUIDPipe) id: string, @Body() dto: UpdateCampaignDto): Promise<CampaignDto> {
    return this.campaigns.update(tenantId, id, dto);
  }

  @Post(':id/archive')
  @HttpCode(200)
  @Auth('tenant', { scope: 'admin' })
  @ApiOperation({
    summary: 'Archive a campaign',
    description: 'Final: an archived campaign cannot be changed or get new referral links; its reports stay. Idempotent (200).',
  })
  @ApiOkResponse({ type: CampaignDto })
  @ApiBadRequestResponse({ type: ErrorResponseDto, description: 'Malformed id' })
  @ApiNotFoundResponse(NOT_FOUND)
  archive(@CurrentTenant() tenantId: string, @Param('id', ParseUUIDPipe) id: string): Promise<CampaignDto> {
    return this.campaigns.archive(tenantId, id);
  }
}
