import { Inject, Injectable, Logger } from '@nestjs/common';
import { APP_CONFIG, AppConfig, clientIp, Clock, errorBody, MetricsRegistry, requestIdFor, timeOrderedId } from '@refos/platform';
import { createHmac, hash } from 'node:crypto';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { Counter } from 'prom-client';
import { isBotRequest, MAX_USER_AGENT_LENGTH } from './bot-detection';
import { LinkResolver, ResolvedLink } from './link-resolver';
import { redirectLocation } from './redirect-target';
import { TouchBuffer } from './touch-buffer';

const MAX_REFERER_LENGTH = 1024;

const PREFIX = '/r/';

/**
 * `GET|HEAD /r/:code`, answered by the node:http server before Express sees the request: a redirect
 * must cost a few microseconds, and Express 5 alone costs ~70 µs of CPU per request (Nest's pipeline
 * ~90). What it still does: resolve the code from an in-memory cache, answer 302, hand the touch to
 * a buffer. Failures answer in the platform's error shape.
 */
@Injectable()
export class RedirectHandler {
  private readonly logger = new Logger(RedirectHandler.name);
  private readonly ipSalt: string;
  private readonly outcomes: Record<'redirected' | 'bot' | 'fallback' | 'not_found' | 'busy', { inc(): void }>;

  constructor(
    private readonly links: LinkResolver,
    private readonly touches: TouchBuffer,
    private readonly clock: Clock,
    @Inject(APP_CONFIG) config: AppConfig,
    metrics: MetricsRegistry,
  ) {
    // A secret salt derived from the encryption key, so IP hashes cannot be reversed by hashing all
    // IPv4s. A salted one-shot SHA-256 rather than an HMAC: a third of the CPU on the hot path, and
    // pseudonymising needs no MAC (nobody verifies these hashes).
    this.ipSalt = createHmac('sha256', config.encryptionKeys[0].key).update('refos:touch-ip').digest('hex');
    const counter = new Counter({
      name: 'referral_redirects_total',
      help: 'GET/HEAD /r/:code by outcome',
      labelNames: ['outcome'],
      registers: [metrics.registry],
    });
    // Bound once: labelling on every request would hash the label set each time.
    this.outcomes = {
      redirected: counter.labels('redirected'),
      bot: counter.labels('bot'),
      fallback: counter.labels('fallback'),
      not_found: counter.labels('not_found'),
      busy: counter.labels('busy'),
    };
  }

  /** Takes `/r/…` GET and HEAD requests off `server`; every other request goes on to the app as before. */
  mount(server: Server): void {
    const app = server.listeners('request') as ((req: IncomingMessage, res: ServerResponse) => void)[];
    server.removeAllListeners('request');
    server.on('request', (req: IncomingMessage, res: ServerResponse) => {
      if (req.url!.startsWith(PREFIX) && (req.method === 'GET' || req.method === 'HEAD')) return this.handle(req, res);
      for (const listener of app) listener.call(server, req, res);
    });
  }

  handle(req: IncomingMessage, res: ServerResponse): void {
    const query = req.url!.indexOf('?');
    const code = query === -1 ? req.url!.slice(PREFIX.length) : req.url!.slice(PREFIX.length, query);
    const cached = this.links.cached(code);
    if (cached) return this.answerSafely(req, res, cached);
    this.links
      .resolve(code)
      .then((link) => this.answerSafely(req, res, link))
      .catch((error: unknown) => {
        this.logger.error({ err: error, code }, 'could not resolve a link');
        this.fail(req, res, 503, 'Links cannot be resolved right now; retry shortly', 'unavailable');
      });
  }

  /** Nothing may throw out of a raw 'request' listener: it would take the process down. */
  private answerSafely(req: IncomingMessage, res: ServerResponse, link: ResolvedLink): void {
    try {
      this.answer(req, res, link);
    } catch (error) {
      this.logger.error({ err: error }, 'could not answer a redirect');
      if (!res.headersSent) this.fail(req, res, 500, 'Internal server error', 'internal_error');
    }
  }

  private answer(req: IncomingMessage, res: ServerResponse, link: ResolvedLink): void {
    if (link.kind === 'active') {
      const now = this.clock.now();
      // Time-ordered, so the touches' primary key grows at its right edge: a random id costs
      // PostgreSQL a full B-tree descent to a cold leaf per click (~2.5 µs of its ~11).
      const clickId = timeOrderedId(now.getTime(), 22);
      res.writeHead(302, { Location: redirectLocation(link.target, clickId), 'Cache-Control': 'no-store', 'Content-Length': '0' });
      res.end();
      const userAgent = req.headers['user-agent'];
      const isBot = isBotRequest(req.method!, userAgent);
      this.outcomes[isBot ? 'bot' : 'redirected'].inc();
      const referer = req.headers.referer;
      this.touches.record(link, {
        clickId,
        isBot,
        userAgent: userAgent ? userAgent.slice(0, MAX_USER_AGENT_LENGTH) : null,
        referer: referer ? referer.slice(0, MAX_REFERER_LENGTH) : null,
        ipHash: this.hashIp(clientIp(req)),
        occurredAt: now,
      });
      return;
    }
    if (link.kind === 'inactive' && link.fallbackUrl) {
      this.outcomes.fallback.inc();
      res.writeHead(302, { Location: link.fallbackUrl, 'Cache-Control': 'no-store', 'Content-Length': '0' });
      res.end();
      return;
    }
    if (link.kind === 'busy') {
      this.outcomes.busy.inc();
      return this.fail(req, res, 503, 'Too many lookups of unknown codes; retry shortly', 'unavailable');
    }
    this.outcomes.not_found.inc();
    this.fail(req, res, 404, 'No active referral link has this code', 'link_not_found');
  }

  private hashIp(ip: string | undefined): string | null {
    return ip ? hash('sha256', this.ipSalt + ip, 'hex') : null;
  }

  private fail(req: IncomingMessage, res: ServerResponse, status: number, message: string, code: string): void {
    // The Nest route's request already has the id its log lines carry.
    const requestId = (req as IncomingMessage & { id?: string }).id ?? requestIdFor(req, res);
    const body = JSON.stringify(errorBody(status, message, requestId, code));
    res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(body) });
    res.end(body);
  }
}
