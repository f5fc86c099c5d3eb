import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsUUID, Matches, Max, Min } from 'class-validator';

export class TraceQueryDto {
  @ApiPropertyOptional({ example: 'anon_123', description: 'Trace one session (with `app_id` when sessions ids repeat across apps)' })
  @IsOptional()
  @Matches(/^[A-Za-z0-9_.:-]{1,128}$/, { message: 'session_id must be 1-128 letters, digits or . _ : -' })
  session_id?: string;

  @ApiPropertyOptional({ example: 3621, description: 'Trace every session this fid signed in to' })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(Number.MAX_SAFE_INTEGER)
  fid?: number;

  @ApiPropertyOptional({ format: 'uuid', description: 'Trace the session of this conversion' })
  @IsOptional()
  @IsUUID()
  conversion_id?: string;

  @ApiPropertyOptional({ format: 'uuid', description: 'Trace the session of this event' })
  @IsOptional()
  @IsUUID()
  event_id?: string;

  @ApiPropertyOptional({ format: 'uuid', description: "Only this app's sessions" })
  @IsOptional()
  @IsUUID()
  app_id?: string;
}

export class TraceTouchDto {
  @ApiProperty({ enum: ['click', 'event'], example: 'click', description: 'A link click, or an event carrying a referral_link_id without a click' })
  source: 'click' | 'event';

  @ApiProperty({ format: 'date-time', example: '2026-11-22T11:50:00.000Z' })
  at: string;

  @ApiProperty({ type: String, nullable: true, example: '7Qm2fX9kLp3sVb8T' })
  click_id: string | null;

  @ApiProperty({ format: 'uuid', example: '9d8c7b6a-5f4e-4d3c-8b2a-1f0e9d8c7b6a' })
  link_id: string;

  @ApiProperty({ type: String, format: 'uuid', nullable: true, example: '5b0e8f4c-3d2a-4e1b-9c8d-7f6e5d4c3b2a' })
  campaign_id: string | null;

  @ApiProperty({ type: String, nullable: true, example: '3621' })
  creator_fid: string | null;

  @ApiProperty({ type: String, nullable: true, example: 'alice' })
  creator_handle: string | null;

  @ApiProperty({ type: String, nullable: true, example: 'base' })
  channel: string | null;

  @ApiProperty({ type: String, nullable: true, example: null })
  cast_hash: string | null;
}

export class TimelineItemDto {
  @ApiProperty({ enum: ['touch', 'event'], example: 'event' })
  type: 'touch' | 'event';

  @ApiProperty({ format: 'date-time', example: '2026-11-22T11:50:02.000Z' })
  at: string;

  @ApiPropertyOptional({ format: 'uuid', description: 'Events: the event id' })
  event_id?: string;

  @ApiPropertyOptional({ example: 'miniapp_opened', description: 'Events: the event name' })
  event_name?: string;

  @ApiPropertyOptional({ example: 'anon_123', description: 'Events: the session' })
  session_id?: string;

  @ApiPropertyOptional({ format: 'uuid' })
  app_id?: string;

  @ApiPropertyOptional({ type: String, nullable: true, example: '7Qm2fX9kLp3sVb8T' })
  click_id?: string | null;

  @ApiPropertyOptional({ type: String, format: 'uuid', nullable: true })
  referral_link_id?: string | null;

  @ApiPropertyOptional({ type: String, format: 'uuid', nullable: true })
  link_id?: string | null;

  @ApiPropertyOptional({ type: String, format: 'uuid', nullable: true })
  campaign_id?: string | null;

  @ApiPropertyOptional({ type: String, nullable: true, example: '3621', description: 'Events: the fid the event carried' })
  fid?: string | null;

  @ApiPropertyOptional({ type: String, nullable: true, example: '24.99' })
  value_usdc?: string | null;

  @ApiPropertyOptional({ type: String, nullable: true, example: 'alice', description: "Touches: the link's creator" })
  creator_handle?: string | null;

  @ApiPropertyOptional({ type: String, nullable: true, example: 'base' })
  channel?: string | null;

  @ApiPropertyOptional({ example: false, description: 'Touches: a bot, unfurler or HEAD request; never credited' })
  is_bot?: boolean;
}

export class AttributionWindowDto {
  @ApiProperty({ format: 'date-time', example: '2026-10-23T12:00:00.000Z' })
  from: string;

  @ApiProperty({ format: 'date-time', example: '2026-11-22T12:00:00.000Z', description: 'The conversion itself' })
  to: string;

  @ApiProperty({ example: 30 })
  lookback_days: number;
}

export class ModelDecisionDto {
  @ApiProperty({ type: TraceTouchDto, nullable: true, description: 'The winning touch, null when unattributed' })
  touch: TraceTouchDto | null;

  @ApiProperty({ example: 'earliest of 2 qualifying touches in the window' })
  reason: string;
}

export class AttributionDecisionDto {
  @ApiProperty({ type: AttributionWindowDto })
  window: AttributionWindowDto;

  @ApiProperty({ example: 2, description: 'Qualifying touches when the conversion was derived' })
  candidates_at_derivation: number;

  @ApiProperty({ type: [TraceTouchDto], description: 'The qualifying touches by the same rule, read now, in time order' })
  candidates: TraceTouchDto[];

  @ApiProperty({ type: ModelDecisionDto })
  first_touch: ModelDecisionDto;

  @ApiProperty({ type: ModelDecisionDto })
  last_click: ModelDecisionDto;
}

export class TraceConversionDto {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty({ format: 'uuid', description: 'The `*_completed` event' })
  event_id: string;

  @ApiProperty({ example: 'payment', enum: ['claim', 'swap', 'payment'] })
  kind: string;

  @ApiProperty({ example: 'anon_123' })
  session_id: string;

  @ApiProperty({ type: String, nullable: true, example: '3621' })
  fid: string | null;

  @ApiProperty({ type: String, nullable: true, example: '24.99' })
  value_usdc: string | null;

  @ApiProperty({ format: 'date-time' })
  occurred_at: string;

  @ApiProperty({ format: 'date-time' })
  derived_at: string;

  @ApiProperty({ type: AttributionDecisionDto })
  attribution: AttributionDecisionDto;
}

export class TraceDto {
  @ApiProperty({ format: 'date-time', example: '2026-11-22T12:00:00.000Z' })
  as_of: string;

  @ApiProperty({ example: 0, description: "The tenant's conversion jobs not yet derived at `as_of`" })
  pending_conversion_jobs: number;

  @ApiProperty({ type: [String], example: ['anon_123'], description: 'The sessions traced' })
  sessions: string[];

  @ApiProperty({ example: false, description: 'True when the timeline was cut at its limit (oldest first kept)' })
  truncated: boolean;

  @ApiProperty({ type: [TimelineItemDto], description: 'Every touch and event of the sessions, in time order' })
  timeline: TimelineItemDto[];

  @ApiProperty({ type: [TraceConversionDto] })
  conversions: TraceConversionDto[];
}
