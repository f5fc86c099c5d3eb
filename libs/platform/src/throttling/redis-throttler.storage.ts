import { Logger } from '@nestjs/common';
import { ThrottlerStorage } from '@nestjs/throttler';
import Redis from 'ioredis';
import { once } from 'node:events';
import { MemoryThrottlerStorage } from './memory-throttler.storage';

type ThrottlerStorageRecord = Awaited<ReturnType<ThrottlerStorage['increment']>>;

// One round trip for every hit an instance counts in one turn of its event loop, atomic across
// instances: per key, add its hits to a fixed window, and open a block once the limit is passed.
// KEYS: counter and block key per entry; ARGV: hits, window ms, limit, block ms per entry.
// Returns per entry: hits after adding, window ms left, block ms left before this call.
const INCREMENT = `
local out = {}
for i = 1, #KEYS / 2 do
  local n, limit = tonumber(ARGV[4 * i - 3]), tonumber(ARGV[4 * i - 1])
  local hits = redis.call('INCRBY', KEYS[2 * i - 1], n)
  if hits == n then redis.call('PEXPIRE', KEYS[2 * i - 1], ARGV[4 * i - 2]) end
  local window = redis.call('PTTL', KEYS[2 * i - 1])
  local block = redis.call('PTTL', KEYS[2 * i])
  if block <= 0 and hits > limit then redis.call('SET', KEYS[2 * i], '1', 'PX', ARGV[4 * i]) end
  out[i] = { hits, window, block }
end
return out
`;

interface PendingHit {
  resolve(record: ThrottlerStorageRecord): void;
  reject(error: unknown): void;
}

/** Hits on one key with the same window, limit and block, waiting for the next round trip. */
interface PendingKey {
  base: string;
  ttl: number;
  limit: number;
  blockMs: number;
  hits: PendingHit[];
}

/** Rate-limit counters in Redis so every API instance enforces one shared limit. */
export class RedisThrottlerStorage implements ThrottlerStorage {
  private readonly redis: Redis;

  private readonly logger = new Logger('Throttling');
  /** While Redis is unreachable each instance limits on its own rather than failing every request. */
  private readonly fallback = new MemoryThrottlerStorage();
  private lastOutageLog = 0;
  private initialConnection?: Promise<void>;
  private readonly pending = new Map<string, PendingKey>();

  constructor(url: string, private readonly prefix = 'refos:throttle:') {
    // Fail fast when disconnected: a rate limiter must not add seconds of latency to every request.
    this.redis = new Redis(url, { maxRetriesPerRequest: 1, enableOfflineQueue: false, connectTimeout: 2_000, commandTimeout: 500 });
    this.redis.on('error', () => undefined);
    this.redis.defineCommand('throttleIncrement', { lua: INCREMENT });
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

  /**
   * Queues the hit for this turn's round trip. Coalescing changes nothing a caller sees: the hits on a
   * key are numbered in arrival order exactly as one INCR each would be, and the hit that passes the
   * limit opens the block; it saves a round trip per request (~40 µs of CPU on the events path).
   */
  private incrementShared(key: string, ttl: number, limit: number, blockDuration: number, throttlerName: string): Promise<ThrottlerStorageRecord> {
    const base = `${this.prefix}${throttlerName}:${key}`;
    const blockMs = blockDuration > 0 ? blockDuration : ttl;
    const slot = `${base}\n${ttl}\n${limit}\n${blockMs}`;
    if (this.pending.size === 0) setImmediate(() => this.flush());
    let pendingKey = this.pending.get(slot);
    if (!pendingKey) {
      pendingKey = { base, ttl, limit, blockMs, hits: [] };
      this.pending.set(slot, pendingKey);
    }
    const hits = pendingKey.hits;
    return new Promise((resolve, reject) => hits.push({ resolve, reject }));
  }

  private async flush(): Promise<void> {
    const batch = [...this.pending.values()];
    this.pending.clear();
    try {
      const replies = (await (this.redis as unknown as {
        throttleIncrement(numberOfKeys: number, ...args: (string | number)[]): Promise<number[][]>;
      }).throttleIncrement(
        batch.length * 2,
        ...batch.flatMap((entry) => [entry.base, `${entry.base}:block`]),
        ...batch.flatMap((entry) => [entry.hits.length, entry.ttl, entry.limit, entry.blockMs]),
      )) as number[][];
      batch.forEach((entry, i) => {
        const [totalHits, windowMs, blockMsLeft] = replies[i];
        const first = totalHits - entry.hits.length + 1;
        entry.hits.forEach((hit, position) => {
          const hits = first + position;
          // Blocked already, or this hit is past the limit and (like every later one) meets the block it opened.
          const blockedFor = blockMsLeft > 0 ? blockMsLeft : hits > entry.limit ? entry.blockMs : 0;
          hit.resolve({
            totalHits: hits,
            timeToExpire: Math.max(0, Math.ceil(windowMs / 1000)),
            isBlocked: blockedFor > 0,
            timeToBlockExpire: Math.max(0, Math.ceil(blockedFor / 1000)),
          });
        });
      });
    } catch (error) {
      for (const entry of batch) for (const hit of entry.hits) hit.reject(error);
    }
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
