import { randomBytes } from 'node:crypto';
import { constantTimeEqual, randomBase62, SecretBox, sha256Hex, timeOrderedId, uuidv7 } from './crypto';

describe('randomBase62', () => {
  it('returns the requested length from the base62 alphabet', () => {
    for (const length of [1, 8, 32, 100]) {
      expect(randomBase62(length)).toMatch(new RegExp(`^[0-9A-Za-z]{${length}}$`));
    }
  });

  it('does not repeat itself', () => {
    const seen = new Set(Array.from({ length: 1000 }, () => randomBase62(16)));
    expect(seen.size).toBe(1000);
  });
});

describe('timeOrderedId', () => {
  it('starts with the milliseconds in 9 lowercase base36 digits, then random base62 characters', () => {
    expect(timeOrderedId(0, 22)).toMatch(/^000000000[0-9A-Za-z]{13}$/);
    expect(timeOrderedId(36 ** 2 + 5, 22).slice(0, 9)).toBe('000000105');
    expect(timeOrderedId(1_796_000_000_000, 22).slice(0, 9)).toBe((1_796_000_000_000).toString(36).padStart(9, '0'));
    const ids = new Set(Array.from({ length: 1000 }, () => timeOrderedId(1_796_000_000_000, 22)));
    expect(ids.size).toBe(1000);
  });

  it('sorts by time in byte order and in a linguistic collation, whatever the random part', () => {
    const times = [1_700_000_000_000, 1_700_000_000_001, 1_700_000_000_036, 1_796_000_000_000, 1_796_000_060_000, 2_000_000_000_000];
    const ids = [...times].reverse().map((time) => timeOrderedId(time, 22));
    const byteOrder = [...ids].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    expect(byteOrder).toEqual([...ids].reverse());
    const english = new Intl.Collator('en-US');
    expect([...ids].sort((a, b) => english.compare(a.slice(0, 9), b.slice(0, 9)))).toEqual([...ids].reverse());
  });
});

describe('sha256Hex and constantTimeEqual', () => {
  it('hashes to the known digest', () => {
    expect(sha256Hex('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });

  it.each([
    ['same', 'same', true],
    ['same', 'Same', false],
    ['short', 'a much longer value', false],
    ['', '', true],
  ])('%s vs %s -> %s', (a, b, expected) => {
    expect(constantTimeEqual(a, b)).toBe(expected);
  });
});

describe('SecretBox', () => {
  const oldKey = { id: 'k1', key: randomBytes(32) };
  const newKey = { id: 'k2', key: randomBytes(32) };

  it('round-trips and never emits the plaintext', () => {
    const sut = new SecretBox([oldKey]);
    const sealed = sut.seal('meta-access-token');
    expect(sealed).not.toContain('meta-access-token');
    expect(sealed.startsWith('v1.k1.')).toBe(true);
    expect(sut.open(sealed)).toBe('meta-access-token');
  });

  it('uses a fresh IV each time', () => {
    const sut = new SecretBox([oldKey]);
    expect(sut.seal('x')).not.toBe(sut.seal('x'));
  });

  it('opens envelopes sealed under a rotated-out key and seals with the newest', () => {
    const sealedBefore = new SecretBox([oldKey]).seal('secret');
    const sut = new SecretBox([newKey, oldKey]);
    expect(sut.open(sealedBefore)).toBe('secret');
    expect(sut.seal('secret').split('.')[1]).toBe('k2');
  });

  it.each([
    ['a tampered ciphertext', (s: string) => s.slice(0, -2) + (s.endsWith('A') ? 'BB' : 'AA')],
    ['an unknown key id', (s: string) => s.replace('.k1.', '.k9.')],
    ['garbage', () => 'not-an-envelope'],
  ])('refuses %s', (_name, mutate) => {
    const sut = new SecretBox([oldKey]);
    expect(() => sut.open(mutate(sut.seal('secret')))).toThrow();
  });
});

describe('uuidv7', () => {
  it('is a version 7, variant 1 UUID whose first 48 bits are the time, so later ids sort later', () => {
    const first = uuidv7(Date.parse('2026-11-22T12:00:00Z'));
    const later = uuidv7(Date.parse('2026-11-22T12:00:00.001Z'));
    expect(first).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(parseInt(first.replace(/-/g, '').slice(0, 12), 16)).toBe(Date.parse('2026-11-22T12:00:00Z'));
    expect(later > first).toBe(true);
    expect(uuidv7()).not.toBe(uuidv7());
  });
});
