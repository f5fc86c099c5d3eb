import { Controller, Get } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Auth, CurrentPrincipal, TenantPrincipal } from '@refos/platform';
import { ApiKeysService } from './api-keys.service';
import { WhoamiDto } from './dto/whoami.dto';
import { SessionsService } from './sessions.service';
import { TenantsService } from './tenants.service';
import { UsersService } from './users.service';

@ApiTags('tenants')
@Controller('api/v1/whoami')
export class WhoamiController {
  constructor(
    private readonly tenants: TenantsService,
    private readonly apiKeys: ApiKeysService,
    private readonly users: UsersService,
    private readonly sessions: SessionsService,
  ) {}

  @Get()
  @Auth('tenant', { scope: 'any' })
  @ApiOperation({
    summary: 'The tenant and credential behind this request',
    description: 'Works with a key of any scope (answers `api_key`) or a session cookie (answers `user` and `session`).',
  })
  @ApiOkResponse({ type: WhoamiDto })
  async whoami(@CurrentPrincipal() principal: TenantPrincipal): Promise<WhoamiDto> {
    if (principal.kind === 'session') {
      const [tenant, user, session] = await Promise.all([
        this.tenants.get(principal.tenantId),
        this.users.get(principal.tenantId, principal.userId!),
        this.sessions.get(principal.credentialId!),
      ]);
      return { tenant, user, session };
    }
    const [tenant, apiKey] = await Promise.all([
      this.tenants.get(principal.tenantId),
      this.apiKeys.get(principal.tenantId, principal.credentialId!),
    ]);
    return { tenant, api_key: apiKey };
  }
}
