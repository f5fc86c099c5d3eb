import { readCookie, requestOriginTrusted, trustedOrigins } from './session-cookie';

describe('readCookie', () => {
  it.each<[string | undefined, string | undefined]>([
    [undefined, undefined],
    ['', undefined],
    ['refos_session=abc', 'abc'],
    ['theme=dark; refos_session=abc; other=1', 'abc'],
    ['refos_session_old=x; refos_session=abc', 'abc'],
    ['refos_session="abc"', 'abc'],
    ['refos_session=a%20b', 'a b'],
    ['refos_session=%E0%A4%A', '%E0%A4%A'],
    ['xrefos_session=abc', undefined],
  ])('reads %j as %j', (header, expected) => {
    expect(readCookie({ headers: { cookie: header } }, 'refos_session')).toBe(expected);
  });
});

describe('trustedOrigins', () => {
  it('joins the API origin and the dashboard origins without duplicates', () => {
    expect(trustedOrigins({ publicBaseUrl: 'https://api.example.com/base', dashboardOrigins: ['https://app.example.com', 'https://api.example.com'] })).toEqual([
      'https://api.example.com',
      'https://app.example.com',
    ]);
  });
});

describe('requestOriginTrusted', () => {
  const trusted = ['https://app.example.com', 'http://localhost:3000'];
  it.each<[string, Record<string, string>, boolean]>([
    ['a trusted Origin', { origin: 'https://app.example.com' }, true],
    ['a trusted Origin with a port', { origin: 'http://localhost:3000' }, true],
    ['a foreign Origin', { origin: 'https://evil.example' }, false],
    ['the trusted host on another scheme', { origin: 'http://app.example.com' }, false],
    ['the trusted host on another port', { origin: 'https://app.example.com:8443' }, false],
    ['an opaque Origin', { origin: 'null' }, false],
    ['a trusted Referer without Origin', { referer: 'https://app.example.com/settings?x=1' }, true],
    ['a foreign Referer without Origin', { referer: 'https://evil.example/https://app.example.com' }, false],
    ['a malformed Referer', { referer: 'not a url' }, false],
    ['a foreign Origin with a trusted Referer', { origin: 'https://evil.example', referer: 'https://app.example.com/' }, false],
    ['neither header', {}, false],
  ])('%s -> %s', (_case, headers, expected) => {
    expect(requestOriginTrusted(headers, trusted)).toBe(expected);
  });
});
