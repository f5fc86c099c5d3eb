import { CanActivate, ExecutionContext, Inject, Injectable } from '@nestjs/common';
import { ModuleRef, Reflector } from '@nestjs/core';
import { AuthGuard as PassportAuthGuard } from '@nestjs/passport';
import type { Request } from 'express';
import { DomainError } from '../errors/domain-error';
import { constantTimeEqual } from '../crypto/crypto';
import { APP_CONFIG, AppConfig } from '../config/config';
import { AUTH_METADATA, AuthRequirement } from './auth.decorators';
import { AGENT_AUTHENTICATOR, AgentAuthenticator, APP_KEY_AUTHENTICATOR, AppKeyAuthenticator, hasScope, OPERATOR_PRINCIPAL, Principal } from './principal';
import { readCookie, requestOriginTrusted, SESSION_COOKIE, trustedOrigins, UNSAFE_METHODS } from './session-cookie';

/** Passport strategy names a domain module registers to authenticate tenant callers. */
export const TENANT_API_KEY_STRATEGY = 'tenant-api-key';
/** Reads the `refos_session` cookie; the request's tenant comes from `X-Tenant-Id` or the user's own. */
export const TENANT_SESSION_STRATEGY = 'tenant-session';

export const OPERATOR_TOKEN = Symbol('OPERATOR_TOKEN');

const DEFAULT_REQUIREMENT: AuthRequirement = { kind: 'tenant', scope: 'admin' };

class TenantCredentialGuard extends PassportAuthGuard([TENANT_API_KEY_STRATEGY]) {
  override handleRequest<T>(error: unknown, principal: T): T {
    if (error) throw error;
    if (!principal) throw new DomainError('unauthorized', 401, 'A valid API key (Authorization: Bearer dlk_…) or session cookie is required');
    return principal;
  }
}

class TenantSessionGuard extends PassportAuthGuard([TENANT_SESSION_STRATEGY]) {
  override handleRequest<T>(error: unknown, principal: T): T {
    if (error) throw error;
    if (!principal) throw new DomainError('unauthorized', 401, 'The session is missing, expired or revoked: sign in again');
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
  private readonly tenantSessions = new TenantSessionGuard();
  private readonly trustedOrigins: string[];
  private readonly jobRunnerSecret: string | undefined;

  private appKeys?: AppKeyAuthenticator;
  private agents?: AgentAuthenticator;

  constructor(
    private readonly reflector: Reflector,
    private readonly moduleRef: ModuleRef,
    @Inject(OPERATOR_TOKEN) private readonly operatorToken: string,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.trustedOrigins = trustedOrigins(config);
    this.jobRunnerSecret = config.jobRunnerSecret;
  }

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
      case 'job_runner': {
        const token = bearerToken(req);
        if (!this.jobRunnerSecret || !token || !constantTimeEqual(token, this.jobRunnerSecret)) {
          throw new DomainError('unauthorized', 401, 'A valid job runner secret is required (Authorization: Bearer <JOB_RUNNER_SECRET>)');
        }
        return true;
      }
      case 'app': {
        const apiKey = req.headers['x-api-key'];
        // Provided by the apps module, which the platform cannot import: looked up once, on first use.
        this.appKeys ??= this.moduleRef.get<AppKeyAuthenticator>(APP_KEY_AUTHENTICATOR, { strict: false });
        const principal = typeof apiKey === 'string' ? await this.appKeys.authenticate(apiKey, req.ip) : null;
        if (!principal) throw new DomainError('unauthorized', 401, "A valid app key is required (x-api-key: rk_…, from the app's creation)");
        req.principal = principal;
        return true;
      }
      case 'agent': {
        const token = bearerToken(req);
        if (requirement.orOperator && token && constantTimeEqual(token, this.operatorToken)) {
          req.principal = OPERATOR_PRINCIPAL;
          return true;
        }
        // Provided by the agents module, looked up on first use like the app keys.
        this.agents ??= this.moduleRef.get<AgentAuthenticator>(AGENT_AUTHENTICATOR, { strict: false });
        const principal = token ? await this.agents.authenticate(token) : null;
        if (!principal) throw new DomainError('invalid_token', 401, 'Unauthorized: missing, invalid or expired agent token (Authorization: Bearer <JWT>)');
        req.principal = principal;
        return true;
      }
      case 'tenant': {
        // An Authorization header decides on its own (API keys take precedence); the cookie counts only without one.
        const bySession = req.headers.authorization === undefined && readCookie(req, SESSION_COOKIE) !== undefined;
        await (bySession ? this.tenantSessions : this.tenantCredentials).canActivate(context);
        const principal = req.user as Principal;
        if (bySession && UNSAFE_METHODS.has(req.method) && !requestOriginTrusted(req.headers, this.trustedOrigins)) {
          throw new DomainError(
            'csrf_origin_mismatch',
            403,
            'A cookie-authenticated change needs an Origin (or Referer) header of a trusted dashboard origin',
          );
        }
        if (requirement.scope !== 'any' && !hasScope(principal.scopes, requirement.scope)) {
          const who = principal.kind === 'session' ? 'Your role in this tenant does not grant' : 'This API key lacks';
          throw new DomainError('insufficient_scope', 403, `${who} the "${requirement.scope}" scope`);
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
