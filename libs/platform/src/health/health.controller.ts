import { Controller, Get, HttpCode, Inject, Optional } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import { SkipThrottle } from '@nestjs/throttler';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { Public } from '../auth/auth.decorators';
import { DomainError } from '../errors/domain-error';
import { RedisThrottlerStorage } from '../throttling/redis-throttler.storage';

const READINESS_TIMEOUT_MS = 2_000;

function withTimeout<T>(promise: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    promise,
    new Promise<T>((_, reject) => {
      timer = setTimeout(() => reject(new Error('timed out')), READINESS_TIMEOUT_MS);
    }),
  ]).finally(() => clearTimeout(timer));
}

@ApiTags('health')
@Controller('health')
@Public()
@SkipThrottle()
export class HealthController {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Optional() @Inject(RedisThrottlerStorage) private readonly redis?: RedisThrottlerStorage,
  ) {}

  @Get()
  @ApiOperation({ summary: 'Liveness: the process is up and serving HTTP' })
  @ApiOkResponse({ schema: { example: { status: 'ok' } } })
  live() {
    return { status: 'ok' };
  }

  @Get('ready')
  @HttpCode(200)
  @ApiOperation({ summary: 'Readiness: PostgreSQL (and Redis when configured) answer within 2 s' })
  @ApiOkResponse({ schema: { example: { status: 'ok', checks: { database: 'up', redis: 'up' } } } })
  @ApiServiceUnavailableResponse({ description: 'A dependency is down; `details` names it' })
  async ready() {
    const checks: Record<string, 'up' | 'down'> = {};
    checks.database = await withTimeout(this.dataSource.query('SELECT 1')).then(
      () => 'up' as const,
      () => 'down' as const,
    );
    if (this.redis) {
      checks.redis = await withTimeout(this.redis.ping()).then(
        (ok) => (ok ? ('up' as const) : ('down' as const)),
        () => 'down' as const,
      );
    }
    if (Object.values(checks).includes('down')) {
      throw new DomainError('not_ready', 503, 'A dependency is unavailable', checks);
    }
    return { status: 'ok', checks };
  }
}
