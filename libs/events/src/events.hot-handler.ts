import { Inject, Injectable, Logger } from '@nestjs/common';
import { AppCredentialsCache } from '@refos/apps';
import {
  APP_CONFIG,
  AppConfig,
  clientIp,
  DomainError,
  errorBody,
  IDEMPOTENCY_HEADER,
  isDatabaseUnavailable,
  REPLAYED_HEADER,
  requestIdFor,
  serviceUnavailable,
} from '@refos/platform';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { EventsService } from './events.service';

const PATH = '/api/v1/events';
// Only what needs no decoding: other charsets and compressed bodies go to Express's body parser.
const PLAIN_JSON_TYPE = /^application\/json\s*(;\s*charset="?utf-8"?\s*)?$/i;
const FIRST_NON_WHITESPACE = /^[\x20\x09\x0a\x0d]*([^\x20\x09\x0a\x0d])/;
const UNAUTHORIZED = "A valid app key is required (x-api-key: rk_…, from the app's creation)";

/**
 * `POST /api/v1/events`, the SDKs' hottest call, answered by the node:http server before Express:
 * the framework's pipeline costs several times the event's own work. Same service, same rules, same
 * answers and error shape as the Nest route (EventsController), which still takes the rare requests
 * this path leaves to it: those with an `Idempotency-Key` header (the foundation's interceptor) and
 * those whose body is not plain UTF-8 JSON (another charset or media type parameter, a Content-Encoding). Not in the access log; counted in `/metrics` by
 * `events_written_total` and `events_group_commit_rows`.
 */
@Injectable()
export class EventsHotHandler {
  private readonly logger = new Logger(EventsHotHandler.name);

  constructor(
    private readonly events: EventsService,
    private readonly credentials: AppCredentialsCache,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** Takes the single-event POSTs off `server`; every other request goes on to the listeners it had. */
  mount(server: Server): void {
    const others = server.listeners('request') as ((req: IncomingMessage, res: ServerResponse) => void)[];
    server.removeAllListeners('request');
    server.on('request', (req: IncomingMessage, res: ServerResponse) => {
      if (this.takes(req)) return this.handle(req, res);
      for (const listener of others) listener.call(server, req, res);
    });
  }

  private takes(req: IncomingMessage): boolean {
    const encoding = req.headers['content-encoding'];
    return (
      req.method === 'POST' &&
      req.url === PATH &&
      req.headers[IDEMPOTENCY_HEADER] === undefined &&
      (encoding === undefined || encoding.toLowerCase() === 'identity') &&
      PLAIN_JSON_TYPE.test(req.headers['content-type'] ?? '')
    );
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const requestId = requestIdFor(req, res);
    const chunks: Buffer[] = [];
    let size = 0;
    let refused = false;
    req.on('data', (chunk: Buffer) => {
      if (refused) return;
      size += chunk.length;
      if (size > this.config.bodyLimitBytes) {
        refused = true;
        this.fail(res, requestId, new DomainError('payload_too_large', 413, 'Request body is too large'), true);
        return;
      }
      chunks.push(chunk);
    });
    req.on('error', () => res.destroy());
    req.on('end', () => {
      if (refused) return;
      this.ingest(req, res, requestId, Buffer.concat(chunks)).catch((error: unknown) => this.fail(res, requestId, error));
    });
  }

  private async ingest(req: IncomingMessage, res: ServerResponse, requestId: string, raw: Buffer): Promise<void> {
    const body = parseJsonBody(raw);
    const apiKey = req.headers['x-api-key'];
    const app = typeof apiKey === 'string' ? await this.credentials.authenticate(apiKey, clientIp(req)) : null;
    if (!app) throw new DomainError('unauthorized', 401, UNAUTHORIZED);
    const secret = req.headers['x-server-secret'];
    const [result] = await this.events.ingest(
      { app, serverSecret: typeof secret === 'string' ? secret : undefined, userAgent: req.headers['user-agent'], clientIp: clientIp(req) },
      [body],
    );
    if (result.status === 'rejected') throw result.error;
    const answer = JSON.stringify({ id: result.id, event_name: result.eventName, received_at: result.receivedAt.toISOString() });
    const headers: Record<string, string | number> = { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(answer) };
    if (result.status === 'duplicate') headers[REPLAYED_HEADER] = 'true';
    res.writeHead(201, headers);
    res.end(answer);
  }

  /** Nothing may throw out of a raw 'request' listener: every failure becomes an answer in the error shape. */
  private fail(res: ServerResponse, requestId: string, error: unknown, closeAfter = false): void {
    if (res.headersSent) return;
    if (!(error instanceof DomainError)) this.logger.error({ err: error, requestId }, 'could not ingest an event');
    const known = error instanceof DomainError ? error : isDatabaseUnavailable(error) ? serviceUnavailable() : null;
    const status = known?.status ?? 500;
    const body = JSON.stringify(errorBody(status, known?.message ?? 'Internal server error', requestId, known?.code ?? 'internal_error', known?.details));
    const headers: Record<string, string | number> = { ...known?.headers, 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(body) };
    if (closeAfter) headers.Connection = 'close';
    res.writeHead(status, headers);
    res.end(body);
  }
}

/**
 * Parses the body as Express's JSON parser does (strict mode), so both routes answer alike: a UTF-8
 * byte order mark is dropped, an empty body is `{}`, and anything but an object or array is a 400.
 */
function parseJsonBody(raw: Buffer): unknown {
  const text = raw.toString('utf8').replace(/^\uFEFF/, '');
  if (text.length === 0) return {};
  const first = FIRST_NON_WHITESPACE.exec(text)?.[1];
  try {
    if (first !== '{' && first !== '[') throw new SyntaxError('not an object or array');
    return JSON.parse(text);
  } catch {
    throw new DomainError('bad_request', 400, 'Malformed JSON in request body');
  }
}
