import { Module } from '@nestjs/common';
import { APP_KEY_AUTHENTICATOR } from '@refos/platform';
import { AppCredentialsCache } from './app-credentials.cache';
import { TypeOrmModule } from '@nestjs/typeorm';
import { App } from './app.entity';
import { AppsController } from './apps.controller';
import { AppsService } from './apps.service';
import { Campaign } from './campaign.entity';
import { CampaignsController } from './campaigns.controller';
import { CampaignsService } from './campaigns.service';

/** Tenants' client apps with their one-time credentials, and the apps' campaigns. */
@Module({
  imports: [TypeOrmModule.forFeature([App, Campaign])],
  controllers: [AppsController, CampaignsController],
  providers: [AppsService, CampaignsService, AppCredentialsCache, { provide: APP_KEY_AUTHENTICATOR, useExisting: AppCredentialsCache }],
  exports: [AppsService, CampaignsService, AppCredentialsCache],
})
export class AppsModule {}
