import { destinationUrlProblem } from './is-https-url';

describe('destination URLs', () => {
  it.each([
    'https://example.com',
    'https://miniapp.example/claim?x=1#top',
    'https://EXAMPLE.com:8443/path',
    'https://xn--bcher-kva.example/ü',
    `https://example.com/${'a'.repeat(2048 - 'https://example.com/'.length)}`,
  ])('accepts %s', (url) => {
    expect(destinationUrlProblem(url)).toBeNull();
  });

  it.each([
    ['http://example.com', 'https'],
    ['javascript:alert(1)', 'https'],
    ['https:example.com', 'https'],
    ['//example.com', 'https'],
    [' https://example.com', 'https'],
    ['https://exa mple.com', 'https'],
    ['https://', 'valid'],
    ['https://user:pw@example.com', 'credentials'],
    ['https://user@example.com', 'credentials'],
    [`https://example.com/${'a'.repeat(2048)}`, 'at most'],
    [42, 'string'],
  ])('refuses %s', (url, problem) => {
    expect(destinationUrlProblem(url)).toContain(problem);
  });
});
