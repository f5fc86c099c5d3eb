import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { PageQueryDto } from '@refos/platform';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, IsUUID, Length, Matches, Max, Min } from 'class-validator';
import { REFERRAL_LINK_STATUSES, ReferralLinkStatus } from '../referral-link.entity';
import { IsHttpsUrl, MAX_DESTINATION_URL_LENGTH } from './is-https-url';

export const CUSTOM_CODE_PATTERN = /^[A-Za-z0-9_-]{4,64}$/;
/** Farcaster usernames and channel ids (plus `.` for ENS-style names such as `alice.eth`). */
const NAME_PATTERN = /^[a-z0-9][a-z0-9._-]*$/i;
/** A Farcaster cast hash: 0x and 20 bytes of hex. */
const CAST_HASH_PATTERN = /^0x[0-9a-fA-F]{40}$/;

export class CreateReferralLinkDto {
  @ApiProperty({ format: 'uuid', example: '3f0b1c2d-4e5f-4a6b-8c7d-9e0f1a2b3c4d', description: 'An active app of the caller\'s tenant' })
  @IsUUID()
  app_id: string;

  @ApiPropertyOptional({ format: 'uuid', example: '7c1d2e3f-4a5b-4c6d-8e7f-0a1b2c3d4e5f', description: 'A campaign of the same app' })
  @IsOptional()
  @IsUUID()
  campaign_id?: string | null;

  @ApiPropertyOptional({ example: 3621, minimum: 1, description: 'Farcaster ID of the creator sharing the link' })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(Number.MAX_SAFE_INTEGER)
  creator_fid?: number | null;

  @ApiPropertyOptional({ example: 'alice', maxLength: 64, pattern: NAME_PATTERN.source, description: 'The creator\'s username' })
  @IsOptional()
  @IsString()
  @Length(1, 64)
  @Matches(NAME_PATTERN, { message: 'creator_handle may hold letters, digits, ".", "_" and "-", starting with a letter or digit' })
  creator_handle?: string | null;

  @ApiPropertyOptional({ example: 'base', maxLength: 64, pattern: NAME_PATTERN.source, description: 'The Farcaster channel id the link is shared in' })
  @IsOptional()
  @IsString()
  @Length(1, 64)
  @Matches(NAME_PATTERN, { message: 'channel may hold letters, digits, ".", "_" and "-", starting with a letter or digit' })
  channel?: string | null;

  @ApiPropertyOptional({ example: '0x0d8b1a6e2c4f9d3b7a5e8c1f2a4b6d8e0f1a3c5e', pattern: CAST_HASH_PATTERN.source, description: 'The cast the link is shared in; stored lowercase' })
  @IsOptional()
  @IsString()
  @Matches(CAST_HASH_PATTERN, { message: 'cast_hash must be 0x followed by 40 hex digits' })
  cast_hash?: string | null;

  @ApiProperty({
    example: 'https://quests.example/miniapp?screen=claim',
    maxLength: MAX_DESTINATION_URL_LENGTH,
    description: 'Where /r/:code sends visitors: an absolute https URL without credentials; its query and fragment are kept',
  })
  @IsHttpsUrl()
  destination_url: string;

  @ApiPropertyOptional({
    example: 'alice-summer',
    pattern: CUSTOM_CODE_PATTERN.source,
    description: 'A custom code (4–64 of A-Z a-z 0-9 _ -, case-sensitive, unique across the platform: 409 `code_taken`). Omitted: a random 10-character base62 code.',
  })
  @IsOptional()
  @IsString()
  @Matches(CUSTOM_CODE_PATTERN, { message: 'code must be 4 to 64 characters of A-Z, a-z, 0-9, "_" and "-"' })
  code?: string | null;
}

export class ListReferralLinksQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID()
  app_id?: string;

  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID()
  campaign_id?: string;

  @ApiPropertyOptional({ enum: REFERRAL_LINK_STATUSES })
  @IsOptional()
  @IsIn(REFERRAL_LINK_STATUSES)
  status?: ReferralLinkStatus;

  @ApiPropertyOptional({ example: 3621, minimum: 1 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(Number.MAX_SAFE_INTEGER)
  creator_fid?: number;

  @ApiPropertyOptional({ example: 'base', maxLength: 64 })
  @IsOptional()
  @IsString()
  @Length(1, 64)
  channel?: string;
}

export class ReferralLinkDto {
  @ApiProperty({ format: 'uuid', example: 'a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d' })
  id: string;

  @ApiProperty({ example: 'alice-summer' })
  code: string;

  @ApiProperty({ example: 'https://refos.example/r/alice-summer', description: 'PUBLIC_BASE_URL + /r/ + code: the URL to share' })
  short_url: string;

  @ApiProperty({ format: 'uuid', example: '3f0b1c2d-4e5f-4a6b-8c7d-9e0f1a2b3c4d' })
  app_id: string;

  @ApiProperty({ format: 'uuid', nullable: true, type: String, example: '7c1d2e3f-4a5b-4c6d-8e7f-0a1b2c3d4e5f' })
  campaign_id: string | null;

  @ApiProperty({ nullable: true, type: Number, example: 3621 })
  creator_fid: number | null;

  @ApiProperty({ nullable: true, type: String, example: 'alice' })
  creator_handle: string | null;

  @ApiProperty({ nullable: true, type: String, example: 'base' })
  channel: string | null;

  @ApiProperty({ nullable: true, type: String, example: '0x0d8b1a6e2c4f9d3b7a5e8c1f2a4b6d8e0f1a3c5e' })
  cast_hash: string | null;

  @ApiProperty({ example: 'https://quests.example/miniapp?screen=claim' })
  destination_url: string;

  @ApiProperty({ enum: REFERRAL_LINK_STATUSES, example: 'active' })
  status: ReferralLinkStatus;

  @ApiProperty({ format: 'date-time' })
  created_at: string;

  @ApiProperty({ format: 'date-time' })
  updated_at: string;

  @ApiProperty({ format: 'date-time', nullable: true, type: String })
  disabled_at: string | null;
}
