/** A failure the CLI reports in one message; `exitCode` 2 is a usage or configuration mistake, 1 a failed run. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: 1 | 2 = 1,
  ) {
    super(message);
    this.name = 'CliError';
  }
}

/** The API's error body: `{ statusCode, error, message, code?, details?, requestId }`. */
export interface ApiErrorBody {
  statusCode?: number;
  error?: string;
  message?: string | string[];
  code?: string;
  details?: unknown;
  requestId?: string;
}

/** The API answered, with a status outside 2xx. */
export class ApiError extends CliError {
  constructor(
    readonly status: number,
    readonly statusText: string,
    readonly body: ApiErrorBody | undefined,
  ) {
    super(formatApiError(status, statusText, body), 1);
    this.name = 'ApiError';
  }
}

export const DEFAULT_API_URL = 'http://localhost:3000';
export const REQUEST_TIMEOUT_MS = 10_000;

export interface ApiClientOptions {
  baseUrl: string;
  apiKey: string;
  timeoutMs?: number;
  fetch?: typeof fetch;
}

/** The `Authorization: Bearer dlk_…` client every command uses; throws CliError with a message fit to print. */
export class ApiClient {
  readonly baseUrl: string;
  private readonly timeoutMs: number;
  private readonly fetch: typeof fetch;

  constructor(private readonly options: ApiClientOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.timeoutMs = options.timeoutMs ?? REQUEST_TIMEOUT_MS;
    this.fetch = options.fetch ?? fetch;
  }

  async get<T>(path: string): Promise<T> {
    return this.request<T>('GET', path);
  }

  async request<T>(method: string, path: string, body?: unknown): Promise<T> {
    const url = `${this.baseUrl}${path}`;
    const headers: Record<string, string> = {
      accept: 'application/json',
      authorization: `Bearer ${this.options.apiKey}`,
      'user-agent': 'refos-cli',
    };
    if (body !== undefined) headers['content-type'] = 'application/json';

    let res: Response;
    let text: string;
    try {
      // The signal also bounds reading the body, so a server that stalls mid-response times out too.
      res = await this.fetch(url, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), signal: AbortSignal.timeout(this.timeoutMs) });
      text = await res.text();
    } catch (error) {
      throw new CliError(describeNetworkError(error, this.baseUrl, this.timeoutMs), 1);
    }

    const parsed = parseJson(text);
    if (!res.ok) throw new ApiError(res.status, res.statusText, isObject(parsed) ? (parsed as ApiErrorBody) : undefined);
    if (parsed === undefined) {
      throw new CliError(`Unexpected response from ${this.baseUrl} (HTTP ${res.status}): the body is not JSON. Is REFOS_API_URL the Referral OS API?`, 1);
    }
    return parsed as T;
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** `Invalid API key (HTTP 401 Unauthorized, code: unauthorized, request id: …)` plus one line per detail. */
export function formatApiError(status: number, statusText: string, body: ApiErrorBody | undefined): string {
  const reason = body?.error ?? statusText;
  const message = Array.isArray(body?.message) ? body.message.join('; ') : body?.message;
  const facts = [`HTTP ${status}${reason ? ` ${reason}` : ''}`];
  if (body?.code) facts.push(`code: ${body.code}`);
  if (body?.requestId) facts.push(`request id: ${body.requestId}`);
  const lines = [message ? `${message} (${facts.join(', ')})` : `The API answered ${facts.join(', ')}`];
  lines.push(...formatDetails(body?.details));
  if (status === 401) lines.push('Check that REFOS_API_KEY holds a valid, unrevoked key for this server.');
  return lines.join('\n');
}

function formatDetails(details: unknown): string[] {
  if (details === undefined || details === null) return [];
  if (Array.isArray(details)) {
    return details.map((item) => {
      if (isObject(item) && typeof item.field === 'string' && Array.isArray(item.messages)) return `  - ${item.field}: ${item.messages.join('; ')}`;
      return `  - ${typeof item === 'string' ? item : JSON.stringify(item)}`;
    });
  }
  if (isObject(details)) return Object.entries(details).map(([key, value]) => `  - ${key}: ${typeof value === 'string' ? value : JSON.stringify(value)}`);
  return [`  - ${String(details)}`];
}

const NETWORK_REASONS: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'connection reset',
  ENOTFOUND: 'host not found',
  EAI_AGAIN: 'host name lookup failed',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  ETIMEDOUT: 'connection timed out',
  UND_ERR_CONNECT_TIMEOUT: 'connection timed out',
  UND_ERR_SOCKET: 'the connection closed unexpectedly',
  CERT_HAS_EXPIRED: 'the TLS certificate has expired',
  DEPTH_ZERO_SELF_SIGNED_CERT: 'the TLS certificate is self-signed',
  ERR_TLS_CERT_ALTNAME_INVALID: 'the TLS certificate does not match the host name',
};

/** Turns fetch's `TypeError: fetch failed` (the reason sits in `cause`) or a timeout into a sentence naming the URL. */
export function describeNetworkError(error: unknown, baseUrl: string, timeoutMs: number): string {
  const err = error as { name?: string; message?: string; cause?: { code?: string; message?: string; errors?: { code?: string }[] } };
  if (err?.name === 'TimeoutError' || err?.name === 'AbortError') {
    return `The Referral OS API at ${baseUrl} did not answer within ${formatSeconds(timeoutMs)}.`;
  }
  // A host with several addresses fails with an AggregateError whose members carry the code.
  const code = err?.cause?.code ?? err?.cause?.errors?.find((e) => e.code)?.code;
  const reason = (code && NETWORK_REASONS[code]) ?? code ?? err?.cause?.message ?? err?.message ?? 'unknown error';
  return `Could not reach the Referral OS API at ${baseUrl} (${reason}). Is it running? Set REFOS_API_URL to use another server.`;
}

function formatSeconds(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000} s` : `${ms} ms`;
}
