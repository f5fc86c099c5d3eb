import { MemoryThrottlerStorage } from './memory-throttler.storage';

describe('MemoryThrottlerStorage', () => {
  let storage: MemoryThrottlerStorage;
  beforeEach(() => {
    jest.useFakeTimers({ now: Date.parse('2026-11-22T12:00:00Z') });
    storage = new MemoryThrottlerStorage();
  });
  afterEach(() => {
    storage.close();
    jest.useRealTimers();
  });

  it('counts hits in a fixed window and blocks once the limit is passed', async () => {
    const seen = [];
    for (let i = 0; i < 4; i++) seen.push(await storage.increment('k', 60_000, 3, 0, 'default'));
    expect(seen.map((r) => [r.totalHits, r.isBlocked])).toEqual([
      [1, false],
      [2, false],
      [3, false],
      [4, true],
    ]);
    expect(seen[3]).toMatchObject({ timeToExpire: 60, timeToBlockExpire: 60 });
  });

  it('starts a new window when the old one ends, and keeps a longer block past it', async () => {
    for (let i = 0; i < 3; i++) await storage.increment('k', 1_000, 2, 5_000, 'default');
    jest.advanceTimersByTime(1_500);
    const blocked = await storage.increment('k', 1_000, 2, 5_000, 'default');
    expect(blocked).toMatchObject({ totalHits: 1, isBlocked: true, timeToBlockExpire: 4 });
    jest.advanceTimersByTime(4_000);
    expect(await storage.increment('k', 1_000, 2, 5_000, 'default')).toMatchObject({ totalHits: 1, isBlocked: false });
  });

  it('keeps keys and throttler names apart', async () => {
    await storage.increment('a', 60_000, 1, 0, 'default');
    expect((await storage.increment('b', 60_000, 1, 0, 'default')).totalHits).toBe(1);
    expect((await storage.increment('a', 60_000, 1, 0, 'route')).totalHits).toBe(1);
  });
});
