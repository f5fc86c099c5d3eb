import type { CallHandler, ExecutionContext } from '@nestjs/common';
import { lastValueFrom, Observable, of, throwError } from 'rxjs';
import type { Principal } from '../auth/principal';
import { DomainError } from '../errors/domain-error';
import { IdempotencyInterceptor, recordScope } from './idempotency.interceptor';
import type { IdempotencyClaim, IdempotencyService } from './idempotency.service';

const PRINCIPAL: Principal = { kind: 'api_key', scopeKey: 'tenant:t1', tenantId: 't1', credentialId: 'k1', scopes: ['admin'] };

interface FakeRequest {
  method: string;
  originalUrl: string;
  headers: Record<string, string>;
  body?: unknown;
  principal?: Principal;
}

const LEASE = { recordId: 'rec-1', lockedUntil: new Date('2026-11-22T12:01:00Z') };

function setup(claim: IdempotencyClaim = { outcome: 'claimed', lease: LEASE }) {
  const service = {
    claim: jest.fn(async (..._args: [string, string, string]) => claim),
    complete: jest.fn(async (..._args: [typeof LEASE, number, string | null]) => undefined),
    release: jest.fn(async (_lease: typeof LEASE) => undefined),
  };
  const interceptor = new IdempotencyInterceptor(service as unknown as IdempotencyService);
  const res = {
    statusCode: 201,
    headers: {} as Record<string, string>,
    status(code: number) {
      this.statusCode = code;
      return this;
    },
    setHeader(name: string, value: string) {
      this.headers[name] = value;
      return this;
    },
  };
  let handlerResult: unknown = { id: 'new' };
  const next: CallHandler = {
    handle: jest.fn(() => (handlerResult instanceof Error ? throwError(() => handlerResult) : of(handlerResult))),
  };
  const setHandlerResult = (value: unknown) => (handlerResult = value);
  const run = (request: Partial<FakeRequest>): Observable<unknown> => {
    const req: FakeRequest = { method: 'POST', originalUrl: '/api/v1/things', headers: {}, body: { a: 1 }, principal: PRINCIPAL, ...request };
    const context = {
      getType: () => 'http',
      switchToHttp: () => ({ getRequest: () => req, getResponse: () => res }),
    } as unknown as ExecutionContext;
    return interceptor.intercept(context, next);
  };
  return { service, res, run, next, setHandlerResult };
}

const withKey = (key: string, extra: Partial<FakeRequest> = {}): Partial<FakeRequest> => ({ headers: { 'idempotency-key': key }, ...extra });

