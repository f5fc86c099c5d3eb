import { applyDecorators, createParamDecorator, ExecutionContext, SetMetadata } from '@nestjs/common';
import { ApiBearerAuth, ApiCookieAuth, ApiForbiddenResponse, ApiSecurity, ApiUnauthorizedResponse } from '@nestjs/swagger';
import { ErrorResponseDto } from '../errors/error-response.dto';
import type { AgentPrincipal, ApiKeyScope, Principal, TenantPrincipal } from './principal';

export const AUTH_METADATA = 'refos:auth';

export type AuthRequirement =
  | { kind: 'public' }
  | { kind: 'operator' }
  | { kind: 'job_runner' }
  | { kind: 'app' }
  | { kind: 'agent'; orOperator: boolean }
  | { kind: 'tenant'; scope: ApiKeyScope | 'any' };

/** Swagger security scheme names, registered in the document builder. */
export const SECURITY = {
  tenantKey: 'tenant-api-key',
  operator: 'operator-token',
  jobRunner: 'job-runner-secret',
  session: 'session',
  appKey: 'app-api-key',
  agentToken: 'agent-token',
} as const;

export const Public = () => SetMetadata(AUTH_METADATA, { kind: 'public' } satisfies AuthRequirement);

/**
 * `@Auth('tenant', { scope })`: a tenant credential carrying the scope (`any` = whichever it has): an
 * API key, or the dashboard's session cookie (scopes from the user's role; mutations need a trusted Origin).
 * `@Auth('operator')`: the ADMIN_TOKEN. `@Auth('job_runner')`: the JOB_RUNNER_SECRET of schedulers (none set: always 401).
 * `@Auth('app')`: an app's own key in `x-api-key` (SDKs and app servers).
 * `@Auth('agent')`: an agent's bearer JWT from POST /api/agents/register or /auth; `{ orOperator: true }`
 * also lets the ADMIN_TOKEN through (then `CurrentAgent` is undefined).
 */
export function Auth(kind: 'operator' | 'job_runner' | 'app'): MethodDecorator & ClassDecorator;
export function Auth(kind: 'tenant', options?: { scope: ApiKeyScope | 'any' }): MethodDecorator & ClassDecorator;
export function Auth(kind: 'agent', options?: { orOperator: boolean }): MethodDecorator & ClassDecorator;
export function Auth(kind: 'tenant' | 'operator' | 'job_runner' | 'app' | 'agent', options?: { scope?: ApiKeyScope | 'any'; orOperator?: boolean }) {
  const scope = options?.scope ?? 'admin';
  const unauthorized = ApiUnauthorizedResponse({ description: 'Missing, unknown or revoked credential', type: ErrorResponseDto });
  if (kind === 'agent') {
    const orOperator = options?.orOperator ?? false;
    return applyDecorators(
      SetMetadata(AUTH_METADATA, { kind, orOperator } satisfies AuthRequirement),
      ApiBearerAuth(SECURITY.agentToken),
      ...(orOperator ? [ApiBearerAuth(SECURITY.operator)] : []),
      ApiUnauthorizedResponse({ description: 'Unauthorized: missing, invalid or expired agent token (or signature)', type: ErrorResponseDto }),
    );
  }
  const requirement: AuthRequirement = kind === 'tenant' ? { kind, scope } : { kind };
  if (kind === 'app') return applyDecorators(SetMetadata(AUTH_METADATA, requirement), ApiSecurity(SECURITY.appKey), unauthorized);
  if (kind === 'operator' || kind === 'job_runner') {
    return applyDecorators(SetMetadata(AUTH_METADATA, requirement), ApiBearerAuth(SECURITY[kind === 'operator' ? 'operator' : 'jobRunner']), unauthorized);
  }
  return applyDecorators(
    SetMetadata(AUTH_METADATA, requirement),
    ApiBearerAuth(SECURITY.tenantKey),
    ApiCookieAuth(SECURITY.session),
    unauthorized,
    ApiForbiddenResponse({
      description: `The credential lacks the \`${scope}\` scope, or a cookie-authenticated change came without a trusted Origin (\`csrf_origin_mismatch\`)`,
      type: ErrorResponseDto,
    }),
  );
}

export const CurrentPrincipal = createParamDecorator(
  (_: unknown, context: ExecutionContext): Principal => context.switchToHttp().getRequest().principal,
);

/** The tenant of the authenticated caller; only on routes guarded by `@Auth('tenant')`. */
export const CurrentTenant = createParamDecorator(
  (_: unknown, context: ExecutionContext): string => (context.switchToHttp().getRequest().principal as TenantPrincipal).tenantId,
);

/** The calling agent's id; only on routes guarded by `@Auth('agent')` (undefined when the operator called). */
export const CurrentAgent = createParamDecorator(
  (_: unknown, context: ExecutionContext): string | undefined => (context.switchToHttp().getRequest().principal as AgentPrincipal).agentId,
);
