import {
  DynamicModule,
  Module,
  OnApplicationShutdown,
  OnModuleInit,
  Optional,
  ValidationError,
  ValidationPipe,
} from '@nestjs/common';
import { APP_FILTER, APP_GUARD, APP_INTERCEPTOR, APP_PIPE } from '@nestjs/core';
import { ScheduleModule } from '@nestjs/schedule';
import { EventEmitterModule } from '@nestjs/event-emitter';
import { ThrottlerModule } from '@nestjs/throttler';
import { TypeOrmModule } from '@nestjs/typeorm';
import { LoggerModule } from 'nestjs-pino';
import type { MixedList } from 'typeorm';
import { AuthenticationGuard, OPERATOR_TOKEN } from './auth/authentication.guard';
import { Clock, SystemClock } from './clock/clock';
import { SecretBox } from './crypto/crypto';
import { APP_CONFIG, AppConfig } from './config/config';
import { DatabaseModule } from './database/database.module';
import type { DatabaseEndpoint } from './database/database-endpoint';
import { AllExceptionsFilter } from './errors/all-exceptions.filter';
import { DomainError } from './errors/domain-error';
import { ErrorRenderers } from './errors/error-renderers';
import { HealthController } from './health/health.controller';
import { IdempotencyInterceptor } from './idempotency/idempotency.interceptor';
import { IdempotencyRecord } from './idempotency/idempotency-record.entity';
import { IdempotencyService } from './idempotency/idempotency.service';
import { PurgeIdempotencyRecordsJob } from './idempotency/purge-idempotency-records.job';
import { JobRunner } from './jobs/job-runner';
import { loggerParams } from './logging/logging';
import { MetricsController, MetricsRegistry } from './metrics/metrics';
import { RedisThrottlerStorage } from './throttling/redis-throttler.storage';
import { MemoryThrottlerStorage } from './throttling/memory-throttler.storage';
import { RateLimiter } from './throttling/rate-limiter';
import { TrackedThrottlerGuard } from './throttling/tracked-throttler.guard';

export interface PlatformOptions {
  config: AppConfig;
  database: DatabaseEndpoint;
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
  migrations: MixedList<Function>;
  /** The operator's bearer token (ADMIN_TOKEN, or the one generated under DATA_DIR). */
  operatorToken: string;
  clock?: Clock;
  /** Keeps rate-limit counters of separate deployments (or test files) apart in one Redis. */
  redisKeyPrefix?: string;
}

interface FieldErrors {
  field: string;
  messages: string[];
}

function flattenValidationErrors(errors: ValidationError[], parent = ''): FieldErrors[] {
  return errors.flatMap((error) => {
    const field = parent ? `${parent}.${error.property}` : error.property;
    const own = error.constraints ? [{ field, messages: Object.values(error.constraints) }] : [];
    return [...own, ...flattenValidationErrors(error.children ?? [], field)];
  });
}

export function validationPipe(): ValidationPipe {
  return new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    exceptionFactory: (errors) => {
      const details = flattenValidationErrors(errors);
      const summary = details.map((d) => d.messages[0]).join('; ');
      return new DomainError('validation_failed', 400, `Validation failed: ${summary}`, details);
    },
  });
}

/**
 * Cross-cutting services every domain module stands on: config, database, logging, auth guard,
 * throttling, idempotency, errors, validation, health, metrics and jobs. Composed once by each app.
 */
@Module({})
export class PlatformModule implements OnModuleInit, OnApplicationShutdown {
  constructor(@Optional() private readonly throttleStorage?: RedisThrottlerStorage) {}

  async onModuleInit(): Promise<void> {
    await this.throttleStorage?.connect();
  }

  /** Value providers get no lifecycle hooks, so the module closes the Redis connection it made. */
  async onApplicationShutdown(): Promise<void> {
    await this.throttleStorage?.close();
  }

  static forRoot(options: PlatformOptions): DynamicModule {
    const { config } = options;
    const sharedThrottleStorage = config.redisUrl ? new RedisThrottlerStorage(config.redisUrl, options.redisKeyPrefix) : undefined;
    return {
      module: PlatformModule,
      global: true,
      imports: [
        LoggerModule.forRoot(loggerParams(config)),
        DatabaseModule.forRoot(options.database, options.migrations),
        TypeOrmModule.forFeature([IdempotencyRecord]),
        ThrottlerModule.forRoot({
          throttlers: [{ name: 'default', limit: config.throttleLimit, ttl: config.throttleTtlMs }],
          storage: sharedThrottleStorage ?? new MemoryThrottlerStorage(),
        }),
        EventEmitterModule.forRoot(),
        ...(config.jobsEnabled ? [ScheduleModule.forRoot()] : []),
      ],
      controllers: [HealthController, MetricsController],
      providers: [
        { provide: APP_CONFIG, useValue: config },
        { provide: Clock, useValue: options.clock ?? new SystemClock() },
        { provide: SecretBox, useFactory: () => new SecretBox(config.encryptionKeys) },
        { provide: OPERATOR_TOKEN, useValue: options.operatorToken },
        ...(sharedThrottleStorage ? [{ provide: RedisThrottlerStorage, useValue: sharedThrottleStorage }] : []),
        MetricsRegistry,
        JobRunner,
        IdempotencyService,
        RateLimiter,
        ErrorRenderers,
        PurgeIdempotencyRecordsJob,
        { provide: APP_GUARD, useClass: TrackedThrottlerGuard },
        { provide: APP_GUARD, useClass: AuthenticationGuard },
        { provide: APP_INTERCEPTOR, useClass: IdempotencyInterceptor },
        { provide: APP_FILTER, useClass: AllExceptionsFilter },
        { provide: APP_PIPE, useFactory: validationPipe },
      ],
      exports: [APP_CONFIG, Clock, SecretBox, JobRunner, MetricsRegistry, IdempotencyService, RateLimiter, ErrorRenderers],
    };
  }
}
