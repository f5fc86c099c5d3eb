import type { NestExpressApplication } from '@nestjs/platform-express';
import { RedirectHandler } from '@refos/links';

/** Requests answered by the node:http server ahead of Express and Nest: the referral redirect. */
export function mountHotRoutes(app: NestExpressApplication): void {
  app.get(RedirectHandler).mount(app.getHttpServer());
}
