import { Controller, Get } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Auth, CurrentPrincipal, TenantPrincipal } from '@refos/platform';
import { ApiKeysService } from './api-keys.service';
import { WhoamiDto } from './dto/whoami.dto';
import { TenantsService } from './tenants.service';

@ApiTags('tenants')
@Controller('api/v1/whoami')
export class WhoamiController {
  constructor(
    private readonly tenants: TenantsService,
    private readonly apiKeys: ApiKeysService,
  ) {}

  @Get()
  @Auth('tenant', { scope: 'any' })
  @ApiOperation({ summary: 'The tenant and key behind this request', description: 'Works with a key of any scope.' })
  @ApiOkResponse({ type: WhoamiDto })
  async whoami(@CurrentPrincipal() principal: TenantPrincipal): Promise<WhoamiDto> {
    const [tenant, apiKey] = await Promise.all([
      this.tenants.get(principal.tenantId),
      this.apiKeys.get(principal.tenantId, principal.credentialId!),
    ]);
    return { tenant, api_key: apiKey };
  }
}
