import { ArgumentsHost, Catch, ExceptionFilter, HttpException, HttpStatus, Logger, Optional } from '@nestjs/common';
import { ThrottlerException } from '@nestjs/throttler';
import type { Request, Response } from 'express';
import { STATUS_CODES } from 'node:http';
import { QueryFailedError } from 'typeorm';
import { isDatabaseUnavailable, serviceUnavailable } from './database-unavailable';
import { DomainError } from './domain-error';
import { ErrorRenderers, RenderedError } from './error-renderers';

const CODE_BY_STATUS: Record<number, string> = {
  400: 'bad_request',
  401: 'unauthorized',
  403: 'forbidden',
  404: 'not_found',
  405: 'method_not_allowed',
  409: 'conflict',
  413: 'payload_too_large',
  415: 'unsupported_media_type',
  422: 'unprocessable_entity',
  429: 'rate_limited',
};

/** The one error shape; also used by routes answered outside Nest (the redirect). */
export function errorBody(status: number, message: string, requestId: string, code?: string, details?: unknown) {
  return { statusCode: status, error: STATUS_CODES[status] ?? 'Error', message, code, details, requestId };
}

/**
 * Renders every failure, ours or the framework's, as `{ statusCode, error, message, code?, details?, requestId }`,
 * or in the format a module registered for the request's path prefix.
 */
@Catch()
export class AllExceptionsFilter implements ExceptionFilter {
  private readonly logger = new Logger('Errors');

  constructor(@Optional() private readonly renderers?: ErrorRenderers) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const req = http.getRequest<Request & { id?: string }>();
    const res = http.getResponse<Response>();
    const requestId = String(req.id ?? '');
    const error = this.toRendered(exception, requestId);

    if (res.headersSent) return;
    for (const [name, value] of Object.entries(error.headers ?? {})) res.setHeader(name, value);
    const renderer = this.renderers?.for(req.originalUrl ?? req.url ?? '');
    if (renderer) {
      const { contentType, body } = renderer(error, requestId);
      res.setHeader('Content-Type', contentType);
      res.status(error.status).json(body);
      return;
    }
    res.status(error.status).json(errorBody(error.status, error.message, requestId, error.code, error.details));
  }

  private toRendered(exception: unknown, requestId: string): RenderedError {
    if (isDatabaseUnavailable(exception)) {
      this.logger.error({ err: exception, requestId }, 'Database unavailable');
      exception = serviceUnavailable();
    }
    if (exception instanceof DomainError) {
      return { status: exception.status, message: exception.message, code: exception.code, details: exception.details, headers: exception.headers };
    }
    if (exception instanceof ThrottlerException) {
      return { status: 429, message: 'Too many requests: slow down and retry after the time in Retry-After', code: 'rate_limited' };
    }
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      const response = exception.getResponse();
      const message =
        typeof response === 'string'
          ? response
          : Array.isArray((response as { message?: unknown }).message)
            ? 'Validation failed'
            : String((response as { message?: unknown }).message ?? exception.message);
      return { status, message: this.publicMessage(status, message, exception.cause), code: CODE_BY_STATUS[status] };
    }
    if (exception instanceof QueryFailedError && (exception.driverError as { code?: string })?.code === '23505') {
      return { status: 409, message: 'The resource already exists', code: 'conflict' };
    }
    this.logger.error({ err: exception, requestId }, 'Unhandled error');
    return { status: HttpStatus.INTERNAL_SERVER_ERROR, message: 'Internal server error', code: 'internal_error' };
  }

  /**
   * Framework messages for parse and size errors mention internals; say what the client can fix.
   * Recognised by origin, not wording, so a handler's own "position must be…" or "Cannot find…" stays as written.
   */
  private publicMessage(status: number, message: string, cause: unknown): string {
    if (status === 413) return 'Request body is too large';
    // Nest wraps body-parser's JSON SyntaxError in a BadRequestException whose cause it is.
    if (status === 400 && cause instanceof SyntaxError) return 'Malformed JSON in request body';
    // Nest's handler for unmatched routes says `Cannot <METHOD> <url>`.
    const unmatched = status === 404 ? /^Cannot ([A-Z]+ \/.*)$/s.exec(message) : null;
    if (unmatched) return `Route not found: ${unmatched[1]}`;
    return message;
  }
}
