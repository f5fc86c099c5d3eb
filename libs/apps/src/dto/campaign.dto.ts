import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { PageQueryDto } from '@refos/platform';
import { IsDateString, IsIn, IsOptional, IsString, IsUUID, Length, Matches, ValidateIf } from 'class-validator';
import { CAMPAIGN_STATUSES, CampaignStatus, PAYOUT_EVENTS, PayoutEvent } from '../campaign.entity';
import { PAYOUT_AMOUNT_PATTERN } from '../payout-amount';

/** `archived` is reached only through POST /campaigns/:id/archive. */
export const SETTABLE_CAMPAIGN_STATUSES = ['draft', 'active', 'paused', 'ended'] as const;
export type SettableCampaignStatus = (typeof SETTABLE_CAMPAIGN_STATUSES)[number];

const CURRENCY_PATTERN = /^[A-Z]{3,10}$/;
const STATUS_DOC = '`draft`, `active`, `paused` or `ended` (`archived` only through the archive endpoint)';
const PAYOUT_EVENT_DOC =
  'What one payout of `payout_amount` is owed for: `any_completed` (default) = each completed conversion of any kind ' +
  '(claim_completed, swap_completed, payment_completed); or only completed conversions of that one event';

/** Optional, but when present it may not be null (the column is NOT NULL). */
const PresentIfGiven = () => ValidateIf((_object: unknown, value: unknown) => value !== undefined);

export class CreateCampaignDto {
  @ApiProperty({ format: 'uuid', example: '3f0b1c2d-4e5f-4a6b-8c7d-9e0f1a2b3c4d', description: 'An active app of the caller\'s tenant' })
  @IsUUID()
  app_id: string;

  @ApiProperty({ example: 'Summer quests', minLength: 1, maxLength: 120 })
  @IsString()
  @Length(1, 120)
  name: string;

  @ApiPropertyOptional({ enum: SETTABLE_CAMPAIGN_STATUSES, default: 'active', description: STATUS_DOC })
  @IsOptional()
  @IsIn(SETTABLE_CAMPAIGN_STATUSES)
  status?: SettableCampaignStatus;

  @ApiPropertyOptional({ format: 'date-time', example: '2026-12-01T00:00:00Z' })
  @IsOptional()
  @IsDateString({ strict: true })
  starts_at?: string | null;

  @ApiPropertyOptional({ format: 'date-time', example: '2027-01-01T00:00:00Z', description: 'Must be after starts_at (else 422)' })
  @IsOptional()
  @IsDateString({ strict: true })
  ends_at?: string | null;

  @ApiPropertyOptional({
    type: String,
    example: '2.50',
    description: 'Amount paid per qualifying conversion, a decimal string ≥ 0 with at most 6 decimals (never a JSON number)',
  })
  @IsOptional()
  @IsString()
  @Matches(PAYOUT_AMOUNT_PATTERN, { message: 'payout_amount must be a decimal string ≥ 0 with at most 14 digits before and 6 after the point, e.g. "2.50"' })
  payout_amount?: string | null;

  @ApiPropertyOptional({ example: 'USDC', default: 'USDC', pattern: CURRENCY_PATTERN.source, description: '3 to 10 uppercase letters' })
  @IsOptional()
  @IsString()
  @Matches(CURRENCY_PATTERN, { message: 'payout_currency must be 3 to 10 uppercase letters, e.g. USDC' })
  payout_currency?: string;

  @ApiPropertyOptional({ enum: PAYOUT_EVENTS, default: 'any_completed', description: PAYOUT_EVENT_DOC })
  @IsOptional()
  @IsIn(PAYOUT_EVENTS)
  payout_event?: PayoutEvent;
}

/** Every field optional; `starts_at`, `ends_at` and `payout_amount` may be set to null to clear them. */
export class UpdateCampaignDto {
  @ApiPropertyOptional({ example: 'Summer quests (extended)', minLength: 1, maxLength: 120 })
  @PresentIfGiven()
  @IsString()
  @Length(1, 120)
  name?: string;

