import { CallHandler, ExecutionContext, Inject, Injectable, NestInterceptor } from '@nestjs/common';
import { APP_CONFIG, AppConfig, RateLimiter, TenantPrincipal } from '@refos/platform';
import type { Response } from 'express';
import { Observable } from 'rxjs';
import { SCIM_CONTENT_TYPE } from './scim-schemas';

const WINDOW_MS = 60_000;

/**
 * Every /scim/v2 request: counted against its tenant's per-minute limit (shared by all the tenant's
 * SCIM keys and, with REDIS_URL, all instances), answered as application/scim+json.
 */
@Injectable()
export class ScimInterceptor implements NestInterceptor {
  constructor(
    private readonly limiter: RateLimiter,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async intercept(context: ExecutionContext, next: CallHandler): Promise<Observable<unknown>> {
    const http = context.switchToHttp();
    const principal = http.getRequest<{ principal: TenantPrincipal }>().principal;
    await this.limiter.hit(`scim:${principal.tenantId}`, this.config.scimRateLimitPerTenant, WINDOW_MS);
    http.getResponse<Response>().setHeader('Content-Type', `${SCIM_CONTENT_TYPE}; charset=utf-8`);
    return next.handle();
  }
}
