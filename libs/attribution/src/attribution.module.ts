import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AppsModule } from '@refos/apps';
import { ConversionJob } from '@refos/events';
import { Conversion } from './conversion.entity';
import { ConversionDeriver } from './conversion-deriver';
import { ConversionJobsController } from './conversion-jobs.controller';
import { ConversionJobsService } from './conversion-jobs.service';
import { ConversionQueue } from './conversion-queue';
import { InternalJobsController } from './internal-jobs.controller';
import { ProcessConversionsJob } from './process-conversions.job';
import { CampaignReportsController } from './reports/campaign-reports.controller';
import { CampaignLinkClicks } from './reports/campaign-link-clicks.entity';
import { CampaignReportsService } from './reports/campaign-reports.service';
import { CampaignSessionStep } from './reports/campaign-session-step.entity';
import { TraceController } from './trace/trace.controller';
import { TraceService } from './trace/trace.service';

/**
 * Works the conversion queue (each completed conversion derived once, with first-touch and last-click
 * credit) and reads the result back: campaign reports and traces.
 */
@Module({
  imports: [TypeOrmModule.forFeature([Conversion, ConversionJob, CampaignSessionStep, CampaignLinkClicks]), AppsModule],
  controllers: [InternalJobsController, ConversionJobsController, CampaignReportsController, TraceController],
  providers: [ConversionDeriver, ConversionQueue, ConversionJobsService, ProcessConversionsJob, CampaignReportsService, TraceService],
  exports: [ConversionQueue],
})
export class AttributionModule {}
