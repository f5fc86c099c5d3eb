import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ConversionJob } from '@refos/events';
import { Conversion } from './conversion.entity';
import { ConversionDeriver } from './conversion-deriver';
import { ConversionJobsController } from './conversion-jobs.controller';
import { ConversionJobsService } from './conversion-jobs.service';
import { ConversionQueue } from './conversion-queue';
import { InternalJobsController } from './internal-jobs.controller';
import { ProcessConversionsJob } from './process-conversions.job';

/** Works the conversion queue: each completed conversion derived once, with first-touch and last-click credit. */
@Module({
  imports: [TypeOrmModule.forFeature([Conversion, ConversionJob])],
  controllers: [InternalJobsController, ConversionJobsController],
  providers: [ConversionDeriver, ConversionQueue, ConversionJobsService, ProcessConversionsJob],
  exports: [ConversionQueue],
})
export class AttributionModule {}
