/*
 * What every route shares: the error shape, x-request-id, body limits, health, metrics and the
 * OpenAPI document. Each bad-input case also proves that nothing was written.
 */
import { STATUS_CODES } from 'node:http';
import type { Response } from 'supertest';
import { ApiKeysService } from '@refos/identity';
import { DataSource, QueryFailedError } from 'typeorm';
import { RedisThrottlerStorage } from '../libs/platform/src/throttling/redis-throttler.storage';
import { createTenant, TenantFixture } from './factories/tenants';
import { createTestApp, TestApp } from './support/test-app';

const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const ERROR_FIELDS = ['statusCode', 'error', 'message', 'code', 'details', 'requestId'];

/** The one error shape, with the request id the header carries. */
function expectError(res: Response, status: number, code: string): void {
  expect(res.status).toBe(status);
  expect(res.headers['content-type']).toMatch(/^application\/json/);
  expect(ERROR_FIELDS).toEqual(expect.arrayContaining(Object.keys(res.body)));
  expect(res.body).toMatchObject({ statusCode: status, error: STATUS_CODES[status], code, message: expect.any(String) });
  expect(res.body.message.length).toBeGreaterThan(0);
  expect(res.body.requestId).toBe(res.headers['x-request-id']);
  expect(res.body.requestId.length).toBeGreaterThan(0);
}

