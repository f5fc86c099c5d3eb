import { Module } from '@nestjs/common';
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
  providers: [AppsService, CampaignsService],
  exports: [AppsService, CampaignsService],
})
export class AppsModule {}
