import { QueryFailedError } from 'typeorm';
import { DomainError } from './domain-error';

const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN']);
// SQLSTATE classes 08 (connection exception), 53 (insufficient resources), 57 (operator intervention: shutdown, cancel).
const UNAVAILABLE_SQLSTATE = /^(08|53|57)/;
// pg and pg-pool report a lost or unobtainable connection by message alone.
const CONNECTION_MESSAGE = /^(Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error)/;

/** Whether a failure says the database cannot be reached right now, rather than that a request was wrong. */
export function isDatabaseUnavailable(error: unknown): boolean {
  const cause = error instanceof QueryFailedError ? (error.driverError as unknown) : error;
  if (typeof cause !== 'object' || cause === null) return false;
  const { code, message } = cause as { code?: unknown; message?: unknown };
  if (typeof code === 'string' && (NETWORK_CODES.has(code) || UNAVAILABLE_SQLSTATE.test(code))) return true;
  return typeof message === 'string' && CONNECTION_MESSAGE.test(message);
}

/** 503 with Retry-After: the client may retry the same request (with the same idempotency key). */
export function serviceUnavailable(message = 'The service cannot reach its database right now; retry shortly'): DomainError {
  return new DomainError('unavailable', 503, message, undefined, { 'Retry-After': '1' });
}
