import { randomBytes } from 'node:crypto';
import Redis from 'ioredis';
import { RedisThrottlerStorage } from './redis-throttler.storage';

// Runs against the real Redis at REDIS_URL; skipped without one.
const withRedis = process.env.REDIS_URL ? describe : describe.skip;

withRedis('RedisThrottlerStorage (real Redis)', () => {
  const prefix = `refos:unit:${randomBytes(6).toString('hex')}:`;
  let raw: Redis;
  const storages: RedisThrottlerStorage[] = [];
  const storage = (keyPrefix = prefix) => {
    const made = new RedisThrottlerStorage(process.env.REDIS_URL!, keyPrefix);
    storages.push(made);
    return made;
  };
  let n = 0;
  const key = () => `key-${++n}`;

  beforeAll(() => {
    raw = new Redis(process.env.REDIS_URL!);
  });
  afterAll(async () => {
    const keys = await raw.keys(`${prefix}*`);
    const other = await raw.keys(`${prefix.slice(0, -1)}-other:*`);
    if (keys.length + other.length > 0) await raw.del(...keys, ...other);
    await Promise.all(storages.map((s) => s.close()));
    await raw.quit();
  });

  it('counts hits in a window and blocks once the limit is passed', async () => {
    const s = storage();
    const k = key();
    const seen = [];
    for (let i = 0; i < 4; i++) seen.push(await s.increment(k, 60_000, 3, 0, 'default'));
    expect(seen.map((r) => [r.totalHits, r.isBlocked])).toEqual([
      [1, false],
      [2, false],
      [3, false],
      [4, true],
    ]);
    for (const record of seen) {
      expect(record.timeToExpire).toBeGreaterThan(0);
      expect(record.timeToExpire).toBeLessThanOrEqual(60);
    }
    expect(seen[0].timeToBlockExpire).toBe(0);
    // Without a block duration of its own, the block lasts one window.
    expect(seen[3].timeToBlockExpire).toBe(60);
  });

  it('stays blocked on later hits, counting down the same block', async () => {
    const s = storage();
    const k = key();
    for (let i = 0; i < 2; i++) await s.increment(k, 60_000, 1, 30_000, 'default');
    const later = await s.increment(k, 60_000, 1, 30_000, 'default');
    expect(later).toMatchObject({ totalHits: 3, isBlocked: true });
    expect(later.timeToBlockExpire).toBeGreaterThan(0);
    expect(later.timeToBlockExpire).toBeLessThanOrEqual(30);
  });

  it('gives the window and the block keys an expiry so nothing stays in Redis', async () => {
    const s = storage();
    const k = key();
    for (let i = 0; i < 2; i++) await s.increment(k, 5_000, 1, 7_000, 'default');
    const window = await raw.pttl(`${prefix}default:${k}`);
    const block = await raw.pttl(`${prefix}default:${k}:block`);
    expect(window).toBeGreaterThan(0);
    expect(window).toBeLessThanOrEqual(5_000);
    expect(block).toBeGreaterThan(5_000);
    expect(block).toBeLessThanOrEqual(7_000);
  });

  it('keeps keys, throttler names and prefixes apart, and shares a prefix between instances', async () => {
    const a = storage();
    const b = storage();
    const other = storage(`${prefix.slice(0, -1)}-other:`);
    const k = key();
    await a.increment(k, 60_000, 10, 0, 'default');
    expect((await b.increment(k, 60_000, 10, 0, 'default')).totalHits).toBe(2);
    expect((await a.increment(k, 60_000, 10, 0, 'burst')).totalHits).toBe(1);
    expect((await a.increment(key(), 60_000, 10, 0, 'default')).totalHits).toBe(1);
    expect((await other.increment(k, 60_000, 10, 0, 'default')).totalHits).toBe(1);
  });

  it('counts concurrent hits exactly once each', async () => {
    const instances = [storage(), storage(), storage()];
    const k = key();
    const results = await Promise.all(Array.from({ length: 30 }, (_, i) => instances[i % 3].increment(k, 60_000, 20, 0, 'default')));
    expect(results.map((r) => r.totalHits).sort((x, y) => x - y)).toEqual(Array.from({ length: 30 }, (_, i) => i + 1));
    expect(results.filter((r) => r.isBlocked)).toHaveLength(10);
  });

  it('numbers hits coalesced into one round trip as if each were its own, key by key', async () => {
    const s = storage();
    const [a, b] = [key(), key()];
    const hits = await Promise.all([
      ...Array.from({ length: 5 }, () => s.increment(a, 60_000, 3, 0, 'default')),
      ...Array.from({ length: 2 }, () => s.increment(b, 60_000, 3, 0, 'default')),
      s.increment(a, 60_000, 3, 0, 'burst'),
    ]);
    expect(hits.map((r) => [r.totalHits, r.isBlocked])).toEqual([
      [1, false],
      [2, false],
      [3, false],
      [4, true],
      [5, true],
      [1, false],
      [2, false],
      [1, false],
    ]);
    expect(await raw.get(`${prefix}default:${a}`)).toBe('5');
    // The next turn meets the block the fourth hit opened.
    expect(await s.increment(a, 60_000, 3, 0, 'default')).toMatchObject({ totalHits: 6, isBlocked: true });
  });

  it('answers ping', async () => {
    await expect(storage().ping()).resolves.toBe(true);
  });
});

describe('RedisThrottlerStorage without Redis', () => {
  it('keeps limiting on its own when Redis is unreachable instead of failing requests', async () => {
    const sut = new RedisThrottlerStorage('redis://127.0.0.1:1');
    try {
      await sut.connect(200);
      const seen = [];
      for (let i = 0; i < 3; i++) seen.push(await sut.increment('k', 60_000, 2, 0, 'default'));
      expect(seen.map((r) => [r.totalHits, r.isBlocked])).toEqual([
        [1, false],
        [2, false],
        [3, true],
      ]);
    } finally {
      await sut.close();
    }
  });
});
