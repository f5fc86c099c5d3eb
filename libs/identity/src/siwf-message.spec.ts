import type { SiweMessage } from 'viem/siwe';
import { checkSiwfMessage, SiwfMessagePolicy } from './siwf-message';

const NOW = new Date('2026-11-22T12:00:00Z');
const at = (offsetMs: number) => new Date(NOW.getTime() + offsetMs);
const MINUTE = 60_000;

const policy: SiwfMessagePolicy = {
  domain: 'app.example.com',
  allowedOrigins: ['https://app.example.com', 'https://dashboard.example.com'],
  now: NOW,
  maxAgeMs: 10 * MINUTE,
  skewMs: MINUTE,
};

const valid: Partial<SiweMessage> = {
  domain: 'app.example.com',
  address: '0x8ba1f109551bD432803012645Ac136ddd64DBA72',
  uri: 'https://app.example.com/login',
  nonce: 'q8Xb2MdKp4TzWn7YcR3vJhLs',
  issuedAt: NOW,
};

describe('checkSiwfMessage', () => {
  it.each<[string, Partial<SiweMessage>]>([
    ['a message issued now', {}],
    ['a URI on a dashboard origin', { uri: 'https://dashboard.example.com/' }],
    ['issuedAt within the skew ahead', { issuedAt: at(59_000) }],
    ['issuedAt just inside the age limit', { issuedAt: at(-10 * MINUTE) }],
    ['an expiration in the future', { expirationTime: at(1000) }],
    ['a notBefore within the skew', { notBefore: at(30_000) }],
  ])('accepts %s', (_case, change) => {
    expect(checkSiwfMessage({ ...valid, ...change }, policy)).toBeNull();
  });

  it.each<[string, Partial<SiweMessage>, string]>([
    ['no nonce', { nonce: undefined }, 'invalid_message'],
    ['no address', { address: undefined }, 'invalid_message'],
    ['no issuedAt', { issuedAt: undefined }, 'invalid_message'],
    ['an invalid issuedAt', { issuedAt: new Date('nope') }, 'invalid_message'],
    ['another domain', { domain: 'evil.example' }, 'invalid_domain'],
    ['the domain with another port', { domain: 'app.example.com:8443' }, 'invalid_domain'],
    ['a URI on another origin', { uri: 'https://evil.example/login' }, 'invalid_uri'],
    ['a URI on the right host over http', { uri: 'http://app.example.com/login' }, 'invalid_uri'],
    ['a look-alike URI', { uri: 'https://app.example.com.evil.example/' }, 'invalid_uri'],
    ['a URI that is not a URL', { uri: 'app.example.com' }, 'invalid_uri'],
    ['issuedAt beyond the skew ahead', { issuedAt: at(61_000) }, 'message_not_yet_valid'],
    ['a notBefore beyond the skew', { notBefore: at(2 * MINUTE) }, 'message_not_yet_valid'],
    ['issuedAt older than the age limit', { issuedAt: at(-10 * MINUTE - 1) }, 'message_expired'],
    ['an expiration now', { expirationTime: NOW }, 'message_expired'],
    ['an expiration in the past', { expirationTime: at(-1000) }, 'message_expired'],
  ])('refuses %s as %s', (_case, change, code) => {
    expect(checkSiwfMessage({ ...valid, ...change }, policy)?.code).toBe(code);
  });
});
