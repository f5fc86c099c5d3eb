import { API_KEY_SCOPES, ApiKeyScope } from '@refos/platform';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMinSize, ArrayUnique, IsArray, IsDateString, IsIn, IsOptional, IsString, Length } from 'class-validator';

export class CreateApiKeyDto {
  @ApiProperty({ example: 'CI deploys', minLength: 1, maxLength: 120 })
  @IsString()
  @Length(1, 120)
  name: string;

  @ApiProperty({
    enum: API_KEY_SCOPES,
    isArray: true,
    example: ['read'],
    description: '`admin`: every management endpoint (includes `read`); `read`: reports and GETs; `scim`: /scim/v2 only',
  })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayUnique()
  @IsIn(API_KEY_SCOPES, { each: true })
  scopes: ApiKeyScope[];

  @ApiPropertyOptional({ format: 'date-time', example: '2027-01-01T00:00:00Z', description: 'The key stops working after this time' })
  @IsOptional()
  @IsDateString({ strict: true })
  expires_at?: string;
}

export class ApiKeyDto {
  @ApiProperty({ format: 'uuid', example: '0f6c1f0e-7a53-4d0b-b2b4-8b7f8c0d2e11' })
  id: string;

  @ApiProperty({ example: 'CI deploys' })
  name: string;

  @ApiProperty({ example: 'x7Kp2QmA9bCd', description: 'Public part of the key, shown in lists to recognise it' })
  prefix: string;

  @ApiProperty({ enum: API_KEY_SCOPES, isArray: true, example: ['read'] })
  scopes: ApiKeyScope[];

  @ApiProperty({ format: 'date-time' })
  created_at: string;

  @ApiProperty({ format: 'date-time', nullable: true, type: String })
  expires_at: string | null;

  @ApiProperty({ format: 'date-time', nullable: true, type: String, description: 'Updated at most once a minute' })
  last_used_at: string | null;
}

export class CreatedApiKeyDto extends ApiKeyDto {
  @ApiProperty({
    example: 'dlk_x7Kp2QmA9bCd_3vJ9sQ0wLr8TzN4yH6aB1cD2eF5gK7mP',
    description: 'The whole key. Shown this once: only its hash is stored.',
  })
  key: string;
}
