import { isAbsolute, resolve } from 'node:path';

/** Everything the service reads from its environment, parsed and checked once at boot. */
export interface AppConfig {
  nodeEnv: 'development' | 'production' | 'test';
  port: number;
  host: string;
  publicBaseUrl: string;
  databaseUrl?: string;
  databasePoolSize: number;
  dataDir: string;
  redisUrl?: string;
  adminToken?: string;
  /** `kid:base64(32 bytes)` entries; the first one encrypts, all of them decrypt. */
  encryptionKeys: { id: string; key: Buffer }[];
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  bodyLimitBytes: number;
  jobsEnabled: boolean;
  shutdownTimeoutMs: number;
  throttleLimit: number;
  throttleTtlMs: number;
  idempotencyTtlHours: number;
  /** The `domain` a Sign In With Farcaster message must name (an authority: host[:port]). */
  siwfDomain: string;
  /** Optimism JSON-RPC endpoint for FID custody and auth-address lookups. */
  farcasterRpcUrl: string;
  sessionTtlHours: number;
  /** Origins besides PUBLIC_BASE_URL's that may send cookie-authenticated mutations (CSRF check). */
  dashboardOrigins: string[];
  /** Event ingestion requests per app key per minute (single and batch requests alike). */
  eventsRateLimitPerApp: number;
  /** Requests carrying client events per client IP per minute (trusted server events are exempt). */
  eventsRateLimitPerIp: number;
  /** The oldest `occurred_at` accepted, in hours before the server's clock (offline SDK queues). */
  eventsMaxAgeHours: number;
  /** App-key lookups this instance makes in the database per client IP per minute (cache misses only). */
  appKeyLookupsPerIp: number;
  /** Bearer secret of POST /api/internal/jobs/process-conversions; the endpoint is disabled without it. */
  jobRunnerSecret?: string;
  /** How often a process running jobs works the conversion queue. */
  conversionsPollMs: number;
  /** SCIM requests per tenant per minute, shared by all its identity-provider keys (RFC 7644 clients retry on 429). */
  scimRateLimitPerTenant: number;
  /** HS256 secret of agent JWTs; required in production, else generated under DATA_DIR (resolveLocalSecrets). */
  agentJwtSecret?: string;
  agentTokenTtlHours: number;
  /** Signed unauthenticated agent requests (register, sign-in) per client IP per minute. */
  agentSignedRequestsPerIp: number;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

type Env = Record<string, string | undefined>;

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
const SIZE_UNITS: Record<string, number> = { b: 1, kb: 1024, mb: 1024 ** 2 };

/** Parses the environment; collects every problem before failing so one restart fixes them all. */
export function loadConfig(env: Env = process.env): AppConfig {
  const problems: string[] = [];
  const read = (name: string) => {
    const value = env[name]?.trim();
    return value === '' ? undefined : value;
  };

  const integer = (name: string, fallback: number, min: number, max: number): number => {
    const raw = read(name);
    if (raw === undefined) return fallback;
    const value = Number(raw);
    if (!/^\d+$/.test(raw) || value < min || value > max) {
      problems.push(`${name} must be an integer between ${min} and ${max} (got "${raw}")`);
      return fallback;
    }
    return value;
  };

  const boolean = (name: string, fallback: boolean): boolean => {
    const raw = read(name)?.toLowerCase();
    if (raw === undefined) return fallback;
    if (['true', '1', 'yes'].includes(raw)) return true;
    if (['false', '0', 'no'].includes(raw)) return false;
    problems.push(`${name} must be true or false (got "${raw}")`);
    return fallback;
  };

  const url = (name: string, protocols: string[]): string | undefined => {
    const raw = read(name);
    if (raw === undefined) return undefined;
    try {
      const parsed = new URL(raw);
      if (!protocols.includes(parsed.protocol)) throw new Error();
      return raw;
    } catch {
      problems.push(`${name} must be a URL starting with ${protocols.map((p) => `${p}//`).join(' or ')}`);
      return undefined;
    }
  };

  const nodeEnvRaw = read('NODE_ENV') ?? 'development';
  if (!['development', 'production', 'test'].includes(nodeEnvRaw)) {
    problems.push(`NODE_ENV must be development, production or test (got "${nodeEnvRaw}")`);
  }
  const nodeEnv = nodeEnvRaw as AppConfig['nodeEnv'];

  const port = integer('PORT', 3000, 0, 65535);
  const logLevel = (read('LOG_LEVEL') ?? (nodeEnv === 'test' ? 'silent' : 'info')) as AppConfig['logLevel'];
  if (!LOG_LEVELS.includes(logLevel)) problems.push(`LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}`);

  const bodyLimitRaw = (read('BODY_LIMIT') ?? '1mb').toLowerCase();
  const sizeMatch = /^(\d+)(b|kb|mb)?$/.exec(bodyLimitRaw);
  const bodyLimitBytes = sizeMatch ? Number(sizeMatch[1]) * SIZE_UNITS[sizeMatch[2] ?? 'b'] : 0;
  if (!sizeMatch || bodyLimitBytes < 1024 || bodyLimitBytes > 50 * 1024 ** 2) {
    problems.push(`BODY_LIMIT must be a size between 1kb and 50mb such as "1mb" (got "${bodyLimitRaw}")`);
  }

  const adminToken = read('ADMIN_TOKEN');
  if (adminToken !== undefined && adminToken.length < 24) {
    problems.push('ADMIN_TOKEN must be at least 24 characters long');
  }

  const jobRunnerSecret = read('JOB_RUNNER_SECRET');
  if (jobRunnerSecret !== undefined && jobRunnerSecret.length < 24) {
    problems.push('JOB_RUNNER_SECRET must be at least 24 characters long');
  }

  const agentJwtSecret = read('AGENT_JWT_SECRET');
  if (agentJwtSecret !== undefined && agentJwtSecret.length < 32) problems.push('AGENT_JWT_SECRET must be at least 32 characters long');
  if (nodeEnv === 'production' && agentJwtSecret === undefined) problems.push('AGENT_JWT_SECRET is required when NODE_ENV=production');

  const encryptionKeys = parseEncryptionKeys(read('ENCRYPTION_KEY'), problems);
  if (nodeEnv === 'production' && encryptionKeys.length === 0) {
    problems.push('ENCRYPTION_KEY is required when NODE_ENV=production');
  }

  const dataDir = read('DATA_DIR') ?? './.data';
  const publicBaseUrl = (url('PUBLIC_BASE_URL', ['http:', 'https:']) ?? `http://localhost:${port}`).replace(/\/+$/, '');

  const siwfDomain = read('SIWF_DOMAIN') ?? new URL(publicBaseUrl).host;
  if (!/^[A-Za-z0-9.-]+(:\d{1,5})?$/.test(siwfDomain)) {
    problems.push(`SIWF_DOMAIN must be a host with an optional port such as "app.example.com" (got "${siwfDomain}")`);
  }

  const dashboardOrigins: string[] = [];
  for (const entry of (read('DASHBOARD_ORIGINS') ?? '').split(',').map((o) => o.trim()).filter(Boolean)) {
    try {
      const parsed = new URL(entry);
      if (!['http:', 'https:'].includes(parsed.protocol) || parsed.origin !== entry.replace(/\/+$/, '')) throw new Error();
      dashboardOrigins.push(parsed.origin);
    } catch {
      problems.push(`DASHBOARD_ORIGINS must be comma-separated origins such as "https://app.example.com" (got "${entry}")`);
    }
  }

  const config: AppConfig = {
    nodeEnv,
    port,
    host: read('HOST') ?? '0.0.0.0',
    publicBaseUrl,
    databaseUrl: url('DATABASE_URL', ['postgres:', 'postgresql:']),
    databasePoolSize: integer('DATABASE_POOL_SIZE', 10, 1, 200),
    dataDir: isAbsolute(dataDir) ? dataDir : resolve(process.cwd(), dataDir),
    redisUrl: url('REDIS_URL', ['redis:', 'rediss:']),
    adminToken,
    encryptionKeys,
    logLevel,
    bodyLimitBytes,
    jobsEnabled: boolean('JOBS_ENABLED', true),
    shutdownTimeoutMs: integer('SHUTDOWN_TIMEOUT_MS', 10_000, 0, 600_000),
    throttleLimit: integer('THROTTLE_LIMIT', 600, 1, 1_000_000),
    throttleTtlMs: integer('THROTTLE_TTL_MS', 60_000, 1_000, 3_600_000),
    idempotencyTtlHours: integer('IDEMPOTENCY_TTL_HOURS', 24, 1, 24 * 30),
    siwfDomain,
    farcasterRpcUrl: url('FARCASTER_RPC_URL', ['http:', 'https:']) ?? 'https://mainnet.optimism.io',
    sessionTtlHours: integer('SESSION_TTL_HOURS', 14 * 24, 1, 24 * 365),
    dashboardOrigins,
    eventsRateLimitPerApp: integer('EVENTS_RATE_LIMIT_PER_APP', 120_000, 1, 100_000_000),
    eventsRateLimitPerIp: integer('EVENTS_RATE_LIMIT_PER_IP', 600, 1, 100_000_000),
    eventsMaxAgeHours: integer('EVENTS_MAX_AGE_HOURS', 72, 1, 24 * 90),
    appKeyLookupsPerIp: integer('APP_KEY_LOOKUPS_PER_IP', 300, 1, 100_000_000),
    jobRunnerSecret,
    conversionsPollMs: integer('CONVERSIONS_POLL_MS', 1_000, 50, 3_600_000),
    scimRateLimitPerTenant: integer('SCIM_RATE_LIMIT_PER_TENANT', 100, 1, 1_000_000),
    agentJwtSecret,
    agentTokenTtlHours: integer('AGENT_TOKEN_TTL_HOURS', 24, 1, 24 * 30),
    agentSignedRequestsPerIp: integer('AGENT_SIGNED_REQUESTS_PER_IP', 60, 1, 100_000_000),
  };
  if (problems.length > 0) throw new ConfigError(problems);
  return config;
}

function parseEncryptionKeys(raw: string | undefined, problems: string[]): AppConfig['encryptionKeys'] {
  if (raw === undefined) return [];
  const keys: AppConfig['encryptionKeys'] = [];
  for (const entry of raw.split(',')) {
    const match = /^([A-Za-z0-9_-]{1,32}):(.+)$/.exec(entry.trim());
    const key = match ? Buffer.from(match[2], 'base64') : Buffer.alloc(0);
    if (!match || key.length !== 32) {
      problems.push('ENCRYPTION_KEY must be a comma-separated list of "<key id>:<base64 of 32 random bytes>"');
      return [];
    }
    keys.push({ id: match[1], key });
  }
  return keys;
}

/** Injection token for the validated AppConfig: `@Inject(APP_CONFIG) config: AppConfig`. */
export const APP_CONFIG = Symbol('APP_CONFIG');
