import { createHmac } from 'node:crypto';
import { constantTimeEqual } from '@refos/platform';

export interface AgentTokenClaims {
  /** The agent's id. */
  sub: string;
  did: string;
  /** Seconds since the epoch, as RFC 7519 says. */
  iat: number;
  exp: number;
}

const HEADER = Buffer.from(JSON.stringify({ alg: 'HS256', typ: 'JWT' })).toString('base64url');

function sign(input: string, secret: string): string {
  return createHmac('sha256', secret).update(input).digest('base64url');
}

/** A compact HS256 JWT (RFC 7519) of the claims. */
export function signAgentToken(claims: AgentTokenClaims, secret: string): string {
  const body = `${HEADER}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}`;
  return `${body}.${sign(body, secret)}`;
}

/**
 * The claims of a token this service signed that has not expired at `nowMs`, else null. Only our own
 * header is accepted, so `alg: none` or another algorithm can never be chosen by the caller.
 */
export function verifyAgentToken(token: string, secret: string, nowMs: number): AgentTokenClaims | null {
  const parts = token.split('.');
  if (parts.length !== 3 || parts[0] !== HEADER) return null;
  if (!constantTimeEqual(parts[2], sign(`${parts[0]}.${parts[1]}`, secret))) return null;
  let claims: Partial<AgentTokenClaims>;
  try {
    claims = JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8'));
  } catch {
    return null;
  }
  if (typeof claims.sub !== 'string' || typeof claims.did !== 'string' || typeof claims.exp !== 'number' || typeof claims.iat !== 'number') return null;
  return claims.exp * 1000 > nowMs ? (claims as AgentTokenClaims) : null;
}
