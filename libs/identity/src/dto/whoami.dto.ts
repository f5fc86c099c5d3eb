import { ApiProperty } from '@nestjs/swagger';
import { ApiKeyDto } from './api-key.dto';
import { TenantDto } from './tenant.dto';
import { CreatedApiKeyDto } from './api-key.dto';

export class WhoamiDto {
  @ApiProperty({ type: TenantDto })
  tenant: TenantDto;

  @ApiProperty({ type: ApiKeyDto, description: 'The key that authenticated this request' })
  api_key: ApiKeyDto;
}

export class CreatedTenantDto {
  @ApiProperty({ type: TenantDto })
  tenant: TenantDto;

  @ApiProperty({ type: CreatedApiKeyDto, description: 'The tenant\'s first key, with the `admin` scope; shown once' })
  api_key: CreatedApiKeyDto;
}
