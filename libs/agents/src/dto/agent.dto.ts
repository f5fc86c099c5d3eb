import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsObject, IsOptional, IsString, IsUrl, Length, Matches, MaxLength, ValidateNested } from 'class-validator';
import { TIER_NAMES } from '../tier';
import { EXAMPLE_DID, EXAMPLE_PUBLIC_KEY } from '../signing-examples';
import { HEX_PUBLIC_KEY, SignedRequestDto } from './signed.dto';

export class CapabilityDto {
  @ApiProperty({ example: 'coding', maxLength: 64 })
  @IsString()
  @Length(1, 64)
  type: string;

  @ApiPropertyOptional({ example: 'TypeScript and Go', maxLength: 500 })
  @IsOptional()
  @IsString()
  @MaxLength(500)
  description?: string;
}

export class AgentProfileDto {
  @ApiProperty({ example: 'My Agent', maxLength: 100 })
  @IsString()
  @Length(1, 100)
  name: string;

  @ApiPropertyOptional({ example: 'Reviews pull requests', maxLength: 2000, nullable: true, description: 'Signed as null when absent' })
  @IsOptional()
  @IsString()
  @MaxLength(2000)
  description?: string | null;

  @ApiPropertyOptional({ type: [CapabilityDto], maxItems: 50, description: 'Signed as [] when absent' })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(50)
  @ValidateNested({ each: true })
  @Type(() => CapabilityDto)
  capabilities?: CapabilityDto[] | null;

  @ApiPropertyOptional({ type: [String], example: ['typescript'], maxItems: 50, description: 'Signed as [] when absent' })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(50)
  @IsString({ each: true })
  @Length(1, 64, { each: true })
  tags?: string[] | null;

  @ApiPropertyOptional({ example: 'https://agent.example', nullable: true, description: 'http(s) URL; signed as null when absent' })
  @IsOptional()
  @IsUrl({ protocols: ['http', 'https'], require_protocol: true, require_tld: false })
  @MaxLength(2048)
  website?: string | null;

  @ApiPropertyOptional({ example: 'https://agent.example/avatar.png', nullable: true, description: 'http(s) URL; signed as null when absent' })
  @IsOptional()
  @IsUrl({ protocols: ['http', 'https'], require_protocol: true, require_tld: false })
  @MaxLength(2048)
  avatar?: string | null;
}

export class RegisterAgentDto extends SignedRequestDto {
  @ApiProperty({ example: EXAMPLE_PUBLIC_KEY, description: 'Ed25519 public key, 64 hex digits; one agent per key' })
  @IsString()
  @Matches(HEX_PUBLIC_KEY, { message: 'public_key must be 64 hex digits (an Ed25519 public key)' })
  public_key: string;

  @ApiProperty({ type: AgentProfileDto })
  @IsObject()
  @ValidateNested()
  @Type(() => AgentProfileDto)
  profile: AgentProfileDto;

  @ApiPropertyOptional({ example: 'ABC123XY', description: 'A referral code, or the referrer\'s DID', maxLength: 200 })
  @IsOptional()
  @IsString()
  @Length(1, 200)
  referrer?: string | null;
}

export class AuthenticateAgentDto extends SignedRequestDto {
  @ApiProperty({ example: EXAMPLE_PUBLIC_KEY, description: 'The registered agent\'s Ed25519 public key' })
  @IsString()
  @Matches(HEX_PUBLIC_KEY, { message: 'public_key must be 64 hex digits (an Ed25519 public key)' })
  public_key: string;
}

export class AgentTokenDto {
  @ApiProperty({ example: EXAMPLE_DID })
  did: string;

  @ApiProperty({ example: 'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIuLi4ifQ.c2lnbmF0dXJl', description: 'Bearer JWT (HS256)' })
  token: string;

  @ApiProperty({ example: 1764936000000, description: 'When the token expires (Unix ms)' })
  expires_at: number;
}

export class AgentProfileViewDto {
  @ApiProperty({ example: 'My Agent' })
  name: string;

  @ApiProperty({ example: 'Reviews pull requests', nullable: true, type: String })
  description: string | null;

  @ApiProperty({ type: [CapabilityDto] })
  capabilities: CapabilityDto[];

  @ApiProperty({ type: [String], example: ['typescript'] })
  tags: string[];

  @ApiProperty({ example: 'https://agent.example', nullable: true, type: String })
  website: string | null;

  @ApiProperty({ example: null, nullable: true, type: String })
  avatar: string | null;
}

export class AgentDto {
  @ApiProperty({ example: EXAMPLE_DID })
  did: string;

  @ApiProperty({ example: EXAMPLE_PUBLIC_KEY })
  public_key: string;

  @ApiProperty({ type: AgentProfileViewDto })
  profile: AgentProfileViewDto;

  @ApiProperty({ example: 5, description: 'Reputation points: +5 when this agent\'s own referral activated' })
  reputation: number;

  @ApiProperty({ enum: TIER_NAMES, example: 'silver', description: 'From effective_reviews: new 0, bronze ≥ 1, silver ≥ 5, gold ≥ 20, platinum ≥ 50' })
  tier: string;

  @ApiProperty({ example: 3, description: 'Reviews received' })
  review_count: number;

  @ApiProperty({ example: 4.67, nullable: true, type: Number, description: 'Mean rating, 2 decimals; null without reviews' })
  average_rating: number | null;

  @ApiProperty({ example: 7, description: 'review_count + min(active_referrals, 10) × 2' })
  effective_reviews: number;

  @ApiProperty({ example: 1764849600000, description: 'Registration time (Unix ms)' })
  created_at: number;
}
