import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, Length, Matches, MaxLength } from 'class-validator';
import { USER_ROLES, UserRole } from '../user.entity';

const EXAMPLE_MESSAGE = [
  'app.example.com wants you to sign in with your Ethereum account:',
  '0x8ba1f109551bD432803012645Ac136ddd64DBA72',
  '',
  'Farcaster Auth',
  '',
  'URI: https://app.example.com',
  'Version: 1',
  'Chain ID: 10',
  'Nonce: q8Xb2MdKp4TzWn7YcR3vJhLs',
  'Issued At: 2026-11-22T12:00:00.000Z',
  'Resources:',
  '- farcaster://fid/1234',
].join('\n');

export class NonceDto {
  @ApiProperty({ example: 'q8Xb2MdKp4TzWn7YcR3vJhLs', description: 'Put it in the SIWE message; it works for one sign-in attempt' })
  nonce: string;

  @ApiProperty({ format: 'date-time', example: '2026-11-22T12:10:00.000Z' })
  expires_at: string;
}

export class SignInDto {
  @ApiProperty({
    example: EXAMPLE_MESSAGE,
    description:
      'The EIP-4361 message as signed (string form): domain = SIWF_DOMAIN, URI on a trusted origin, statement "Farcaster Auth", ' +
      'chain id 10, a nonce from GET /api/auth/nonce, issued within the last 10 minutes, one `farcaster://fid/<fid>` resource',
    maxLength: 4096,
  })
  @IsString()
  @Length(1, 4096)
  message: string;

  @ApiProperty({ example: `0x${'ab'.repeat(65)}`, description: 'The signature by the FID\'s custody address or one of its auth addresses' })
  @IsString()
  @Matches(/^0x[0-9a-fA-F]{2,4096}$/, { message: 'signature must be 0x-prefixed hex' })
  signature: string;

  @ApiPropertyOptional({ example: 'q8Xb2MdKp4TzWn7YcR3vJhLs', description: 'If sent, must equal the nonce inside the message' })
  @IsOptional()
  @IsString()
  @MaxLength(64)
  nonce?: string;

  @ApiPropertyOptional({
    example: 'alice',
    description: 'Farcaster username as the client got it from the relay; a display hint, not verified by the server',
  })
  @IsOptional()
  @Matches(/^[a-z0-9][a-z0-9-]{0,15}(\.eth)?$/, { message: 'username must be a Farcaster username such as "alice" or "alice.eth"' })
  username?: string;

  @ApiPropertyOptional({ example: 'Alice', maxLength: 120, description: 'Display name hint, not verified' })
  @IsOptional()
  @IsString()
  @Length(1, 120)
  display_name?: string;
}

export class SessionUserDto {
  @ApiProperty({ example: 1234 })
  fid: number;

  @ApiProperty({ example: 'alice', nullable: true, type: String })
  username: string | null;

  @ApiProperty({ example: 'Alice', nullable: true, type: String })
  display_name: string | null;
}

export class SessionTenantDto {
  @ApiProperty({ format: 'uuid', example: '5b0e2c57-8f1e-4c43-9a37-0c9e7d6b1a10' })
  id: string;

  @ApiProperty({ example: '@alice' })
  name: string;

  @ApiProperty({ enum: USER_ROLES, example: 'owner', description: '`owner` and `admin` manage everything; `member` reads' })
  role: UserRole;

  @ApiProperty({ example: true, description: 'The tenant used when a request sends no `X-Tenant-Id` header (the user\'s own)' })
  default: boolean;
}

export class SessionInfoDto {
  @ApiProperty({ format: 'uuid', example: '7d2f6e4a-1c3b-4f8e-9a0d-2b5c8e1f7a63' })
  id: string;

  @ApiProperty({ format: 'date-time' })
  created_at: string;

  @ApiProperty({ format: 'date-time', example: '2026-12-06T12:00:00.000Z' })
  expires_at: string;
}

export class SessionDto {
  @ApiProperty({ type: SessionUserDto })
  user: SessionUserDto;

  @ApiProperty({ type: SessionTenantDto, isArray: true, description: 'Tenants where the user is an active member' })
  tenants: SessionTenantDto[];

  @ApiProperty({ type: SessionInfoDto })
  session: SessionInfoDto;
}

export class UserDto {
  @ApiProperty({ format: 'uuid', example: '3c9a1e7b-5d2f-4a8c-b6e0-9f1d4c7a2b58' })
  id: string;

  @ApiProperty({ example: 1234, nullable: true, type: Number })
  fid: number | null;

  @ApiProperty({ example: 'alice', nullable: true, type: String })
  username: string | null;

  @ApiProperty({ example: 'Alice', nullable: true, type: String })
  display_name: string | null;

  @ApiProperty({ enum: USER_ROLES, example: 'owner' })
  role: UserRole;

  @ApiProperty({ example: true })
  active: boolean;
}
