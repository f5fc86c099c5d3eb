export { IdentityModule } from './identity.module';
export { TenantsService } from './tenants.service';
export { ApiKeysService } from './api-keys.service';
export { TenantDto, TenantSettingsDto } from './dto/tenant.dto';
export { ApiKeyDto, CreatedApiKeyDto } from './dto/api-key.dto';
