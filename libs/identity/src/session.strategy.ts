import { Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import { readCookie, SESSION_COOKIE, TENANT_SESSION_STRATEGY, TenantPrincipal } from '@refos/platform';
import type { Request } from 'express';
import { Strategy as PassportBaseStrategy } from 'passport';
import { SessionsService } from './sessions.service';

type Verify = (req: Request, done: (error: unknown, principal?: unknown) => void) => void;

/** Hands the whole request to `verify` (what passport-custom does, without the extra dependency). */
class RequestStrategy extends PassportBaseStrategy {
  constructor(private readonly verify: Verify) {
    super();
  }

  override authenticate(req: Request): void {
    this.verify(req, (error, principal) => {
      if (error) this.error(error as Error);
      else if (principal) this.success(principal);
      else this.fail(401);
    });
  }
}

/** The `refos_session` cookie → the principal of the user in the chosen tenant (passport answers 401 on null). */
@Injectable()
export class SessionStrategy extends PassportStrategy(RequestStrategy, TENANT_SESSION_STRATEGY) {
  constructor(private readonly sessions: SessionsService) {
    super();
  }

  async validate(req: Request): Promise<TenantPrincipal | null> {
    const tenant = req.headers['x-tenant-id'];
    return this.sessions.authenticate(readCookie(req, SESSION_COOKIE), typeof tenant === 'string' ? tenant : undefined);
  }
}