describe('platform: errors, request ids, health, metrics, OpenAPI', () => {
  let t: TestApp;
  let acme: TenantFixture;
  const keysOf = async (tenant: TenantFixture): Promise<number> => {
    const [{ n }] = await t.app.get(DataSource).query(`SELECT count(*)::int AS n FROM api_keys WHERE tenant_id = $1`, [tenant.id]);
    return n;
  };
  const tenantRow = async (tenant: TenantFixture) => {
    const [row] = await t.app.get(DataSource).query(`SELECT name, settings, updated_at FROM tenants WHERE id = $1`, [tenant.id]);
    return row;
  };

  beforeAll(async () => {
    t = await createTestApp();
    acme = await createTenant(t, 'Acme');
  });
  afterAll(() => t.close());

  describe('the error shape, and nothing written on bad input', () => {
    it('answers an unknown route with 404 naming the method and path, even without credentials', async () => {
      const res = await t.http.get('/api/v1/no-such-thing?x=1');
      expectError(res, 404, 'not_found');
      expect(res.body.message).toBe('Route not found: GET /api/v1/no-such-thing?x=1');
      expect(res.body.details).toBeUndefined();
    });

    it('answers an unsupported method on a known route with a 404 in the error shape and writes nothing', async () => {
      const before = await keysOf(acme);
      const res = await t.http.put('/api/v1/api-keys').auth(acme.adminKey, { type: 'bearer' }).send({ name: 'x', scopes: ['read'] });
      expectError(res, 404, 'not_found');
      expect(res.body.message).toBe('Route not found: PUT /api/v1/api-keys');
      const patch = await t.http.patch(`/api/v1/api-keys/${acme.adminKeyId}`).auth(acme.adminKey, { type: 'bearer' }).send({ scopes: ['read'] });
      expectError(patch, 404, 'not_found');
      expect(await keysOf(acme)).toBe(before);
      const mine = await t.http.get(`/api/v1/api-keys/${acme.adminKeyId}`).auth(acme.adminKey, { type: 'bearer' }).expect(200);
      expect(mine.body.scopes).toEqual(['admin']);
    });

    it.each([
      ['a truncated object', '{"name": "x", "scopes": ['],
      ['a trailing comma', '{"name": "x", "scopes": ["read"],}'],
      ['single quotes', "{'name': 'x'}"],
      ['a bare string (strict JSON wants an object or array)', '"hello"'],
    ])('answers malformed JSON (%s) with 400 and writes nothing', async (_case, raw) => {
      const before = await keysOf(acme);
      const res = await t.http.post('/api/v1/api-keys').auth(acme.adminKey, { type: 'bearer' }).set('Content-Type', 'application/json').send(raw);
      expectError(res, 400, 'bad_request');
      expect(res.body.message).toBe('Malformed JSON in request body');
      expect(await keysOf(acme)).toBe(before);
    });

    it('answers a JSON body in an unsupported charset with 415 and writes nothing', async () => {
      const before = await keysOf(acme);
      const res = await t.http
        .post('/api/v1/api-keys')
        .auth(acme.adminKey, { type: 'bearer' })
        .set('Content-Type', 'application/json; charset=latin1')
        .send('{"name": "x", "scopes": ["read"]}');
      expectError(res, 415, 'unsupported_media_type');
      expect(await keysOf(acme)).toBe(before);
    });

    it('answers a path with broken percent-encoding with 400, not 500', async () => {
      const res = await t.http.get('/api/v1/api-keys/%E0%A4%A').auth(acme.adminKey, { type: 'bearer' });
      expectError(res, 400, 'bad_request');
    });

    it('parses application/*+json bodies too', async () => {
      const res = await t.http
        .post('/api/v1/api-keys')
        .auth(acme.adminKey, { type: 'bearer' })
        .set('Content-Type', 'application/merge-patch+json')
        .send('{"name": ');
      expectError(res, 400, 'bad_request');
    });

    it.each([
      ['numbers for strings', { name: 42, scopes: ['read'] }, ['name']],
      ['a string for an array', { name: 'x', scopes: 'read' }, ['scopes']],
      ['an object for an array', { name: 'x', scopes: { 0: 'read' } }, ['scopes']],
      ['a number for a date', { name: 'x', scopes: ['read'], expires_at: 1767225600000 }, ['expires_at']],
      ['null for required fields', { name: null, scopes: null }, ['name', 'scopes']],
      ['a nested array of the wrong type', { name: 'x', scopes: [1, true] }, ['scopes']],
    ])('answers wrong types (%s) with 400 and details per field, and writes nothing', async (_case, body, fields) => {
      const before = await keysOf(acme);
      const res = await t.http.post('/api/v1/api-keys').auth(acme.adminKey, { type: 'bearer' }).send(body);
      expectError(res, 400, 'validation_failed');
      expect(res.body.details.map((d: { field: string }) => d.field).sort()).toEqual(fields);
      for (const detail of res.body.details) {
        expect(detail).toEqual({ field: expect.any(String), messages: expect.arrayContaining([expect.any(String)]) });
      }
      expect(res.body.message).toMatch(/^Validation failed: /);
      expect(await keysOf(acme)).toBe(before);
    });

    it('answers a JSON array where an object is expected with 400 and writes nothing', async () => {
      const before = await keysOf(acme);
      const res = await t.http.post('/api/v1/api-keys').auth(acme.adminKey, { type: 'bearer' }).send([{ name: 'x', scopes: ['read'] }]);
      expectError(res, 400, 'validation_failed');
      expect(await keysOf(acme)).toBe(before);
    });

    it('refuses unknown fields, naming each one, and writes nothing', async () => {
      const globex = await createTenant(t, 'Globex');
      const before = await keysOf(acme);
      const res = await t.http
        .post('/api/v1/api-keys')
        .auth(acme.adminKey, { type: 'bearer' })
        .send({ name: 'sneaky', scopes: ['read'], tenant_id: globex.id, secret_hash: 'x' });
      expectError(res, 400, 'validation_failed');
      expect(res.body.details).toEqual([
        { field: 'tenant_id', messages: ['property tenant_id should not exist'] },
        { field: 'secret_hash', messages: ['property secret_hash should not exist'] },
      ]);
      expect(await keysOf(acme)).toBe(before);
      expect(await keysOf(globex)).toBe(1);
    });

    it('refuses unknown nested fields with a dotted path and leaves the tenant as it was', async () => {
      const before = await tenantRow(acme);
      const res = await t.http
        .patch('/api/v1/tenants/current')
        .auth(acme.adminKey, { type: 'bearer' })
        .send({ name: 'Renamed', settings: { attribution_lookback_days: 7, webhook: 'https://evil.example' } });
      expectError(res, 400, 'validation_failed');
      expect(res.body.details).toEqual([{ field: 'settings.webhook', messages: ['property webhook should not exist'] }]);
      expect(await tenantRow(acme)).toEqual(before);
    });

    it('answers a 3 MB JSON body with 413 under the default 1 MB limit and writes nothing', async () => {
      const before = await keysOf(acme);
      const body = JSON.stringify({ name: 'big', scopes: ['read'], padding: 'x'.repeat(3 * 1024 * 1024) });
      const res = await t.http
        .post('/api/v1/api-keys')
        .auth(acme.adminKey, { type: 'bearer' })
        .set('Content-Type', 'application/json')
        .set('x-request-id', 'big-body-1')
        .send(body);
      expectError(res, 413, 'payload_too_large');
      expect(res.body).toMatchObject({ message: 'Request body is too large', requestId: 'big-body-1' });
      expect(await keysOf(acme)).toBe(before);
    });

    it('reads a body just under 1 MB (so the limit is not lower than configured)', async () => {
      const res = await t.http
        .post('/api/v1/api-keys')
        .auth(acme.adminKey, { type: 'bearer' })
        .send({ name: 'x'.repeat(1000 * 1000), scopes: ['read'] });
      expectError(res, 400, 'validation_failed');
      expect(res.body.details.map((d: { field: string }) => d.field)).toEqual(['name']);
    });

    it('answers a malformed path parameter with 400, and an unknown id with 404', async () => {
      expectError(await t.http.get('/api/v1/api-keys/not-a-uuid').auth(acme.adminKey, { type: 'bearer' }), 400, 'bad_request');
      const missing = await t.http.get('/api/v1/api-keys/00000000-0000-4000-8000-000000000000').auth(acme.adminKey, { type: 'bearer' });
      expectError(missing, 404, 'not_found');
      expect(missing.body.message).toBe('API key not found');
    });

    it('answers 401 before reading the body of a protected route', async () => {
      const res = await t.http.post('/api/v1/api-keys').send({ name: 'x', scopes: ['read'] });
      expectError(res, 401, 'unauthorized');
    });

    it('never leaks internals: an unexpected failure is a 500 with a generic message', async () => {
      const spy = jest.spyOn(t.app.get(ApiKeysService), 'list').mockRejectedValueOnce(new Error('connection to 10.0.0.7 lost: password=hunter2'));
      try {
        const res = await t.http.get('/api/v1/api-keys').auth(acme.adminKey, { type: 'bearer' });
        expectError(res, 500, 'internal_error');
        expect(res.body.message).toBe('Internal server error');
        expect(JSON.stringify(res.body)).not.toMatch(/hunter2|10\.0\.0\.7/);
      } finally {
        spy.mockRestore();
      }
    });

    it('answers a unique-constraint race with 409 conflict, not 500', async () => {
      const error = Object.assign(new QueryFailedError('INSERT …', [], Object.assign(new Error('duplicate key'), { code: '23505' })));
      const spy = jest.spyOn(t.app.get(ApiKeysService), 'list').mockRejectedValueOnce(error);
      try {
        expectError(await t.http.get('/api/v1/api-keys').auth(acme.adminKey, { type: 'bearer' }), 409, 'conflict');
      } finally {
        spy.mockRestore();
      }
    });
  });

  describe('x-request-id', () => {
    it('echoes a safe incoming id in the header and in the error body', async () => {
      const id = 'Req-123.abc:XYZ-9';
      const res = await t.http.get('/api/v1/whoami').set('x-request-id', id);
      expectError(res, 401, 'unauthorized');
      expect(res.headers['x-request-id']).toBe(id);
      expect(res.body.requestId).toBe(id);
    });

    it('echoes it on successful answers too', async () => {
      const res = await t.http.get('/api/v1/whoami').auth(acme.adminKey, { type: 'bearer' }).set('x-request-id', 'ok-1').expect(200);
      expect(res.headers['x-request-id']).toBe('ok-1');
    });

    it('keeps an id of exactly 128 safe characters', async () => {
      const id = 'a'.repeat(128);
      const res = await t.http.get('/health').set('x-request-id', id).expect(200);
      expect(res.headers['x-request-id']).toBe(id);
    });

    it.each([
      ['too long', 'a'.repeat(129)],
      ['with spaces', 'abc def'],
      ['with a tab', 'abc\tdef'],
      ['with markup', '<script>alert(1)</script>'],
      ['with a path', '../../etc/passwd'],
      ['with JSON', '{"level":"fatal"}'],
      ['with latin-1 characters', 'caf\u00e9'],
    ])('replaces an unsafe id (%s) with a generated uuid', async (_case, id) => {
      const res = await t.http.get('/api/v1/no-such-thing').set('x-request-id', id);
      expectError(res, 404, 'not_found');
      expect(res.headers['x-request-id']).toMatch(UUID_V4);
      expect(res.body.requestId).toBe(res.headers['x-request-id']);
    });

    it('generates a fresh uuid for each request that brings none', async () => {
      const first = await t.http.get('/health').expect(200);
      const second = await t.http.get('/api/v1/no-such-thing');
      expect(first.headers['x-request-id']).toMatch(UUID_V4);
      expect(second.headers['x-request-id']).toMatch(UUID_V4);
      expect(second.body.requestId).toBe(second.headers['x-request-id']);
      expect(first.headers['x-request-id']).not.toBe(second.headers['x-request-id']);
    });

    it('gives body-parser errors a request id: malformed JSON, with and without an incoming id', async () => {
      const echoed = await t.http
        .post('/api/v1/api-keys')
        .auth(acme.adminKey, { type: 'bearer' })
        .set('Content-Type', 'application/json')
        .set('x-request-id', 'bad-json-1')
        .send('{');
      expectError(echoed, 400, 'bad_request');
      expect(echoed.body.requestId).toBe('bad-json-1');

      const generated = await t.http.post('/api/v1/api-keys').set('Content-Type', 'application/json').send('{');
      expectError(generated, 400, 'bad_request');
      expect(generated.body.requestId).toMatch(UUID_V4);
    });

    it('gives a 413 a generated request id when none came', async () => {
      const res = await t.http
        .post('/api/v1/api-keys')
        .set('Content-Type', 'application/json')
        .send(JSON.stringify({ padding: 'x'.repeat(3 * 1024 * 1024) }));
      expectError(res, 413, 'payload_too_large');
      expect(res.body.requestId).toMatch(UUID_V4);
    });
  });

  describe('health', () => {
    it('GET /health is live, public and answers exactly { status: ok }', async () => {
      const res = await t.http.get('/health').expect(200);
      expect(res.body).toEqual({ status: 'ok' });
    });

    it('GET /health/ready checks the database (and Redis when configured)', async () => {
      const res = await t.http.get('/health/ready').expect(200);
      expect(res.body).toEqual({
        status: 'ok',
        checks: process.env.REDIS_URL ? { database: 'up', redis: 'up' } : { database: 'up' },
      });
    });

    it('GET /health/ready answers 503 naming the dependency that is down', async () => {
      const spy = jest.spyOn(t.app.get(DataSource), 'query').mockRejectedValueOnce(new Error('down'));
      try {
        const res = await t.http.get('/health/ready');
        expectError(res, 503, 'not_ready');
        expect(res.body.details.database).toBe('down');
      } finally {
        spy.mockRestore();
      }
      await t.http.get('/health/ready').expect(200);
    });
  });

  describe('GET /health/ready with Redis', () => {
    const withRedis = process.env.REDIS_URL ? it : it.skip;
    withRedis('stays ready but says degraded when Redis does not answer (limits fall back to per instance)', async () => {
      const spy = jest.spyOn(t.app.get(RedisThrottlerStorage), 'ping').mockRejectedValueOnce(new Error('ECONNREFUSED'));
      try {
        const res = await t.http.get('/health/ready').expect(200);
        expect(res.body).toEqual({ status: 'degraded', checks: { database: 'up', redis: 'down' } });
      } finally {
        spy.mockRestore();
      }
    });
  });

  describe('GET /metrics', () => {
    it('exposes Prometheus text with request counts labelled by route template, not the concrete path', async () => {
      await t.http.get(`/api/v1/api-keys/${acme.adminKeyId}`).auth(acme.adminKey, { type: 'bearer' }).expect(200);
      await t.http.get(`/api/v1/api-keys/${acme.adminKeyId}`).auth(acme.adminKey, { type: 'bearer' }).expect(200);
      await t.http.get('/api/v1/api-keys/00000000-0000-4000-8000-000000000000').auth(acme.adminKey, { type: 'bearer' }).expect(404);
      await t.http.get('/api/v1/unknown-9f8e7d').expect(404);

      const res = await t.http.get('/metrics').expect(200);
      expect(res.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
      const text = res.text;
      expect(text).toContain('# TYPE http_requests_total counter');
      expect(text).toMatch(/^http_requests_total\{method="GET",route="\/api\/v1\/api-keys\/:id",status="200"\} [2-9]\d*$/m);
      expect(text).toMatch(/^http_requests_total\{method="GET",route="\/api\/v1\/api-keys\/:id",status="404"\} \d+$/m);
      expect(text).toMatch(/^http_requests_total\{method="GET",route="unmatched",status="404"\} \d+$/m);
      expect(text).not.toContain(acme.adminKeyId);
      expect(text).not.toContain('unknown-9f8e7d');

      expect(text).toContain('# TYPE http_request_duration_seconds histogram');
      expect(text).toMatch(/^http_request_duration_seconds_bucket\{le="0\.005",method="GET",route="\/api\/v1\/api-keys\/:id",status="200"\} \d+$/m);
      expect(text).toMatch(/^http_request_duration_seconds_bucket\{le="\+Inf",method="GET",route="\/api\/v1\/api-keys\/:id",status="200"\} [2-9]\d*$/m);
      expect(text).toMatch(/^http_request_duration_seconds_count\{method="GET",route="\/api\/v1\/api-keys\/:id",status="200"\} [2-9]\d*$/m);
      // Default process metrics come along.
      expect(text).toMatch(/^process_cpu_user_seconds_total /m);
    });

    it('labels by route template for POST and for errors thrown by guards', async () => {
      await t.http.post('/api/v1/api-keys').send({}).expect(401);
      const text = (await t.http.get('/metrics').expect(200)).text;
      expect(text).toMatch(/^http_requests_total\{method="POST",route="\/api\/v1\/api-keys",status="401"\} \d+$/m);
    });

    it('counts requests the body parser refused (malformed JSON, 413), which never reach a route', async () => {
      const counted = async (status: number): Promise<number> => {
        const text = (await t.http.get('/metrics').expect(200)).text;
        const match = new RegExp(`^http_requests_total\\{method="POST",route="unmatched",status="${status}"\\} (\\d+)$`, 'm').exec(text);
        return match ? Number(match[1]) : 0;
      };
      const [bad, large] = [await counted(400), await counted(413)];
      await t.http.post('/api/v1/api-keys').set('Content-Type', 'application/json').send('{').expect(400);
      await t.http.post('/api/v1/api-keys').set('Content-Type', 'application/json').send(JSON.stringify({ p: 'x'.repeat(2 * 1024 * 1024) })).expect(413);
      expect(await counted(400)).toBe(bad + 1);
      expect(await counted(413)).toBe(large + 1);
    });
  });

  describe('GET /docs-json', () => {
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    let doc: any;
    beforeAll(async () => {
      doc = (await t.http.get('/docs-json').expect(200)).body;
    });

    it('is an OpenAPI 3 document listing the public routes', () => {
      expect(doc.openapi).toMatch(/^3\./);
      expect(Object.keys(doc.paths)).toEqual(
        expect.arrayContaining(['/api/v1/tenants', '/api/v1/api-keys', '/api/v1/api-keys/{id}', '/api/v1/whoami', '/api/v1/tenants/current', '/health', '/health/ready']),
      );
      expect(doc.paths['/metrics']).toBeUndefined();
      expect(doc.components.securitySchemes).toMatchObject({
        'tenant-api-key': { type: 'http', scheme: 'bearer' },
        'operator-token': { type: 'http', scheme: 'bearer' },
      });
    });

    it('declares a security requirement on every protected operation and none on health', () => {
      const operations = Object.entries(doc.paths).flatMap(([path, item]) =>
        Object.entries(item as Record<string, { security?: unknown[] }>).map(([method, op]) => ({ path, method, security: op.security })),
      );
      // Signing in is how a session starts: the nonce and SIWF routes are public by design. So are an
      // agent's signed registration and sign-in, and the public agent views of seed 001.
      const publicRoutes = [
        'get /api/auth/nonce',
        'post /api/auth/siwf',
        'post /api/agents/register',
        'post /api/agents/auth',
        'get /api/agents/{did}',
        'get /api/agents/{did}/reviews',
        'get /api/agents/{did}/referrals',
      ];
      const api = operations.filter((op) => op.path.startsWith('/api/') && !publicRoutes.includes(`${op.method} ${op.path}`));
      expect(api.length).toBeGreaterThanOrEqual(7);
      for (const op of api) expect({ ...op, security: op.security?.length ? 'declared' : 'missing' }).toMatchObject({ security: 'declared' });

      expect(doc.paths['/api/v1/tenants'].post.security).toEqual([{ 'operator-token': [] }]);
      expect(doc.paths['/api/v1/api-keys'].post.security).toEqual([{ 'tenant-api-key': [] }, { session: [] }]);
      expect(doc.paths['/api/v1/api-keys/{id}'].delete.security).toEqual([{ 'tenant-api-key': [] }, { session: [] }]);
      expect(doc.paths['/api/v1/whoami'].get.security).toEqual([{ 'tenant-api-key': [] }, { session: [] }]);
      expect(doc.paths['/api/v1/tenants/current'].patch.security).toEqual([{ 'tenant-api-key': [] }, { session: [] }]);
      expect(doc.paths['/health'].get.security).toBeUndefined();
      expect(doc.paths['/api/v1/api-keys'].post.responses['401']).toBeDefined();
    });
  });

  describe('BODY_LIMIT', () => {
    let small: TestApp;
    beforeAll(async () => {
      small = await createTestApp({ BODY_LIMIT: '4kb' });
    });
    afterAll(() => small.close());

    it('applies the configured limit: 5 KB -> 413, 3 KB still parsed', async () => {
      // The operator route: its credential is checked without touching the database.
      const post = (bytes: number) =>
        small.http.post('/api/v1/tenants').auth(small.operatorToken, { type: 'bearer' }).send({ name: 'x', pad: 'x'.repeat(bytes) });
      expectError(await post(5 * 1024), 413, 'payload_too_large');
      const parsed = await post(3 * 1024);
      expectError(parsed, 400, 'validation_failed');
      expect(parsed.body.details).toEqual([{ field: 'pad', messages: ['property pad should not exist'] }]);
    });
  });
});
