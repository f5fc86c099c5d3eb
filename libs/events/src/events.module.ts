import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AppsModule } from '@refos/apps';
import { LinksModule } from '@refos/links';
import { ConversionJob } from './conversion-job.entity';
import { Event } from './event.entity';
import { EventReferences } from './event-references';
import { EventWriter } from './event-writer';
import { EventsController } from './events.controller';
import { EventsHotHandler } from './events.hot-handler';
import { EventsService } from './events.service';

/** Event ingestion: /api/v1/events and /api/v1/events/batch, group-committed, with the conversion outbox. */
@Module({
  imports: [TypeOrmModule.forFeature([Event, ConversionJob]), AppsModule, LinksModule],
  controllers: [EventsController],
  providers: [EventsService, EventWriter, EventReferences, EventsHotHandler],
  exports: [EventsService, EventsHotHandler],
})
export class EventsModule {}
