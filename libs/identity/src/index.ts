export { IdentityModule } from './identity.module';
export { SCIM_ADMIN_GROUPS_CHANGED, TenantsService } from './tenants.service';
export { ApiKeysService } from './api-keys.service';
export { TenantDto, TenantSettingsDto } from './dto/tenant.dto';
export { ApiKeyDto, CreatedApiKeyDto } from './dto/api-key.dto';
export { UsersService, Membership } from './users.service';
export { SessionsService } from './sessions.service';
export { FARCASTER_CONNECTOR, FarcasterConnector } from './farcaster-connector';
export { UserDto, SessionDto } from './dto/auth.dto';
