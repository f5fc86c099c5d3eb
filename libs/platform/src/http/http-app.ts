import type { DynamicModule, INestApplication, Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import type { NextFunction, Request, Response } from 'express';
import { Logger } from '@nestjs/common';
import { Logger as PinoLogger } from 'nestjs-pino';
import type { Server } from 'node:http';
import { SECURITY } from '../auth/auth.decorators';
import { SESSION_COOKIE } from '../auth/session-cookie';
import type { AppConfig } from '../config/config';
import type { DatabaseEndpoint } from '../database/database-endpoint';
import { requestIdFor } from '../logging/logging';
import { HttpMetricsMiddleware, MetricsRegistry } from '../metrics/metrics';

/**
 * Takes requests off the HTTP server ahead of Express and Nest, for hot paths that
 * must cost microseconds (they handle their own errors and logging).
 */
export type HotRoutes = (app: NestExpressApplication) => void;

export const JSON_CONTENT_TYPES = ['application/json', 'application/*+json'];

/** Applies what every HTTP deployment of the API needs, in tests as in production. */
export function configureHttpApp(app: NestExpressApplication, config: AppConfig, hotRoutes?: HotRoutes): void {
  app.useLogger(app.get(PinoLogger));
  hotRoutes?.(app);
  // Before the body parser, so even a malformed or oversized body gets an id in its error.
  app.use((req: Request & { id?: string }, res: Response, next: NextFunction) => {
    req.id = requestIdFor(req, res);
    next();
  });
  // Also before the body parser, so malformed and oversized bodies are counted like any other answer.
  const metrics = new HttpMetricsMiddleware(app.get(MetricsRegistry));
  app.use((req: Request, res: Response, next: NextFunction) => metrics.use(req, res, next));
  app.useBodyParser('json', { limit: config.bodyLimitBytes, type: JSON_CONTENT_TYPES });
  app.set('trust proxy', 'loopback');
  app.set('query parser', 'extended');
  app.disable('x-powered-by');
  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('Referral OS API')
      .setDescription(
        'Referral and deep links, event ingestion, attribution, agents and SCIM for enterprise tenants.\n\n' +
          'Errors share one shape: `{ statusCode, error, message, code?, details?, requestId }`. ' +
          'POST, PUT and PATCH accept an `Idempotency-Key` header (at most 255 characters): a retry within 24 h ' +
          'returns the first answer with `X-Idempotency-Replayed: true`; the same key with another request → 422; ' +
          'while the first is still running → 409.',
      )
      .setVersion('1.0')
      .addBearerAuth({ type: 'http', scheme: 'bearer', description: 'Tenant API key `dlk_<prefix>_<secret>`' }, SECURITY.tenantKey)
      .addBearerAuth({ type: 'http', scheme: 'bearer', description: 'The operator ADMIN_TOKEN' }, SECURITY.operator)
      .addBearerAuth({ type: 'http', scheme: 'bearer', description: 'JOB_RUNNER_SECRET, for schedulers' }, SECURITY.jobRunner)
      .addBearerAuth({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT', description: 'An agent\'s JWT from POST /api/agents/register or /api/agents/auth' }, SECURITY.agentToken)
      .addApiKey({ type: 'apiKey', in: 'header', name: 'x-api-key', description: "An app's key `rk_…` from POST /api/v1/apps (SDKs and app servers)" }, SECURITY.appKey)
      .addCookieAuth(SESSION_COOKIE, { type: 'apiKey', in: 'cookie', description: 'Dashboard session from POST /api/auth/siwf; changes also need a trusted Origin header (CSRF)' }, SECURITY.session)
      .build(),
  );
  SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'docs-json' });
}

export async function createHttpApp(root: Type<unknown> | DynamicModule, config: AppConfig, hotRoutes?: HotRoutes): Promise<NestExpressApplication> {
  const app = await NestFactory.create<NestExpressApplication>(root, { bufferLogs: true, bodyParser: false });
  configureHttpApp(app, config, hotRoutes);
  return app;
}

/**
 * Listens, then on SIGTERM/SIGINT: stop accepting, let in-flight requests finish (bounded by
 * SHUTDOWN_TIMEOUT_MS), let running jobs finish, close the pool, then the embedded database.
 */
export async function serveUntilSignalled(app: INestApplication, config: AppConfig, database: DatabaseEndpoint): Promise<void> {
  let draining = false;
  app.use((_req: Request, res: Response, next: NextFunction) => {
    if (draining) res.setHeader('Connection', 'close');
    next();
  });
  await app.listen(config.port, config.host);
  const server = app.getHttpServer() as Server;
  const logger = new Logger('Bootstrap');
  logger.log({ port: config.port, embeddedDatabase: database.embedded }, 'Referral OS API listening');

  const shutdown = async (signal: NodeJS.Signals) => {
    if (draining) return;
    draining = true;
    logger.log({ signal }, 'shutting down: draining requests');
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeIdleConnections();
    const force = setTimeout(() => server.closeAllConnections(), config.shutdownTimeoutMs);
    await closed;
    clearTimeout(force);
    await app.close();
    await database.close();
    process.exit(0);
  };
  process.once('SIGTERM', (signal) => void shutdown(signal));
  process.once('SIGINT', (signal) => void shutdown(signal));
}
