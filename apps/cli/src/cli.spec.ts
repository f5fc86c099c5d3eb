import { createServer, Server } from 'node:http';
import { once } from 'node:events';
import { AddressInfo } from 'node:net';
import { ApiClient, describeNetworkError, formatApiError } from './api-client';
import { apiClientFromEnv, keyRedactor, parseInvocation, run } from './cli';
import type { Command } from './command';
import { formatWhoami, WhoamiResponse } from './commands/whoami.command';

const KEY = 'dlk_x7Kp2QmA9bCd_3vJ9sQ0wLr8TzN4yH6aB1cD2eF5gK7mPqRsT';
const WHOAMI: WhoamiResponse = {
  tenant: { id: '5b0e2c57-8f1e-4c43-9a37-0c9e7d6b1a10', name: 'Acme' },
  api_key: { id: '0f6c1f0e-7a53-4d0b-b2b4-8b7f8c0d2e11', name: 'CI deploys', prefix: 'x7Kp2QmA9bCd', scopes: ['admin', 'read'], expires_at: null },
};

function jsonResponse(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
}

async function invoke(argv: string[], env: Record<string, string | undefined>, fetchImpl?: typeof fetch) {
  let stdout = '';
  let stderr = '';
  const code = await run(argv, { env, stdout: (t) => (stdout += t), stderr: (t) => (stderr += t), fetch: fetchImpl });
  return { code, stdout, stderr };
}