  @ApiPropertyOptional({ enum: SETTABLE_CAMPAIGN_STATUSES, description: STATUS_DOC })
  @PresentIfGiven()
  @IsIn(SETTABLE_CAMPAIGN_STATUSES)
  status?: SettableCampaignStatus;

  @ApiPropertyOptional({ format: 'date-time', nullable: true, type: String, example: '2026-12-01T00:00:00Z', description: 'null clears it' })
  @IsOptional()
  @IsDateString({ strict: true })
  starts_at?: string | null;

  @ApiPropertyOptional({ format: 'date-time', nullable: true, type: String, example: '2027-02-01T00:00:00Z', description: 'null clears it; must stay after starts_at (else 422)' })
  @IsOptional()
  @IsDateString({ strict: true })
  ends_at?: string | null;

  @ApiPropertyOptional({ type: String, nullable: true, example: '3.00', description: 'Decimal string ≥ 0, at most 6 decimals; null clears it' })
  @IsOptional()
  @IsString()
  @Matches(PAYOUT_AMOUNT_PATTERN, { message: 'payout_amount must be a decimal string ≥ 0 with at most 14 digits before and 6 after the point, e.g. "2.50"' })
  payout_amount?: string | null;

  @ApiPropertyOptional({ example: 'USDC', pattern: CURRENCY_PATTERN.source })
  @PresentIfGiven()
  @IsString()
  @Matches(CURRENCY_PATTERN, { message: 'payout_currency must be 3 to 10 uppercase letters, e.g. USDC' })
  payout_currency?: string;

  @ApiPropertyOptional({ enum: PAYOUT_EVENTS, description: PAYOUT_EVENT_DOC })
  @PresentIfGiven()
  @IsIn(PAYOUT_EVENTS)
  payout_event?: PayoutEvent;
}

export class ListCampaignsQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ format: 'uuid', description: 'Only campaigns of this app' })
  @IsOptional()
  @IsUUID()
  app_id?: string;

  @ApiPropertyOptional({ enum: CAMPAIGN_STATUSES, description: 'Only campaigns in this status' })
  @IsOptional()
  @IsIn(CAMPAIGN_STATUSES)
  status?: CampaignStatus;
}

export class CampaignDto {
  @ApiProperty({ format: 'uuid', example: '7c1d2e3f-4a5b-4c6d-8e7f-0a1b2c3d4e5f' })
  id: string;

  @ApiProperty({ format: 'uuid', example: '3f0b1c2d-4e5f-4a6b-8c7d-9e0f1a2b3c4d' })
  app_id: string;

  @ApiProperty({ example: 'Summer quests' })
  name: string;

  @ApiProperty({ enum: CAMPAIGN_STATUSES, example: 'active' })
  status: CampaignStatus;

  @ApiProperty({ format: 'date-time', nullable: true, type: String })
  starts_at: string | null;

  @ApiProperty({ format: 'date-time', nullable: true, type: String })
  ends_at: string | null;

  @ApiProperty({ type: String, nullable: true, example: '2.50', description: 'Decimal string, at least two decimals' })
  payout_amount: string | null;

  @ApiProperty({ example: 'USDC' })
  payout_currency: string;

  @ApiProperty({ enum: PAYOUT_EVENTS, example: 'any_completed', description: PAYOUT_EVENT_DOC })
  payout_event: PayoutEvent;

  @ApiProperty({ format: 'date-time' })
  created_at: string;

  @ApiProperty({ format: 'date-time' })
  updated_at: string;

  @ApiProperty({ format: 'date-time', nullable: true, type: String })
  archived_at: string | null;
}

/** What `CampaignsService.getCampaignRef` answers. */
export interface CampaignRef {
  id: string;
  appId: string;
  status: CampaignStatus;
}
