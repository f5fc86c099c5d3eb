import { ConfigError, loadConfig } from './config';

describe('loadConfig', () => {
  it('applies the documented defaults to an empty environment', () => {
    const sut = loadConfig({});
    expect(sut).toMatchObject({
      port: 3000,
      databaseUrl: undefined,
      bodyLimitBytes: 1024 * 1024,
      jobsEnabled: true,
      idempotencyTtlHours: 24,
      publicBaseUrl: 'http://localhost:3000',
      agentJwtSecret: undefined,
      agentTokenTtlHours: 24,
      agentSignedRequestsPerIp: 60,
    });
    expect(sut.dataDir).toMatch(/\.data$/);
  });

  it.each([
    [{ PORT: 'eighty' }, 'PORT'],
    [{ PORT: '70000' }, 'PORT'],
    [{ DATABASE_URL: 'mysql://x' }, 'DATABASE_URL'],
    [{ REDIS_URL: 'not a url' }, 'REDIS_URL'],
    [{ BODY_LIMIT: 'lots' }, 'BODY_LIMIT'],
    [{ ADMIN_TOKEN: 'short' }, 'ADMIN_TOKEN'],
    [{ ENCRYPTION_KEY: 'k1:dG9vIHNob3J0' }, 'ENCRYPTION_KEY'],
    [{ JOBS_ENABLED: 'maybe' }, 'JOBS_ENABLED'],
    [{ NODE_ENV: 'staging' }, 'NODE_ENV'],
    [{ NODE_ENV: 'production' }, 'ENCRYPTION_KEY'],
    [{ NODE_ENV: 'production' }, 'AGENT_JWT_SECRET'],
    [{ AGENT_JWT_SECRET: 'too-short' }, 'AGENT_JWT_SECRET'],
    [{ AGENT_TOKEN_TTL_HOURS: '0' }, 'AGENT_TOKEN_TTL_HOURS'],
    [{ AGENT_SIGNED_REQUESTS_PER_IP: 'many' }, 'AGENT_SIGNED_REQUESTS_PER_IP'],
  ])('refuses %j naming %s', (env, name) => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(new RegExp(name));
  });

  it('reports every problem at once', () => {
    try {
      loadConfig({ PORT: 'x', REDIS_URL: 'y' });
      throw new Error('expected a ConfigError');
    } catch (error) {
      expect((error as ConfigError).problems).toHaveLength(2);
    }
  });

  it('parses body limits and key rings', () => {
    const key = Buffer.alloc(32, 7).toString('base64');
    const sut = loadConfig({ BODY_LIMIT: '512kb', ENCRYPTION_KEY: `new:${key}, old:${key}` });
    expect(sut.bodyLimitBytes).toBe(512 * 1024);
    expect(sut.encryptionKeys.map((k) => k.id)).toEqual(['new', 'old']);
  });
});
