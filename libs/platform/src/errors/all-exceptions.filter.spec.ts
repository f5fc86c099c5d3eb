import {
  ArgumentsHost,
  BadRequestException,
  ForbiddenException,
  HttpException,
  Logger,
  NotFoundException,
  PayloadTooLargeException,
} from '@nestjs/common';
import { ThrottlerException } from '@nestjs/throttler';
import { QueryFailedError } from 'typeorm';
import { AllExceptionsFilter } from './all-exceptions.filter';
import { DomainError } from './domain-error';
import { ErrorRenderers } from './error-renderers';

interface Sent {
  status?: number;
  body?: Record<string, unknown>;
  headers: Record<string, string>;
}

function render(exception: unknown, options: { requestId?: string; headersSent?: boolean; url?: string; renderers?: ErrorRenderers } = {}): Sent {
  const sent: Sent = { headers: {} };
  const res = {
    headersSent: options.headersSent ?? false,
    setHeader: (name: string, value: string) => (sent.headers[name] = value),
    status(code: number) {
      sent.status = code;
      return this;
    },
    json(body: Record<string, unknown>) {
      sent.body = body;
      return this;
    },
  };
  const req = { id: 'requestId' in options ? options.requestId : 'req-1', originalUrl: options.url ?? '/api/v1/x' };
  const host = { switchToHttp: () => ({ getRequest: () => req, getResponse: () => res }) } as unknown as ArgumentsHost;
  new AllExceptionsFilter(options.renderers).catch(exception, host);
  return sent;
}

/** body-parser's JSON error, as Nest's Express adapter hands it on. */
function malformedJson(): BadRequestException {
  const cause = Object.assign(new SyntaxError('Unexpected token } in JSON at position 12'), { status: 400 });
  return new BadRequestException(cause.message, { cause });
}

function uniqueViolation(): QueryFailedError {
  return new QueryFailedError('INSERT INTO api_keys …', [], Object.assign(new Error('duplicate key value violates unique constraint "uq_x"'), { code: '23505' }));
}

describe('AllExceptionsFilter', () => {
  let logged: jest.SpyInstance;
  beforeEach(() => {
    logged = jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
  });
  afterEach(() => logged.mockRestore());

  it.each<[string, unknown, number, string, string | undefined]>([
    ['a DomainError', new DomainError('last_admin_key', 409, 'Keep one admin key'), 409, 'Keep one admin key', 'last_admin_key'],
    ['a ThrottlerException', new ThrottlerException(), 429, expect.stringContaining('Retry-After'), 'rate_limited'],
    ['ValidationPipe messages (array)', new BadRequestException(['name must be a string']), 400, 'Validation failed', 'bad_request'],
    ['body-parser malformed JSON', malformedJson(), 400, 'Malformed JSON in request body', 'bad_request'],
    ['a handler 400 that mentions a position', new BadRequestException('position must be at least 1'), 400, 'position must be at least 1', 'bad_request'],
    ['a handler 400 that mentions JSON', new BadRequestException('settings must be a JSON object'), 400, 'settings must be a JSON object', 'bad_request'],
    ['an oversized body', new PayloadTooLargeException('request entity too large'), 413, 'Request body is too large', 'payload_too_large'],
    ['an unmatched route', new NotFoundException('Cannot GET /api/v1/nope?x=1'), 404, 'Route not found: GET /api/v1/nope?x=1', 'not_found'],
    ['a handler 404 starting with Cannot', new NotFoundException('Cannot find that campaign'), 404, 'Cannot find that campaign', 'not_found'],
    ['a bare ForbiddenException', new ForbiddenException(), 403, 'Forbidden', 'forbidden'],
    ['an HttpException with a status we have no code for', new HttpException('I refuse', 418), 418, 'I refuse', undefined],
    ['a unique violation', uniqueViolation(), 409, 'The resource already exists', 'conflict'],
  ])('renders %s', (_case, exception, status, message, code) => {
    const sent = render(exception);
    expect(sent.status).toBe(status);
    expect(sent.body).toEqual({ statusCode: status, error: expect.any(String), message, code, details: undefined, requestId: 'req-1' });
    expect(logged).not.toHaveBeenCalled();
  });

  it('passes a DomainError\'s details and headers through', () => {
    const sent = render(new DomainError('idempotency_in_progress', 409, 'Busy', { key: 'k' }, { 'Retry-After': '1' }));
    expect(sent.body).toMatchObject({ statusCode: 409, error: 'Conflict', details: { key: 'k' } });
    expect(sent.headers).toEqual({ 'Retry-After': '1' });
  });

  it('names the status with its reason phrase', () => {
    expect(render(new DomainError('x', 422, 'm')).body?.error).toBe('Unprocessable Entity');
    expect(render(new DomainError('x', 503, 'm')).body?.error).toBe('Service Unavailable');
  });

  it.each([
    ['an Error', new Error('connect ECONNREFUSED 10.0.0.7:5432 password=hunter2')],
    ['a thrown string', 'boom hunter2'],
    ['another database error', new QueryFailedError('SELECT hunter2', [], Object.assign(new Error('syntax error'), { code: '42601' }))],
    ['undefined', undefined],
  ])('turns %s into a generic 500 and logs it with the request id', (_case, exception) => {
    const sent = render(exception);
    expect(sent.status).toBe(500);
    expect(sent.body).toEqual({
      statusCode: 500,
      error: 'Internal Server Error',
      message: 'Internal server error',
      code: 'internal_error',
      details: undefined,
      requestId: 'req-1',
    });
    expect(JSON.stringify(sent.body)).not.toContain('hunter2');
    expect(logged).toHaveBeenCalledWith(expect.objectContaining({ err: exception, requestId: 'req-1' }), 'Unhandled error');
  });

  it('writes nothing once the headers are sent', () => {
    const sent = render(new DomainError('x', 400, 'late'), { headersSent: true });
    expect(sent).toEqual({ headers: {} });
  });

  it('still answers with a requestId field when the request has none', () => {
    expect(render(new NotFoundException(), { requestId: undefined }).body).toHaveProperty('requestId', '');
  });

  it('uses the renderer registered for the path prefix, and only under it', () => {
    const renderers = new ErrorRenderers();
    renderers.register('/scim/v2', (error, requestId) => ({ contentType: 'application/scim+json', body: { status: String(error.status), code: error.code, requestId } }));
    for (const url of ['/scim/v2', '/scim/v2/Users?filter=x', '/scim/v2/Users/1']) {
      const sent = render(new DomainError('rate_limited', 429, 'slow', undefined, { 'Retry-After': '3' }), { url, renderers });
      expect(sent).toEqual({
        status: 429,
        body: { status: '429', code: 'rate_limited', requestId: 'req-1' },
        headers: { 'Retry-After': '3', 'Content-Type': 'application/scim+json' },
      });
    }
    expect(render(new DomainError('x', 400, 'm'), { url: '/scim/v2x', renderers }).body).toHaveProperty('statusCode', 400);
    expect(render(new DomainError('x', 400, 'm'), { url: '/api/v1/scim/v2', renderers }).body).toHaveProperty('statusCode', 400);
  });
});
