export { EventsModule } from './events.module';
export { EventsHotHandler } from './events.hot-handler';
export { EventsService, EVENT_STORED, MAX_EVENTS_PER_BATCH } from './events.service';
export type { StoredEvent } from './events.service';
export { Event } from './event.entity';
export { ConversionJob, CONVERSION_JOB_STATUSES } from './conversion-job.entity';
export type { ConversionJobStatus } from './conversion-job.entity';
export { CLIENT_EVENTS, CONVERSION_COMPLETED_EVENTS, CONVERSION_STARTED_EVENTS } from './event-catalog';
export type { EventCategory } from './event-catalog';
