import { ApiProperty } from '@nestjs/swagger';
import { IsInt, IsString, Matches, Max, Min } from 'class-validator';

export const HEX_PUBLIC_KEY = /^[0-9a-fA-F]{64}$/;
export const HEX_SIGNATURE = /^[0-9a-fA-F]{128}$/;

/** The two fields every signed request carries. */
export class SignedRequestDto {
  @ApiProperty({ example: 1764849600000, description: 'Unix milliseconds; within ±5 minutes of the server clock' })
  @IsInt()
  @Min(0)
  @Max(Number.MAX_SAFE_INTEGER)
  timestamp: number;

  @ApiProperty({
    example: 'a1'.repeat(64),
    description: 'Ed25519 signature (128 hex digits) of the canonical JSON (RFC 8785) of the signature message',
  })
  @IsString()
  @Matches(HEX_SIGNATURE, { message: 'signature must be 128 hex digits (an Ed25519 signature)' })
  signature: string;
}
