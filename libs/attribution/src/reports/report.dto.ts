import { ApiProperty, ApiPropertyOptional, IntersectionType } from '@nestjs/swagger';
import { PageQueryDto } from '@refos/platform';
import { IsDateString, IsIn, IsOptional, IsUUID } from 'class-validator';

export const ATTRIBUTION_MODELS = ['first_touch', 'last_click'] as const;
export type AttributionModel = (typeof ATTRIBUTION_MODELS)[number];

export class ReportQueryDto {
  @ApiPropertyOptional({
    enum: ATTRIBUTION_MODELS,
    default: 'last_click',
    description: 'Which credit conversions count under: the first qualifying touch, or the latest click before the conversion',
  })
  @IsOptional()
  @IsIn(ATTRIBUTION_MODELS)
  model: AttributionModel = 'last_click';

  @ApiPropertyOptional({ format: 'uuid', description: "Only this app's traffic (a campaign belongs to one app: another app's id reports zeros)" })
  @IsOptional()
  @IsUUID()
  app_id?: string;

  @ApiPropertyOptional({ format: 'date-time', example: '2026-11-01T00:00:00Z', description: 'Start of the period, inclusive (default: no bound)' })
  @IsOptional()
  @IsDateString({ strict: true })
  from?: string;

  @ApiPropertyOptional({ format: 'date-time', example: '2026-12-01T00:00:00Z', description: 'End of the period, exclusive (default: no bound)' })
  @IsOptional()
  @IsDateString({ strict: true })
  to?: string;
}

/** A ranked report's filters and its page. */
export class RankedReportQueryDto extends IntersectionType(ReportQueryDto, PageQueryDto) {}

export class ReportFiltersDto {
  @ApiProperty({ format: 'uuid', example: '5b0e8f4c-3d2a-4e1b-9c8d-7f6e5d4c3b2a' })
  campaign_id: string;

  @ApiProperty({ enum: ATTRIBUTION_MODELS, example: 'last_click' })
  model: AttributionModel;

  @ApiProperty({ type: String, format: 'uuid', nullable: true, example: null })
  app_id: string | null;

  @ApiProperty({ type: String, format: 'date-time', nullable: true, example: '2026-11-01T00:00:00.000Z' })
  from: string | null;

  @ApiProperty({ type: String, format: 'date-time', nullable: true, example: '2026-12-01T00:00:00.000Z' })
  to: string | null;
}

/** What every report says about its own freshness. */
export class ReportFreshnessDto {
  @ApiProperty({ format: 'date-time', example: '2026-11-22T12:00:00.000Z', description: 'The moment the data was read; every figure is as of then' })
  as_of: string;

  @ApiProperty({
    example: 3,
    description: "The tenant's conversion jobs not yet derived at `as_of` (pending or running): conversions they will add are not counted yet",
  })
  pending_conversion_jobs: number;

  @ApiProperty({ type: ReportFiltersDto })
  filters: ReportFiltersDto;
}

export class CampaignSummaryDto extends ReportFreshnessDto {
  @ApiProperty({ example: 1200, description: 'Human link clicks on the campaign\'s links (bot and unfurler touches excluded)' })
  clicks: number;

  @ApiProperty({ example: 640, description: 'Sessions of the campaign that first opened the mini app in the period' })
  opens: number;

  @ApiProperty({ example: 310, description: 'Sessions of the campaign that first signed in in the period' })
  sign_ins: number;

  @ApiProperty({ example: 95, description: 'Sessions of the campaign that first started a conversion (`*_started`) in the period' })
  conversions_started: number;

  @ApiProperty({ example: 60, description: 'Completed conversions credited to the campaign under `model`' })
  conversions_completed: number;

  @ApiProperty({ example: '1499.40', description: 'Sum of `value_usdc` of those conversions, in USDC' })
  revenue_usdc: string;

  @ApiProperty({ type: Number, nullable: true, example: 0.05, description: 'conversions_completed / clicks, 4 decimals; null without clicks' })
  conversion_rate: number | null;
}

export class FunnelStepDto {
  @ApiProperty({ example: 'miniapp_opened', enum: ['link_clicked', 'miniapp_opened', 'sign_in_completed', 'conversion_started', 'conversion_completed'] })
  step: string;

  @ApiProperty({ example: 640, description: 'Clicks for the first step; for the others, sessions that first reached the step in the period (the last: sessions with a credited conversion)' })
  count: number;

  @ApiProperty({ type: Number, nullable: true, example: 0.5333, description: 'count / previous step, 4 decimals; null for the first step or after a zero' })
  step_rate: number | null;

  @ApiProperty({ type: Number, nullable: true, example: 0.5333, description: 'count / first step, 4 decimals; null without clicks' })
  overall_rate: number | null;
}

export class CampaignFunnelDto extends ReportFreshnessDto {
  @ApiProperty({ type: [FunnelStepDto] })
  steps: FunnelStepDto[];
}

class RankedRowDto {
  @ApiProperty({ example: 420, description: 'Human clicks' })
  clicks: number;

  @ApiProperty({ example: 21, description: 'Completed conversions credited under `model`' })
  conversions: number;

  @ApiProperty({ example: '524.79', description: 'USDC' })
  revenue_usdc: string;
}

export class CreatorRowDto extends RankedRowDto {
  @ApiProperty({ type: String, nullable: true, example: '3621' })
  creator_fid: string | null;

  @ApiProperty({ type: String, nullable: true, example: 'alice' })
  creator_handle: string | null;
}

export class ChannelRowDto extends RankedRowDto {
  @ApiProperty({ type: String, nullable: true, example: 'base', description: 'null: links shared outside a channel' })
  channel: string | null;
}

export class CastRowDto extends RankedRowDto {
  @ApiProperty({ example: '0x5b6f9c8d7e6f5a4b3c2d1e0f9a8b7c6d5e4f3a2b' })
  cast_hash: string;
}

export class LinkRowDto extends RankedRowDto {
  @ApiProperty({ format: 'uuid', example: '9d8c7b6a-5f4e-4d3c-8b2a-1f0e9d8c7b6a' })
  link_id: string;

  @ApiProperty({ example: 'alice-base' })
  code: string;

  @ApiProperty({ type: String, nullable: true, example: '3621' })
  creator_fid: string | null;

  @ApiProperty({ type: String, nullable: true, example: 'alice' })
  creator_handle: string | null;

  @ApiProperty({ type: String, nullable: true, example: 'base' })
  channel: string | null;

  @ApiProperty({ type: String, nullable: true, example: null })
  cast_hash: string | null;
}

/** The `{ data, total, limit, offset }` page of a ranked report, with its freshness. */
export interface RankedReport<T> extends ReportFreshnessDto {
  data: T[];
  total: number;
  limit: number;
  offset: number;
}