describe('IdempotencyInterceptor', () => {
  it.each(['GET', 'DELETE', 'HEAD', 'OPTIONS'])('ignores the header on %s, even a malformed one', async (method) => {
    const { service, run, next } = setup();
    await lastValueFrom(run(withKey('k'.repeat(300), { method })));
    expect(next.handle).toHaveBeenCalledTimes(1);
    expect(service.claim).not.toHaveBeenCalled();
  });

  it('passes a request without the header straight through', async () => {
    const { service, run, next } = setup();
    await expect(lastValueFrom(run({}))).resolves.toEqual({ id: 'new' });
    expect(next.handle).toHaveBeenCalledTimes(1);
    expect(service.claim).not.toHaveBeenCalled();
  });

  it.each([
    ['empty', ''],
    ['256 characters', 'k'.repeat(256)],
  ])('refuses a key that is %s with 400 before running anything', (_case, key) => {
    const { service, run, next } = setup();
    expect(() => run(withKey(key))).toThrow(expect.objectContaining({ code: 'invalid_idempotency_key', status: 400 }));
    expect(next.handle).not.toHaveBeenCalled();
    expect(service.claim).not.toHaveBeenCalled();
  });

  it('ignores the header on a route without a caller (no namespace to keep keys apart)', async () => {
    const { service, run, next } = setup();
    await lastValueFrom(run(withKey('k', { principal: undefined })));
    expect(next.handle).toHaveBeenCalledTimes(1);
    expect(service.claim).not.toHaveBeenCalled();
  });

  it('runs a claimed request once and stores its status and exact JSON before answering', async () => {
    const { service, run, next, setHandlerResult } = setup();
    setHandlerResult({ id: 'new', created_at: '2026-11-22T12:00:00.000Z', nested: { b: [1, 'two'] } });
    const body = await lastValueFrom(run(withKey('k-1')));
    expect(body).toEqual({ id: 'new', created_at: '2026-11-22T12:00:00.000Z', nested: { b: [1, 'two'] } });
    expect(next.handle).toHaveBeenCalledTimes(1);
    expect(service.claim).toHaveBeenCalledWith('tenant:t1:cred:k1', 'k-1', expect.stringMatching(/^[0-9a-f]{64}$/));
    expect(service.complete).toHaveBeenCalledWith(LEASE, 201, JSON.stringify(body));
    expect(service.release).not.toHaveBeenCalled();
  });

  it('stores an empty answer (204) as null', async () => {
    const { service, run, res, setHandlerResult } = setup();
    res.statusCode = 204;
    setHandlerResult(undefined);
    await lastValueFrom(run(withKey('k-1')), { defaultValue: undefined });
    expect(service.complete).toHaveBeenCalledWith(LEASE, 204, null);
  });

  it('keeps the key claimed when storing the answer fails, so a retry cannot run the handler again at once', async () => {
    const { service, run } = setup();
    service.complete.mockRejectedValueOnce(new Error('connection lost'));
    await expect(lastValueFrom(run(withKey('k-1')))).rejects.toThrow('connection lost');
    expect(service.release).not.toHaveBeenCalled();
  });

  it('releases the key when the handler fails, and passes the error on', async () => {
    const { service, run, setHandlerResult } = setup();
    const failure = new DomainError('validation_failed', 400, 'bad');
    setHandlerResult(failure);
    await expect(lastValueFrom(run(withKey('k-1')))).rejects.toBe(failure);
    expect(service.release).toHaveBeenCalledWith(LEASE);
    expect(service.complete).not.toHaveBeenCalled();
  });

  it('replays a stored answer without running the handler', async () => {
    const stored = '{"id":"first","n":1.5,"s":"é\\u2028"}';
    const { run, next, res } = setup({ outcome: 'replay', status: 201, body: stored });
    res.statusCode = 200;
    const body = await lastValueFrom(run(withKey('k-1')));
    expect(JSON.stringify(body)).toBe(JSON.stringify(JSON.parse(stored)));
    expect(res.statusCode).toBe(201);
    expect(res.headers).toEqual({ 'X-Idempotency-Replayed': 'true' });
    expect(next.handle).not.toHaveBeenCalled();
  });

  it('replays an empty stored answer as no body', async () => {
    const { run } = setup({ outcome: 'replay', status: 204, body: null });
    await expect(lastValueFrom(run(withKey('k-1')), { defaultValue: 'nothing' })).resolves.toBeUndefined();
  });

  it.each<[IdempotencyClaim, number, string, Record<string, string> | undefined]>([
    [{ outcome: 'mismatch' }, 422, 'idempotency_key_reused', undefined],
    [{ outcome: 'in_progress' }, 409, 'idempotency_in_progress', { 'Retry-After': '1' }],
  ])('answers %j with %i', async (claim, status, code, headers) => {
    const { run, next } = setup(claim);
    await expect(lastValueFrom(run(withKey('k-1')))).rejects.toMatchObject({ status, code, headers });
    expect(next.handle).not.toHaveBeenCalled();
  });

  describe('the request fingerprint', () => {
    async function fingerprintOf(request: Partial<FakeRequest>): Promise<string> {
      const { service, run } = setup();
      await lastValueFrom(run({ ...withKey('k-1'), ...request }));
      return service.claim.mock.calls[0][2];
    }

    it('ignores key order and whitespace in the body', async () => {
      expect(await fingerprintOf({ body: { a: 1, b: { c: 2, d: [1, 2] } } })).toBe(await fingerprintOf({ body: { b: { d: [1, 2], c: 2 }, a: 1 } }));
    });

    it.each<[string, Partial<FakeRequest>]>([
      ['method', { method: 'PUT' }],
      ['path', { originalUrl: '/api/v1/other' }],
      ['query string', { originalUrl: '/api/v1/things?dry_run=true' }],
      ['body value', { body: { a: 2 } }],
      ['body type', { body: { a: '1' } }],
      ['no body', { body: undefined }],
    ])('changes with the %s', async (_case, change) => {
      expect(await fingerprintOf(change)).not.toBe(await fingerprintOf({}));
    });
  });
});

describe('recordScope', () => {
  it.each([
    [{ kind: 'api_key', scopeKey: 'tenant:t1', tenantId: 't1', credentialId: 'k1', scopes: [] }, 'tenant:t1:cred:k1'],
    [{ kind: 'session', scopeKey: 'tenant:t1', tenantId: 't1', credentialId: 's1', userId: 'u1', scopes: [] }, 'tenant:t1:user:u1'],
    [{ kind: 'operator', scopeKey: 'operator', scopes: [] }, 'operator'],
  ] as [Principal, string][])('%j -> %s', (principal, expected) => {
    expect(recordScope(principal)).toBe(expected);
  });
});
