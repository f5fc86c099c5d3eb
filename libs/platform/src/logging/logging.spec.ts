import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Socket } from 'node:net';
import { Writable } from 'node:stream';
import pinoHttp, { Options } from 'pino-http';
import { loadConfig } from '../config/config';
import { loggerParams, REQUEST_ID_HEADER, requestIdFor } from './logging';

const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

function exchange(incoming?: string | string[]): { req: IncomingMessage; res: ServerResponse } {
  const req = new IncomingMessage(new Socket());
  if (incoming !== undefined) req.headers[REQUEST_ID_HEADER] = incoming as string;
  return { req, res: new ServerResponse(req) };
}

describe('requestIdFor', () => {
  it.each([
    ['a uuid', '0b6a1c9e-0f5b-4a3e-9f76-1d2b8c1e7a41'],
    ['letters, digits and . _ : -', 'Req-1.2:abc'],
    ['one character', 'x'],
    ['exactly 128 characters', 'a'.repeat(128)],
  ])('keeps a safe incoming id: %s', (_case, id) => {
    const { req, res } = exchange(id);
    expect(requestIdFor(req, res)).toBe(id);
    expect(res.getHeader(REQUEST_ID_HEADER)).toBe(id);
  });

  it.each([
    ['none', undefined],
    ['empty', ''],
    ['129 characters', 'a'.repeat(129)],
    ['a space', 'abc def'],
    ['a newline (log injection)', 'abc\n{"level":60}'],
    ['a carriage return', 'abc\rdef'],
    ['a tab', 'abc\tdef'],
    ['markup', '<img src=x>'],
    ['a slash', 'a/b'],
    ['non-ASCII', 'caf\u00e9'],
    ['a repeated header (array)', ['a', 'b']],
  ])('replaces an unsafe or missing id with a fresh uuid: %s', (_case, id) => {
    const { req, res } = exchange(id);
    const generated = requestIdFor(req, res);
    expect(generated).toMatch(UUID_V4);
    expect(res.getHeader(REQUEST_ID_HEADER)).toBe(generated);
  });

  it('generates a different id for every request', () => {
    const ids = new Set(Array.from({ length: 50 }, () => requestIdFor(exchange().req, exchange().res)));
    expect(ids.size).toBe(50);
  });
});

describe('loggerParams: the access log', () => {
  const lines: Record<string, any>[] = []; // eslint-disable-line @typescript-eslint/no-explicit-any
  let server: Server;
  let base: string;

  beforeAll(async () => {
    const params = loggerParams(loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'info' }));
    const destination = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(JSON.parse(chunk.toString()));
        done();
      },
    });
    const log = pinoHttp(params.pinoHttp as Options, destination);
    server = createServer((req, res) => {
      // As in configureHttpApp: the id is settled before pino-http sees the request.
      (req as IncomingMessage & { id?: string }).id = requestIdFor(req, res);
      log(req, res);
      res.end('ok');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
  beforeEach(() => (lines.length = 0));

  const settle = () => new Promise((resolve) => setImmediate(resolve));

  it('writes one JSON line per request with the request id, and no credentials or query string', async () => {
    const res = await fetch(`${base}/api/v1/links?access_token=tok_secret&x=1`, {
      headers: {
        authorization: 'Bearer dlk_AAAAAAAAAAAA_secretsecret',
        'x-api-key': 'app_secret',
        'x-server-secret': 'srv_secret',
        cookie: 'session=cookie_secret',
        'x-request-id': 'trace-42',
      },
    });
    await res.text();
    await settle();
    expect(res.headers.get('x-request-id')).toBe('trace-42');
    expect(lines).toHaveLength(1);
    const [line] = lines;
    expect(line).toMatchObject({ service: 'referral-os', req: { id: 'trace-42', method: 'GET', url: '/api/v1/links' }, res: { statusCode: 200 } });
    expect(line.req.headers).toMatchObject({ authorization: '[redacted]', 'x-api-key': '[redacted]', 'x-server-secret': '[redacted]', cookie: '[redacted]' });
    expect(JSON.stringify(line)).not.toMatch(/secretsecret|app_secret|srv_secret|cookie_secret|tok_secret/);
  });

  it('logs the generated id when the incoming one is unsafe', async () => {
    const res = await fetch(`${base}/x`, { headers: { 'x-request-id': 'a b' } });
    await res.text();
    await settle();
    expect(lines[0].req.id).toBe(res.headers.get('x-request-id'));
    expect(lines[0].req.id).toMatch(UUID_V4);
  });

  it.each(['/health', '/health/ready', '/metrics'])('keeps %s out of the access log', async (path) => {
    await (await fetch(`${base}${path}`)).text();
    await settle();
    expect(lines).toEqual([]);
  });
});
