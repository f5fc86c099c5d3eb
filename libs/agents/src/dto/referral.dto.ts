import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsInt, IsOptional, Max, Min, NotEquals } from 'class-validator';
import { PageQueryDto } from '@refos/platform';
import { AGENT_REFERRAL_STATUSES } from '../agent-referral.entity';
import { SignedRequestDto } from './signed.dto';

export const MAX_CODE_USES = 1_000_000;

export class CreateReferralCodeDto extends SignedRequestDto {
  @ApiPropertyOptional({
    example: 10,
    description: `Maximum uses, 1–${MAX_CODE_USES}, or -1 for unlimited. Default: unlimited. Signed as null when absent`,
    nullable: true,
  })
  @IsOptional()
  @IsInt()
  @Min(-1)
  @NotEquals(0, { message: 'max_uses must be -1 (unlimited) or at least 1' })
  @Max(MAX_CODE_USES)
  max_uses?: number | null;

  @ApiPropertyOptional({
    example: 1767225600000,
    description: 'Expiry (Unix ms), in the future and at most 365 days ahead. Default: 30 days after creation. Signed as null when absent',
    nullable: true,
  })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(Number.MAX_SAFE_INTEGER)
  expires_at?: number | null;
}

export class CreatedReferralCodeDto {
  @ApiProperty({ example: 'ABC123XY' })
  code: string;

  @ApiProperty({ example: 10, description: '-1 = unlimited' })
  max_uses: number;

  @ApiProperty({ example: 1767225600000 })
  expires_at: number;

  @ApiProperty({ example: 1764849600000 })
  created_at: number;
}

export const REFERRAL_CODE_VIEW_STATUSES = ['active', 'expired', 'exhausted', 'disabled'] as const;

export class ReferralCodeDto extends CreatedReferralCodeDto {
  @ApiProperty({ example: 8, description: 'max_uses minus uses so far; -1 when unlimited' })
  uses_remaining: number;

  @ApiProperty({ enum: REFERRAL_CODE_VIEW_STATUSES, example: 'active', description: '`disabled` by its owner, else `expired`, `exhausted` (no uses left) or `active`' })
  status: string;
}

export class ReferralCodeListDto {
  @ApiProperty({ type: [ReferralCodeDto] })
  codes: ReferralCodeDto[];
}

export class MessageDto {
  @ApiProperty({ example: 'Referral code disabled' })
  message: string;
}

export class ReferralDto {
  @ApiProperty({ example: 'ref_4fJ9kQ2mX7pL1sT8' })
  referral_id: string;

  @ApiProperty({ example: 'did:web:agents.example.com:agent:9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d' })
  referred_did: string;

  @ApiProperty({ example: 'ABC123XY', nullable: true, type: String, description: 'null when the referrer was given as a DID' })
  referral_code: string | null;

  @ApiProperty({ enum: AGENT_REFERRAL_STATUSES, example: 'active' })
  status: string;

  @ApiProperty({ example: 1764849600000 })
  created_at: number;

  @ApiProperty({ example: 1765454400000, nullable: true, type: Number })
  activated_at: number | null;
}

export class ReferralPageDto {
  @ApiProperty({ type: [ReferralDto] })
  referrals: ReferralDto[];

  @ApiProperty({ example: 5 })
  total: number;

  @ApiProperty({ example: 20 })
  limit: number;

  @ApiProperty({ example: 0 })
  offset: number;
}

export class ListReferralsQueryDto extends PageQueryDto {}

export class ReferralStatsDto {
  @ApiProperty({ example: 10 })
  total_referrals: number;

  @ApiProperty({ example: 7 })
  active_referrals: number;

  @ApiProperty({ example: 3 })
  pending_referrals: number;

  @ApiProperty({ example: 14, description: 'min(active_referrals × 2, 20)' })
  referral_bonus_points: number;

  @ApiProperty({ example: 3 })
  codes_created: number;

  @ApiProperty({ example: 2 })
  codes_active: number;
}

export class PublicReferralStatsDto {
  @ApiProperty({ example: 10 })
  total_referrals: number;

  @ApiProperty({ example: 7 })
  active_referrals: number;
}
