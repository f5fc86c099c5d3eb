export const API_KEY_SCOPES = ['admin', 'read', 'scim'] as const;
export type ApiKeyScope = (typeof API_KEY_SCOPES)[number];

/** Who is calling, as established by a guard; every tenant-scoped query takes its tenant from here. */
export interface Principal {
  kind: 'api_key' | 'session' | 'operator' | 'app_key' | 'agent';
  /** Namespace for per-caller state such as idempotency records and rate limits. */
  scopeKey: string;
  tenantId?: string;
  /** The API key's id, or the session's. */
  credentialId?: string;
  /** For an app key (`x-api-key`): the app it belongs to. */
  appId?: string;
  /** For a session: the signed-in user's row in `tenantId`. */
  userId?: string;
  /** For an agent's bearer JWT: the agent's id (agents are one network per deployment, no tenant). */
  agentId?: string;
  scopes: readonly ApiKeyScope[];
}

export interface TenantPrincipal extends Principal {
  tenantId: string;
}

export const OPERATOR_PRINCIPAL: Principal = { kind: 'operator', scopeKey: 'operator', scopes: [] };

/** `admin` includes `read`; `scim` stands alone so an identity provider's key can do nothing else. */
export function hasScope(granted: readonly ApiKeyScope[], needed: ApiKeyScope): boolean {
  return granted.includes(needed) || (needed === 'read' && granted.includes('admin'));
}

export interface AppPrincipal extends TenantPrincipal {
  kind: 'app_key';
  appId: string;
}

/** Turns an app's `x-api-key` into its principal; provided by the apps module, used by the global guard. */
export interface AppKeyAuthenticator {
  /** `clientIp` bounds how many unknown keys one address can make this instance look up. */
  authenticate(apiKey: string, clientIp: string | undefined): Promise<AppPrincipal | null>;
}
export const APP_KEY_AUTHENTICATOR = Symbol('APP_KEY_AUTHENTICATOR');

export interface AgentPrincipal extends Principal {
  kind: 'agent';
  agentId: string;
}

/** Turns an agent's bearer JWT into its principal (null: invalid, expired or revoked); provided by the agents module. */
export interface AgentAuthenticator {
  authenticate(token: string): Promise<AgentPrincipal | null>;
}
export const AGENT_AUTHENTICATOR = Symbol('AGENT_AUTHENTICATOR');
