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
  @ApiOperation({
    summary: 'Readiness: PostgreSQL answers within 2 s',
    description: 'Redis, when configured, is reported too; without it the answer is `degraded` but still 200.',
  })
  @ApiOkResponse({ schema: { example: { status: 'ok', checks: { database: 'up', redis: 'up' } } } })
  @ApiServiceUnavailableResponse({ description: 'PostgreSQL is down; `details` has every check' })
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
    if (checks.database === 'down') throw new DomainError('not_ready', 503, 'PostgreSQL is unavailable', checks);
    // Without Redis each instance rate-limits on its own: degraded, but still able to serve.
    return { status: checks.redis === 'down' ? 'degraded' : 'ok', checks };
  }
}
