import type { NestExpressApplication } from '@nestjs/platform-express';
import { EventsHotHandler } from '@refos/events';
import { RedirectHandler } from '@refos/links';

/** Requests answered by the node:http server ahead of Express and Nest: the referral redirect and single-event ingestion. */
export function mountHotRoutes(app: NestExpressApplication): void {
  app.get(RedirectHandler).mount(app.getHttpServer());
  app.get(EventsHotHandler).mount(app.getHttpServer());
}
