import { Module } from '@nestjs/common';
import { PassportModule } from '@nestjs/passport';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ApiKey } from './api-key.entity';
import { ApiKeyStrategy } from './api-key.strategy';
import { ApiKeysController } from './api-keys.controller';
import { ApiKeysService } from './api-keys.service';
import { AuthController } from './auth.controller';
import { farcasterConnectorProvider } from './farcaster-connector';
import { PurgeSignInRecordsJob } from './purge-sign-in-records.job';
import { Session } from './session.entity';
import { SessionStrategy } from './session.strategy';
import { SessionsService } from './sessions.service';
import { SiwfNonce } from './siwf-nonce.entity';
import { SiwfService } from './siwf.service';
import { Tenant } from './tenant.entity';
import { TenantsController } from './tenants.controller';
import { TenantsService } from './tenants.service';
import { User } from './user.entity';
import { UsersService } from './users.service';
import { WhoamiController } from './whoami.controller';

/**
 * Tenants, their users and API keys, Sign In With Farcaster sessions, and the two strategies (bearer
 * key, session cookie) the platform's guard authenticates tenant callers with.
 */
@Module({
  imports: [PassportModule, TypeOrmModule.forFeature([Tenant, ApiKey, User, Session, SiwfNonce])],
  controllers: [TenantsController, ApiKeysController, WhoamiController, AuthController],
  providers: [
    TenantsService,
    ApiKeysService,
    ApiKeyStrategy,
    UsersService,
    SessionsService,
    SiwfService,
    SessionStrategy,
    farcasterConnectorProvider,
    PurgeSignInRecordsJob,
  ],
  exports: [TenantsService, ApiKeysService, UsersService, SessionsService],
})
export class IdentityModule {}
