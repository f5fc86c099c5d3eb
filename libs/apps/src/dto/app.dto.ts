import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { PageQueryDto } from '@refos/platform';
import { IsIn, IsInt, IsOptional, IsString, Length, Max, Min } from 'class-validator';
import { APP_STATUSES, AppStatus } from '../app.entity';

/** A week: long enough to redeploy every client, short enough that a leaked key does not linger. */
export const MAX_GRACE_PERIOD_MINUTES = 10_080;

export class CreateAppDto {
  @ApiProperty({ example: 'Onchain Quests mini app', minLength: 1, maxLength: 120 })
  @IsString()
  @Length(1, 120)
  name: string;
}

export class UpdateAppDto {
  @ApiProperty({ example: 'Onchain Quests', minLength: 1, maxLength: 120 })
  @IsString()
  @Length(1, 120)
  name: string;
}

export class RotateAppCredentialsDto {
  @ApiPropertyOptional({
    minimum: 0,
    maximum: MAX_GRACE_PERIOD_MINUTES,
    default: 0,
    example: 30,
    description: 'Minutes during which the previous api_key and server_secret still authenticate. 0 (default): they stop at once.',
  })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(MAX_GRACE_PERIOD_MINUTES)
  grace_period_minutes?: number;
}

export class ListAppsQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ enum: APP_STATUSES, description: 'Only apps in this status' })
  @IsOptional()
  @IsIn(APP_STATUSES)
  status?: AppStatus;
}

export class AppDto {
  @ApiProperty({ format: 'uuid', example: '3f0b1c2d-4e5f-4a6b-8c7d-9e0f1a2b3c4d' })
  id: string;

  @ApiProperty({ example: 'Onchain Quests mini app' })
  name: string;

  @ApiProperty({ enum: APP_STATUSES, example: 'active' })
  status: AppStatus;

  @ApiProperty({ example: 'Qz8mK2pLx4Nw', description: 'Public part of the current api_key, to recognise it; never the key itself' })
  api_key_prefix: string;

  @ApiProperty({
    format: 'date-time',
    nullable: true,
    type: String,
    description: 'While set, the credentials replaced by the last rotation still authenticate until this time',
  })
  previous_credentials_expire_at: string | null;

  @ApiProperty({ format: 'date-time' })
  created_at: string;

  @ApiProperty({ format: 'date-time' })
  updated_at: string;

  @ApiProperty({ format: 'date-time', nullable: true, type: String })
  archived_at: string | null;
}

export class AppWithCredentialsDto extends AppDto {
  @ApiProperty({
    example: 'rk_Qz8mK2pLx4Nw_7hT2vN9qR4sW1xY6zA3bC5dE8fG0jK2mP',
    description: 'The app\'s API key (`x-api-key`) for SDKs and clients. Shown this once: only its hash is stored.',
  })
  api_key: string;

  @ApiProperty({
    example: 'rss_4kD9sLq2Wm7Xn1Bv8Cz3Ht6Jy0Rf5Gp2Ua9Ke4Mi',
    description: 'The app\'s server secret (`x-server-secret`) for trusted server-side conversions. Shown this once: only its hash is stored. Keep it off clients.',
  })
  server_secret: string;
}

/** What `AppsService.getAppRef` answers: enough for another module to check an app it was given. */
export interface AppRef {
  id: string;
  tenantId: string;
  status: AppStatus;
}
