import type { Request } from 'express';

/** The dashboard's session cookie (Sign In With Farcaster). */
export const SESSION_COOKIE = 'refos_session';

/** One cookie's value from the Cookie header; avoids a cookie-parser middleware for a single name. */
export function readCookie(req: Pick<Request, 'headers'>, name: string): string | undefined {
  const header = req.headers.cookie;
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0 || part.slice(0, eq).trim() !== name) continue;
    const raw = part.slice(eq + 1).trim().replace(/^"(.*)"$/, '$1');
    try {
      return decodeURIComponent(raw);
    } catch {
      return raw;
    }
  }
  return undefined;
}

/** Origins a browser may send cookie-authenticated mutations from: the API's own and the dashboards'. */
export function trustedOrigins(config: { publicBaseUrl: string; dashboardOrigins: readonly string[] }): string[] {
  return [...new Set([new URL(config.publicBaseUrl).origin, ...config.dashboardOrigins])];
}

/**
 * CSRF defence for cookie sessions: the browser-set `Origin` (or, when a browser omits it, the
 * `Referer`'s origin) must be trusted. A request with neither is refused: browsers send one of them
 * on cross-site POSTs, so only a non-browser client could omit both, and it should use an API key.
 */
export function requestOriginTrusted(headers: Request['headers'], trusted: readonly string[]): boolean {
  const origin = headers.origin;
  if (typeof origin === 'string' && origin !== '') return origin !== 'null' && trusted.includes(origin);
  const referer = headers.referer;
  if (typeof referer !== 'string' || referer === '') return false;
  try {
    return trusted.includes(new URL(referer).origin);
  } catch {
    return false;
  }
}

export const UNSAFE_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
