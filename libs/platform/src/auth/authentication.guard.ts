import { CanActivate, ExecutionContext, Inject, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AuthGuard as PassportAuthGuard } from '@nestjs/passport';
import type { Request } from 'express';
import { DomainError } from '../errors/domain-error';
import { constantTimeEqual } from '../crypto/crypto';
import { AUTH_METADATA, AuthRequirement } from './auth.decorators';
import { hasScope, OPERATOR_PRINCIPAL, Principal } from './principal';

/** Passport strategy names a domain module registers to authenticate tenant callers. */
export const TENANT_API_KEY_STRATEGY = 'tenant-api-key';

export const OPERATOR_TOKEN = Symbol('OPERATOR_TOKEN');

const DEFAULT_REQUIREMENT: AuthRequirement = { kind: 'tenant', scope: 'admin' };

class TenantCredentialGuard extends PassportAuthGuard([TENANT_API_KEY_STRATEGY]) {
  override handleRequest<T>(error: unknown, principal: T): T {
    if (error) throw error;
    if (!principal) throw new DomainError('unauthorized', 401, 'A valid API key is required (Authorization: Bearer dlk_…)');
    return principal;
  }
}

/**
 * The one global guard: routes are closed unless they say otherwise. An undecorated route needs a
 * tenant key with the `admin` scope.
 */
@Injectable()
export class AuthenticationGuard implements CanActivate {
  private readonly tenantCredentials = new TenantCredentialGuard();

  constructor(
    private readonly reflector: Reflector,
    @Inject(OPERATOR_TOKEN) private readonly operatorToken: string,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (context.getType() !== 'http') return true;
    const requirement =
      this.reflector.getAllAndOverride<AuthRequirement>(AUTH_METADATA, [context.getHandler(), context.getClass()]) ??
      DEFAULT_REQUIREMENT;
    const req = context.switchToHttp().getRequest<Request & { principal?: Principal; user?: Principal }>();

    switch (requirement.kind) {
      case 'public':
        return true;
      case 'operator': {
        const token = bearerToken(req);
        if (!token || !constantTimeEqual(token, this.operatorToken)) {
          throw new DomainError('unauthorized', 401, 'A valid operator token is required (Authorization: Bearer <ADMIN_TOKEN>)');
        }
        req.principal = OPERATOR_PRINCIPAL;
        return true;
      }
      case 'tenant': {
        await this.tenantCredentials.canActivate(context);
        const principal = req.user as Principal;
        if (requirement.scope !== 'any' && !hasScope(principal.scopes, requirement.scope)) {
          throw new DomainError('insufficient_scope', 403, `This API key lacks the "${requirement.scope}" scope`);
        }
        req.principal = principal;
        return true;
      }
    }
  }
}

function bearerToken(req: Request): string | undefined {
  const match = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '');
  return match?.[1];
}
