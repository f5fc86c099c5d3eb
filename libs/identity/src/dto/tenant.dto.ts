import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsInt, IsObject, IsOptional, IsString, IsUrl, Length, Max, MaxLength, Min, ValidateNested } from 'class-validator';

export class TenantSettingsDto {
  @ApiPropertyOptional({ minimum: 1, maximum: 365, example: 30, description: 'Attribution lookback window in days (default 30)' })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(365)
  attribution_lookback_days?: number;

  @ApiPropertyOptional({
    example: 'https://acme.example/welcome',
    description: 'Where /r/:code sends visitors of an unknown or disabled link instead of a 404',
  })
  @IsOptional()
  @IsUrl({ protocols: ['https'], require_protocol: true })
  @MaxLength(2048)
  fallback_url?: string;

  @ApiPropertyOptional({
    type: [String],
    example: ['Referral OS Admins'],
    description: 'SCIM groups (displayName, case-insensitive) whose members get the `admin` role; other SCIM-provisioned users are `member`s',
  })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(50)
  @IsString({ each: true })
  @Length(1, 255, { each: true })
  scim_admin_groups?: string[];
}

export class CreateTenantDto {
  @ApiProperty({ example: 'Acme Inc.', minLength: 1, maxLength: 120 })
  @IsString()
  @Length(1, 120)
  name: string;

  @ApiPropertyOptional({ type: TenantSettingsDto })
  @IsOptional()
  @IsObject()
  @ValidateNested()
  @Type(() => TenantSettingsDto)
  settings?: TenantSettingsDto;
}

export class UpdateTenantDto {
  @ApiPropertyOptional({ example: 'Acme Corporation', minLength: 1, maxLength: 120 })
  @IsOptional()
  @IsString()
  @Length(1, 120)
  name?: string;

  @ApiPropertyOptional({ type: TenantSettingsDto, description: 'Merged into the current settings' })
  @IsOptional()
  @IsObject()
  @ValidateNested()
  @Type(() => TenantSettingsDto)
  settings?: TenantSettingsDto;
}

export class TenantDto {
  @ApiProperty({ format: 'uuid', example: '5b0e2c57-8f1e-4c43-9a37-0c9e7d6b1a10' })
  id: string;

  @ApiProperty({ example: 'Acme Inc.' })
  name: string;

  @ApiProperty({ type: TenantSettingsDto, example: { attribution_lookback_days: 30 } })
  settings: TenantSettingsDto;

  @ApiProperty({ format: 'date-time' })
  created_at: string;

  @ApiProperty({ format: 'date-time' })
  updated_at: string;
}
