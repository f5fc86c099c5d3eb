import { Logger } from '@nestjs/common';
import { ThrottlerStorage } from '@nestjs/throttler';
import Redis from 'ioredis';
import { once } from 'node:events';
import { MemoryThrottlerStorage } from './memory-throttler.storage';

type ThrottlerStorageRecord = Awaited<ReturnType<ThrottlerStorage['increment']>>;

// One round trip, atomic across instances: count the hit in a fixed window and open a block once
// the limit is passed. Returns hits, window ms left, block ms left.
const INCREMENT = `
local hits = redis.call('INCR', KEYS[1])
if hits == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
local window = redis.call('PTTL', KEYS[1])
local block = redis.call('PTTL', KEYS[2])
if block <= 0 and hits > tonumber(ARGV[2]) then
  redis.call('SET', KEYS[2], '1', 'PX', ARGV[3])
  block = tonumber(ARGV[3])
end
return { hits, window, block }
`;

/** Rate-limit counters in Redis so every API instance enforces one shared limit. */
export class RedisThrottlerStorage implements ThrottlerStorage {
  private readonly redis: Redis;

  private readonly logger = new Logger('Throttling');
  /** While Redis is unreachable each instance limits on its own rather than failing every request. */
  private readonly fallback = new MemoryThrottlerStorage();
  private lastOutageLog = 0;
  private initialConnection?: Promise<void>;

  constructor(url: string, private readonly prefix = 'refos:throttle:') {
    // Fail fast when disconnected: a rate limiter must not add seconds of latency to every request.
    this.redis = new Redis(url, { maxRetriesPerRequest: 1, enableOfflineQueue: false, connectTimeout: 2_000, commandTimeout: 500 });
    this.redis.on('error', () => undefined);
    this.redis.defineCommand('throttleIncrement', { numberOfKeys: 2, lua: INCREMENT });
  }

  async increment(key: string, ttl: number, limit: number, blockDuration: number, throttlerName: string): Promise<ThrottlerStorageRecord> {
    await this.connect();
    try {
      return await this.incrementShared(key, ttl, limit, blockDuration, throttlerName);
    } catch (error) {
      if (Date.now() - this.lastOutageLog > 10_000) {
        this.lastOutageLog = Date.now();
        this.logger.warn({ err: error }, 'Redis unreachable: rate limits are per instance until it is back');
      }
      return this.fallback.increment(key, ttl, limit, blockDuration, throttlerName);
    }
  }

  private async incrementShared(key: string, ttl: number, limit: number, blockDuration: number, throttlerName: string): Promise<ThrottlerStorageRecord> {
    const base = `${this.prefix}${throttlerName}:${key}`;
    const [totalHits, windowMs, blockMs] = (await (this.redis as unknown as {
      throttleIncrement(...args: (string | number)[]): Promise<number[]>;
    }).throttleIncrement(base, `${base}:block`, ttl, limit, blockDuration > 0 ? blockDuration : ttl)) as number[];
    return {
      totalHits,
      timeToExpire: Math.max(0, Math.ceil(windowMs / 1000)),
      isBlocked: blockMs > 0,
      timeToBlockExpire: Math.max(0, Math.ceil(blockMs / 1000)),
    };
  }

  /**
   * Waits (once, briefly) for the first connection so the first requests already share counters;
   * after that attempt, a missing Redis never delays a request again.
   */
  connect(timeoutMs = 2_000): Promise<void> {
    this.initialConnection ??= this.waitUntilReady(timeoutMs);
    return this.initialConnection;
  }

  private async waitUntilReady(timeoutMs: number): Promise<void> {
    if (this.redis.status === 'ready') return;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      // `once` rejects on the first 'error' event; a refused connection simply isn't ready.
      once(this.redis, 'ready').catch(() => undefined),
      new Promise((resolve) => {
        timer = setTimeout(resolve, timeoutMs);
      }),
    ]);
    clearTimeout(timer);
    if ((this.redis.status as string) !== 'ready') this.logger.warn('Redis not reachable at start-up: rate limits are per instance until it is');
  }

  async ping(): Promise<boolean> {
    await this.connect();
    return (await this.redis.ping()) === 'PONG';
  }

  async close(): Promise<void> {
    this.fallback.close();
    if (this.redis.status !== 'ready') return this.redis.disconnect();
    await this.redis.quit().catch(() => this.redis.disconnect());
  }
}
