import { createHmac } from 'node:crypto';
import { signAgentToken, verifyAgentToken } from './agent-token';

const SECRET = 'a-test-secret-of-at-least-32-characters!';
const claims = { sub: '0b6f2c4e-8f1a-4d3b-9c5e-7a2d1f0e3b4c', did: 'did:web:x:agent:0b6f2c4e-8f1a-4d3b-9c5e-7a2d1f0e3b4c', iat: 1_764_849_600, exp: 1_764_936_000 };
const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

describe('agent JWTs', () => {
  const token = signAgentToken(claims, SECRET);

  it('is a standard HS256 JWT', () => {
    const [header, payload, signature] = token.split('.');
    expect(JSON.parse(Buffer.from(header, 'base64url').toString())).toEqual({ alg: 'HS256', typ: 'JWT' });
    expect(JSON.parse(Buffer.from(payload, 'base64url').toString())).toEqual(claims);
    expect(signature).toBe(createHmac('sha256', SECRET).update(`${header}.${payload}`).digest('base64url'));
  });

  it('verifies until exp, and not from exp on', () => {
    expect(verifyAgentToken(token, SECRET, claims.exp * 1000 - 1)).toEqual(claims);
    expect(verifyAgentToken(token, SECRET, claims.exp * 1000)).toBeNull();
  });

  it.each([
    ['another secret', () => signAgentToken(claims, `${SECRET}x`)],
    ['a changed payload', () => token.replace(token.split('.')[1], b64({ ...claims, sub: 'someone-else' }))],
    ['alg none', () => `${b64({ alg: 'none', typ: 'JWT' })}.${b64(claims)}.`],
    ['two parts', () => token.split('.').slice(0, 2).join('.')],
    ['garbage', () => 'not-a-token'],
    ['a payload without exp', () => {
      const header = token.split('.')[0];
      const payload = b64({ sub: claims.sub, did: claims.did, iat: claims.iat });
      return `${header}.${payload}.${createHmac('sha256', SECRET).update(`${header}.${payload}`).digest('base64url')}`;
    }],
  ])('refuses %s', (_case, make) => {
    expect(verifyAgentToken(make(), SECRET, claims.iat * 1000)).toBeNull();
  });
});
