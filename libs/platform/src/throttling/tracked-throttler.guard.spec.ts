import { createHash } from 'node:crypto';
import { TrackedThrottlerGuard } from './tracked-throttler.guard';

// getTracker reads only the request: no need for the guard's Nest dependencies.
const guard = Object.create(TrackedThrottlerGuard.prototype) as { getTracker(req: Record<string, unknown>): Promise<string> };
const tracker = (headers: Record<string, string>, ip = '203.0.113.9') => guard.getTracker({ headers, ip });
const hashed = (value: string) => `cred:${createHash('sha256').update(value).digest('hex').slice(0, 32)}`;

describe('TrackedThrottlerGuard.getTracker', () => {
  it.each<[string, Record<string, string>, string]>([
    ['a bearer key', { authorization: 'Bearer dlk_abc_secret' }, hashed('Bearer dlk_abc_secret')],
    ['an app key', { 'x-api-key': 'app_secret' }, hashed('app_secret')],
    ['both: the Authorization header wins', { authorization: 'Bearer t', 'x-api-key': 'a' }, hashed('Bearer t')],
    ['nothing: the client IP', {}, 'ip:203.0.113.9'],
    ['an empty Authorization header: the client IP', { authorization: '' }, 'ip:203.0.113.9'],
  ])('tracks %s', async (_case, headers, expected) => {
    await expect(tracker(headers)).resolves.toBe(expected);
  });

  it('never puts the secret itself in the tracker', async () => {
    const secret = 'dlk_AAAAAAAAAAAA_BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB';
    expect(await tracker({ authorization: `Bearer ${secret}` })).not.toContain('BBBB');
  });

  it('gives different credentials different trackers', async () => {
    expect(await tracker({ authorization: 'Bearer one' })).not.toBe(await tracker({ authorization: 'Bearer two' }));
  });
});
