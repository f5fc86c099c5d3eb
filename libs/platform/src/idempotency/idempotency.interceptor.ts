import { CallHandler, ExecutionContext, Injectable, NestInterceptor } from '@nestjs/common';
import type { Request, Response } from 'express';
import { from, Observable, of } from 'rxjs';
import { catchError, mergeMap } from 'rxjs/operators';
import type { Principal } from '../auth/principal';
import { canonicalJson } from '../crypto/canonical-json';
import { sha256Hex } from '../crypto/crypto';
import { DomainError } from '../errors/domain-error';
import { IdempotencyService } from './idempotency.service';

export const IDEMPOTENCY_HEADER = 'idempotency-key';
export const REPLAYED_HEADER = 'X-Idempotency-Replayed';
const MAX_KEY_LENGTH = 255;
const ELIGIBLE_METHODS = new Set(['POST', 'PUT', 'PATCH']);

/**
 * `Idempotency-Key` on every authenticated POST/PUT/PATCH: the first request runs and its answer is
 * stored; a retry gets that answer back with `X-Idempotency-Replayed: true`. Only successful answers
 * are kept: a request that failed changed nothing and may be retried for real.
 */
@Injectable()
export class IdempotencyInterceptor implements NestInterceptor {
  constructor(private readonly idempotency: IdempotencyService) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (context.getType() !== 'http') return next.handle();
    const req = context.switchToHttp().getRequest<Request & { principal?: Principal }>();
    const key = req.headers[IDEMPOTENCY_HEADER];
    if (!ELIGIBLE_METHODS.has(req.method) || key === undefined) return next.handle();
    if (typeof key !== 'string' || key.length === 0 || key.length > MAX_KEY_LENGTH) {
      throw new DomainError('invalid_idempotency_key', 400, `Idempotency-Key must be 1 to ${MAX_KEY_LENGTH} characters`);
    }
    // Public routes have no caller namespace to keep keys apart: the header is ignored there.
    if (!req.principal) return next.handle();

    const res = context.switchToHttp().getResponse<Response>();
    const fingerprint = sha256Hex(`${req.method} ${req.originalUrl}\n${canonicalJson(req.body ?? null)}`);
    return from(this.idempotency.claim(recordScope(req.principal), key, fingerprint)).pipe(
      mergeMap((claim) => {
        switch (claim.outcome) {
          case 'mismatch':
            throw new DomainError('idempotency_key_reused', 422, 'This Idempotency-Key was already used with a different request');
          case 'in_progress':
            throw new DomainError('idempotency_in_progress', 409, 'A request with this Idempotency-Key is still being processed', undefined, {
              'Retry-After': '1',
            });
          case 'replay':
            res.status(claim.status).setHeader(REPLAYED_HEADER, 'true');
            return of(claim.body === null ? undefined : JSON.parse(claim.body));
          case 'claimed':
            return next.handle().pipe(
              // Only a failed handler frees the key. If storing the answer fails after the handler's
              // write committed, the record stays in progress until its lease ends: no immediate rerun.
              catchError(async (error) => {
                await this.idempotency.release(claim.lease);
                throw error;
              }),
              mergeMap(async (body) => {
                await this.idempotency.complete(claim.lease, res.statusCode, body === undefined ? null : JSON.stringify(body));
                return body;
              }),
            );
        }
      }),
    );
  }
}

/**
 * Keys belong to one credential (a user for sessions): another key or user of the same tenant
 * reusing a key string must not be handed the first caller's answer, which may hold a new secret.
 */
export function recordScope(principal: Principal): string {
  if (principal.userId) return `${principal.scopeKey}:user:${principal.userId}`;
  if (principal.credentialId) return `${principal.scopeKey}:cred:${principal.credentialId}`;
  return principal.scopeKey;
}
