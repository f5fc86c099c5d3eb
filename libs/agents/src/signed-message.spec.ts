import { canonicalJson } from '@refos/platform';
import { generateKeyPairSync, sign } from 'node:crypto';
import {
  authenticationMessage,
  normalizedProfile,
  referralCodeMessage,
  registrationMessage,
  reviewMessage,
  verifySignedMessage,
} from './signed-message';
import { EXAMPLE_DID, EXAMPLE_PUBLIC_KEY, EXAMPLE_SUBJECT_DID, SIGNING_EXAMPLES } from './signing-examples';

describe('signature messages', () => {
  it('gives the profile every key: nulls for text, [] for lists', () => {
    expect(normalizedProfile({ name: 'My Agent', capabilities: [{ type: 'coding' }] })).toEqual({
      avatar: null,
      capabilities: [{ type: 'coding' }],
      description: null,
      name: 'My Agent',
      tags: [],
      website: null,
    });
  });

  it('includes referrer in the registration message only when one is given', () => {
    const base = { public_key: EXAMPLE_PUBLIC_KEY, profile: { name: 'A' }, timestamp: 1 };
    expect(registrationMessage(base)).not.toHaveProperty('referrer');
    expect(registrationMessage({ ...base, referrer: null })).not.toHaveProperty('referrer');
    expect(registrationMessage({ ...base, referrer: 'ABC123XY' })).toHaveProperty('referrer', 'ABC123XY');
  });

  it('signs absent code options as null', () => {
    expect(referralCodeMessage({ did: EXAMPLE_DID, timestamp: 5 })).toEqual({
      did: EXAMPLE_DID,
      expires_at: null,
      max_uses: null,
      purpose: 'create_referral_code',
      timestamp: 5,
    });
  });

  it.each([
    ['registration', () => registrationMessage({ public_key: EXAMPLE_PUBLIC_KEY, profile: { name: 'My Agent', capabilities: [{ type: 'coding' }] }, referrer: 'ABC123XY', timestamp: 1764849600000 })],
    ['authenticate', () => authenticationMessage({ public_key: EXAMPLE_PUBLIC_KEY, timestamp: 1764849600000 })],
    ['create_referral_code', () => referralCodeMessage({ did: EXAMPLE_DID, expires_at: 1767225600000, max_uses: 10, timestamp: 1764849600000 })],
    ['create_review', () => reviewMessage({ did: EXAMPLE_DID, subject_did: EXAMPLE_SUBJECT_DID, rating: 5, comment: 'Fast and accurate', timestamp: 1764849600000 })],
  ] as const)('builds the documented %s example, whose signature verifies', (purpose, build) => {
    const example = SIGNING_EXAMPLES[purpose];
    expect(canonicalJson(build())).toBe(example.canonical);
    expect(canonicalJson(example.message)).toBe(example.canonical);
    expect(verifySignedMessage(build(), EXAMPLE_PUBLIC_KEY, example.signature)).toBe(true);
  });
});

describe('verifySignedMessage', () => {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  const publicHex = publicKey.export({ format: 'der', type: 'spki' }).subarray(-32).toString('hex');
  const message = { purpose: 'authenticate', public_key: publicHex, timestamp: 1764849600000 };
  const signature = sign(null, Buffer.from(canonicalJson(message)), privateKey).toString('hex');

  it('accepts the key\'s signature, in upper-case hex too', () => {
    expect(verifySignedMessage(message, publicHex, signature)).toBe(true);
    expect(verifySignedMessage(message, publicHex.toUpperCase(), signature.toUpperCase())).toBe(true);
  });

  it.each([
    ['a tampered field', { ...message, timestamp: message.timestamp + 1 }, publicHex, signature],
    ['another key', message, EXAMPLE_PUBLIC_KEY, signature],
    ['a flipped signature bit', message, publicHex, `${signature.slice(0, -1)}${signature.endsWith('0') ? '1' : '0'}`],
    ['a short signature', message, publicHex, signature.slice(0, 126)],
    ['a key that is no curve point', message, 'ff'.repeat(32), signature],
    ['a short key', message, publicHex.slice(0, 62), signature],
  ])('refuses %s', (_case, msg, key, sig) => {
    expect(verifySignedMessage(msg, key, sig)).toBe(false);
  });
});