describe('parseInvocation', () => {
  it.each([
    [['--help'], 'help', /Usage: refos <command>/],
    [['-h'], 'help', /Commands:\n  whoami/],
    [['whoami', '--help'], 'help', /Usage: refos whoami \[--json\]/],
    [['whoami', '-h'], 'help', /--json +Print the API response as JSON/],
    [[], 'usage-error', /missing command/],
    [['bogus'], 'usage-error', /unknown command 'bogus'/],
    [['--bogus'], 'usage-error', /unknown option '--bogus'/],
    [['--bogus', 'whoami'], 'usage-error', /unknown option '--bogus'/],
    [['whoami', '--bogus'], 'usage-error', /unknown option '--bogus'/],
    [['whoami', '-x'], 'usage-error', /unknown option '-x'/],
    [['whoami', '--json=yes'], 'usage-error', /'--json' does not take an argument/],
    [['whoami', 'extra'], 'usage-error', /unexpected argument 'extra'/],
  ])('%j -> %s', (argv, kind, text) => {
    const result = parseInvocation(argv);
    expect(result.kind).toBe(kind);
    expect(result.kind === 'help' ? result.text : result.kind === 'usage-error' ? `${result.message}\n${result.usage}` : '').toMatch(text);
  });

  it('hands the command its parsed flags, without --help', () => {
    const result = parseInvocation(['whoami', '--json']);
    expect(result).toMatchObject({ kind: 'run', command: { name: 'whoami' }, args: { values: { json: true }, positionals: [] } });
    expect(parseInvocation(['whoami'])).toMatchObject({ kind: 'run', args: { values: {} } });
  });

  describe('with a command that takes arguments', () => {
    const get: Command = {
      name: 'get',
      summary: 'Get one link',
      synopsis: '<code> [--format <name>]',
      options: { format: { type: 'string', short: 'f', valueName: 'name', description: 'table or json' } },
      positionals: [{ name: 'code', description: 'The link code', required: true }],
      run: async () => 0,
    };

    it.each([
      [['get', 'abc', '-f', 'json'], { kind: 'run', args: { values: { format: 'json' }, positionals: ['abc'] } }],
      [['get'], { kind: 'usage-error', message: 'missing <code>' }],
      [['get', 'a', 'b'], { kind: 'usage-error', message: "unexpected argument 'b'" }],
      [['get', 'a', '--format'], { kind: 'usage-error', message: expect.stringMatching(/--format <value>' argument missing/) }],
    ])('%j', (argv, expected) => {
      expect(parseInvocation(argv, [get])).toMatchObject(expected);
    });

    it('documents arguments and value names in its help', () => {
      const help = parseInvocation(['get', '--help'], [get]);
      expect(help.kind === 'help' && help.text).toMatch(/Arguments:\n  <code>  The link code/);
      expect(help.kind === 'help' && help.text).toMatch(/-f, --format <name>  table or json/);
    });
  });
});

describe('apiClientFromEnv', () => {
  it.each([
    [{}, /REFOS_API_KEY is not set/],
    [{ REFOS_API_KEY: '   ' }, /REFOS_API_KEY is not set/],
    [{ REFOS_API_KEY: 'dlk_a b' }, /REFOS_API_KEY contains spaces/],
    [{ REFOS_API_KEY: KEY, REFOS_API_URL: 'localhost:3000' }, /REFOS_API_URL must start with http/],
    [{ REFOS_API_KEY: KEY, REFOS_API_URL: 'not a url' }, /REFOS_API_URL is not a valid URL/],
    [{ REFOS_API_KEY: KEY, REFOS_API_URL: 'https://me:pw@api.example' }, /must not contain a user name or password/],
    [{ REFOS_API_KEY: KEY, REFOS_API_URL: 'https://api.example/?x=1' }, /without \?query/],
  ])('refuses %j with exit 2', (env, message) => {
    expect(() => apiClientFromEnv(env)).toThrow(expect.objectContaining({ exitCode: 2, message: expect.stringMatching(message) }));
  });

  it.each([
    [undefined, 'http://localhost:3000'],
    ['', 'http://localhost:3000'],
    ['https://api.example/', 'https://api.example'],
    ['https://example.com/refos//', 'https://example.com/refos'],
  ])('REFOS_API_URL=%j -> %s', (url, base) => {
    expect(apiClientFromEnv({ REFOS_API_KEY: KEY, REFOS_API_URL: url }).baseUrl).toBe(base);
  });
});

describe('run', () => {
  it('calls whoami with the key as a Bearer token and prints a readable summary', async () => {
    const fetchImpl = jest.fn(async (_url: string | URL | Request, _init?: RequestInit) => jsonResponse(200, WHOAMI));
    const out = await invoke(['whoami'], { REFOS_API_KEY: `  ${KEY}\n`, REFOS_API_URL: 'https://api.example/' }, fetchImpl as typeof fetch);
    expect(out).toMatchObject({ code: 0, stderr: '' });
    expect(fetchImpl).toHaveBeenCalledWith('https://api.example/api/v1/whoami', expect.objectContaining({ method: 'GET' }));
    expect((fetchImpl.mock.calls[0][1]!.headers as Record<string, string>).authorization).toBe(`Bearer ${KEY}`);
    expect(out.stdout).toContain('Acme (5b0e2c57-8f1e-4c43-9a37-0c9e7d6b1a10)');
    expect(out.stdout).toContain('admin, read');
  });

  it('--json prints the response as JSON', async () => {
    const out = await invoke(['whoami', '--json'], { REFOS_API_KEY: KEY }, async () => jsonResponse(200, WHOAMI));
    expect(out.code).toBe(0);
    expect(JSON.parse(out.stdout)).toEqual(WHOAMI);
  });

  it('prints the API message and status of an HTTP error and exits 1', async () => {
    const body = { statusCode: 401, error: 'Unauthorized', message: 'Invalid API key', code: 'unauthorized', requestId: 'req-1' };
    const out = await invoke(['whoami'], { REFOS_API_KEY: KEY }, async () => jsonResponse(401, body));
    expect(out).toMatchObject({ code: 1, stdout: '' });
    expect(out.stderr).toContain('Invalid API key (HTTP 401 Unauthorized, code: unauthorized, request id: req-1)');
  });

  it('reports a non-JSON error page by its status', async () => {
    const out = await invoke(['whoami'], { REFOS_API_KEY: KEY }, async () => new Response('<html>bad gateway</html>', { status: 502, statusText: 'Bad Gateway' }));
    expect(out.code).toBe(1);
    expect(out.stderr).toContain('HTTP 502 Bad Gateway');
  });

  it('reports a 200 that is not JSON as a wrong server', async () => {
    const out = await invoke(['whoami'], { REFOS_API_KEY: KEY }, async () => new Response('<html>hello</html>', { status: 200 }));
    expect(out.code).toBe(1);
    expect(out.stderr).toMatch(/not JSON. Is REFOS_API_URL the Referral OS API\?/);
  });

  it('exits 2 naming REFOS_API_KEY when it is missing, without calling the API', async () => {
    const fetchImpl = jest.fn();
    const out = await invoke(['whoami'], {}, fetchImpl);
    expect(out.code).toBe(2);
    expect(out.stderr).toMatch(/REFOS_API_KEY is not set/);
    expect(fetchImpl).not.toHaveBeenCalled();
  });

  it('never prints the key, even when a server echoes it', async () => {
    const echo = async () => jsonResponse(400, { statusCode: 400, error: 'Bad Request', message: `bad key ${KEY}`, details: { secret: KEY.split('_')[2] } });
    const out = await invoke(['whoami'], { REFOS_API_KEY: KEY }, echo);
    expect(out.stderr).toContain('bad key [redacted]');
    expect(out.stderr).not.toContain(KEY.split('_')[2]);
  });

  it('turns an unexpected failure into exit 1', async () => {
    const out = await invoke(['whoami'], { REFOS_API_KEY: KEY }, async () => jsonResponse(200, { unexpected: true }));
    expect(out.code).toBe(1);
    expect(out.stderr).toMatch(/unexpected error/);
  });
});

describe('formatApiError', () => {
  it.each([
    [404, 'Not Found', { statusCode: 404, error: 'Not Found', message: 'Link not found', code: 'not_found', requestId: 'r' }, 'Link not found (HTTP 404 Not Found, code: not_found, request id: r)'],
    [500, 'Internal Server Error', undefined, 'The API answered HTTP 500 Internal Server Error'],
    [
      400,
      'Bad Request',
      { statusCode: 400, error: 'Bad Request', message: 'Validation failed', details: [{ field: 'name', messages: ['name must not be empty', 'too short'] }] },
      'Validation failed (HTTP 400 Bad Request)\n  - name: name must not be empty; too short',
    ],
    [503, 'Service Unavailable', { message: 'A dependency is unavailable', details: { database: 'down' } }, 'A dependency is unavailable (HTTP 503 Service Unavailable)\n  - database: down'],
  ])('%d %s', (status, text, body, expected) => {
    expect(formatApiError(status, text, body)).toBe(expected);
  });

  it('adds a hint about the key on 401', () => {
    expect(formatApiError(401, 'Unauthorized', { message: 'Unauthorized' })).toMatch(/Check that REFOS_API_KEY/);
  });
});

describe('describeNetworkError', () => {
  const failed = (cause: object) => Object.assign(new TypeError('fetch failed'), { cause });
  it.each([
    ['connection refused', failed({ code: 'ECONNREFUSED' }), 'Could not reach the Referral OS API at http://h:1 (connection refused)'],
    ['unknown host', failed({ code: 'ENOTFOUND' }), '(host not found)'],
    ['every address refused', failed(new AggregateError([Object.assign(new Error('x'), { code: 'ECONNREFUSED' })])), '(connection refused)'],
    ['an uncoded cause', failed({ message: 'something odd' }), '(something odd)'],
    ['a timeout', new DOMException('The operation was aborted due to timeout', 'TimeoutError'), 'The Referral OS API at http://h:1 did not answer within 10 s.'],
  ])('%s', (_case, error, expected) => {
    expect(describeNetworkError(error, 'http://h:1', 10_000)).toContain(expected);
  });
});

describe('ApiClient against a server that never answers', () => {
  let server: Server;
  let url: string;
  beforeAll(async () => {
    server = createServer(() => undefined);
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    server.close();
    await once(server, 'close');
  });

  it('gives up after the timeout with a message naming the URL', async () => {
    const client = new ApiClient({ baseUrl: url, apiKey: KEY, timeoutMs: 200 });
    await expect(client.get('/api/v1/whoami')).rejects.toMatchObject({ exitCode: 1, message: `The Referral OS API at ${url} did not answer within 200 ms.` });
  });
});

describe('output', () => {
  it('aligns fields and neutralises control characters in tenant-supplied text', () => {
    const text = formatWhoami({ ...WHOAMI, tenant: { ...WHOAMI.tenant, name: 'Evil\u001b[2J' } }, 'http://localhost:3000');
    expect(text).not.toContain('\u001b');
    expect(text.split('\n')[0]).toBe('Tenant:      Evil\uFFFD[2J (5b0e2c57-8f1e-4c43-9a37-0c9e7d6b1a10)');
    expect(text).toContain('Key prefix:  dlk_x7Kp2QmA9bCd_…\n');
    expect(text).toContain('Expires:     never\n');
  });

  it('redacts only keys long enough to be secrets', () => {
    expect(keyRedactor(KEY)(`a ${KEY} b ${KEY.split('_')[2]}`)).toBe('a [redacted] b [redacted]');
    expect(keyRedactor('x')('x marks the spot')).toBe('x marks the spot');
    expect(keyRedactor(undefined)('text')).toBe('text');
  });
});
