import { Inject, Injectable } from '@nestjs/common';
import { ThrottlerStorage } from '@nestjs/throttler';
import { DomainError } from '../errors/domain-error';

/**
 * Limits a route's own keys (an app, a client IP) beyond the global per-credential throttle, on the
 * same storage: Redis shared by every instance when REDIS_URL is set, else this process's memory.
 */
@Injectable()
export class RateLimiter {
  constructor(@Inject(ThrottlerStorage) private readonly storage: ThrottlerStorage) {}

  /** Counts one request against `key`; past `limit` in the window, 429 `rate_limited` with Retry-After. */
  async hit(key: string, limit: number, windowMs: number): Promise<void> {
    const record = await this.storage.increment(key, windowMs, limit, windowMs, 'route');
    if (record.isBlocked || record.totalHits > limit) {
      // The storage reports these in seconds.
      const retryAfter = record.isBlocked ? record.timeToBlockExpire : record.timeToExpire;
      throw new DomainError('rate_limited', 429, 'Too many requests: slow down and retry after the time in Retry-After', undefined, {
        'Retry-After': String(Math.max(1, retryAfter)),
      });
    }
  }
}
