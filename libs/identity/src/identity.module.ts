import { Module } from '@nestjs/common';
import { PassportModule } from '@nestjs/passport';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ApiKey } from './api-key.entity';
import { ApiKeyStrategy } from './api-key.strategy';
import { ApiKeysController } from './api-keys.controller';
import { ApiKeysService } from './api-keys.service';
import { Tenant } from './tenant.entity';
import { TenantsController } from './tenants.controller';
import { TenantsService } from './tenants.service';
import { WhoamiController } from './whoami.controller';

/** Tenants, their API keys and the bearer strategy the platform's guard authenticates them with. */
@Module({
  imports: [PassportModule, TypeOrmModule.forFeature([Tenant, ApiKey])],
  controllers: [TenantsController, ApiKeysController, WhoamiController],
  providers: [TenantsService, ApiKeysService, ApiKeyStrategy],
  exports: [TenantsService, ApiKeysService],
})
export class IdentityModule {}
