import type { NestExpressApplication } from '@nestjs/platform-express';
import { Test } from '@nestjs/testing';
import { ApiModule } from '../../apps/api/src/api.module';
import { mountHotRoutes } from '../../apps/api/src/hot-routes';
import { MIGRATIONS } from '@refos/migrations';
import { AppConfig, configureHttpApp, DatabaseEndpoint, loadConfig, ManualClock, randomBase62 } from '@refos/platform';
import { randomBytes } from 'node:crypto';
import request from 'supertest';
import type TestAgent from 'supertest/lib/agent';
import { openTestDatabase } from './test-database';

export interface TestApp {
  app: NestExpressApplication;
  http: TestAgent;
  clock: ManualClock;
  config: AppConfig;
  database: DatabaseEndpoint;
  operatorToken: string;
  close(): Promise<void>;
}

/**
 * The whole API over real HTTP on a database of its own. `env` overrides configuration the way
 * the environment would (e.g. `{ THROTTLE_LIMIT: '5' }`); jobs are off so tests call them directly.
 */
export async function createTestApp(
  env: Record<string, string> = {},
  database?: DatabaseEndpoint,
  /** Providers replaced by test doubles, e.g. the Farcaster registry lookup. */
  overrides: { provide: unknown; useValue: unknown }[] = [],
): Promise<TestApp> {
  const config = loadConfig({
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    JOBS_ENABLED: 'false',
    REDIS_URL: process.env.REDIS_URL,
    ENCRYPTION_KEY: `test:${randomBytes(32).toString('base64')}`,
    AGENT_JWT_SECRET: randomBytes(32).toString('base64url'),
    ...env,
  });
  const db = database ?? (await openTestDatabase());
  const clock = new ManualClock(new Date('2026-11-22T12:00:00Z'));
  const operatorToken = `adm_${randomBase62(40)}`;
  try {
    const builder = Test.createTestingModule({
      imports: [
        ApiModule.register({
          config,
          database: db,
          migrations: MIGRATIONS,
          operatorToken,
          clock,
          redisKeyPrefix: `refos:test:${randomBase62(10)}:`,
        }),
      ],
    });
    for (const { provide, useValue } of overrides) builder.overrideProvider(provide).useValue(useValue);
    const moduleRef = await builder.compile();
    const app = moduleRef.createNestApplication<NestExpressApplication>({ bodyParser: false, bufferLogs: true });
    configureHttpApp(app, config, mountHotRoutes);
    await app.init();
    return {
      app,
      http: request(app.getHttpServer()),
      clock,
      config,
      database: db,
      operatorToken,
      async close() {
        await app.close();
        if (!database) await db.close();
      },
    };
  } catch (error) {
    if (!database) await db.close();
    throw error;
  }
}
