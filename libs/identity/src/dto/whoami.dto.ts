import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ApiKeyDto } from './api-key.dto';
import { SessionInfoDto, UserDto } from './auth.dto';
import { TenantDto } from './tenant.dto';
import { CreatedApiKeyDto } from './api-key.dto';

export class WhoamiDto {
  @ApiProperty({ type: TenantDto })
  tenant: TenantDto;

  @ApiPropertyOptional({ type: ApiKeyDto, description: 'The key that authenticated this request (API-key requests)' })
  api_key?: ApiKeyDto;

  @ApiPropertyOptional({ type: UserDto, description: 'The signed-in user\'s membership of this tenant (session requests)' })
  user?: UserDto;

  @ApiPropertyOptional({ type: SessionInfoDto, description: 'The session that authenticated this request (session requests)' })
  session?: SessionInfoDto;
}

export class CreatedTenantDto {
  @ApiProperty({ type: TenantDto })
  tenant: TenantDto;

  @ApiProperty({ type: CreatedApiKeyDto, description: 'The tenant\'s first key, with the `admin` scope; shown once' })
  api_key: CreatedApiKeyDto;
}
