import { Inject, Injectable } from '@nestjs/common';
import { EventEmitter2 } from '@nestjs/event-emitter';
import { AppCredentialsCache } from '@refos/apps';
import { APP_CONFIG, AppConfig, AppPrincipal, Clock, DomainError, RateLimiter, uuidv7 } from '@refos/platform';
import { eventCategory, FieldError, validateEvent, ValidEvent } from './event-catalog';
import { EventRecord, EventWriter, WriteOutcome } from './event-writer';
import { EventReferences } from './event-references';

/** Published on the in-process bus after an event's commit (never for a duplicate): `bus.on(EVENT_STORED, …)`. */
export const EVENT_STORED = 'events.stored';
export type StoredEvent = EventRecord;

export const MAX_EVENTS_PER_BATCH = 500;
const MINUTE_MS = 60_000;
const MAX_USER_AGENT_LENGTH = 512;

/** What the transport knows of the request besides its body. */
export interface IngestionRequest {
  app: AppPrincipal;
  /** The `x-server-secret` header, when sent. */
  serverSecret?: string;
  userAgent?: string;
  clientIp?: string;
}

export type ItemResult =
  | { status: 'accepted' | 'duplicate'; id: string; eventName: string; receivedAt: Date }
  | { status: 'rejected'; error: DomainError };

/**
 * Event ingestion: rate limits, trusted gating, validation, ownership of the referenced campaign and
 * link, then one group-committed write for the whole request. Valid events of a request are stored
 * even when others are rejected. Subscribers hear of stored events only after they are durable.
 */
@Injectable()
export class EventsService {
  constructor(
    private readonly writer: EventWriter,
    private readonly references: EventReferences,
    private readonly credentials: AppCredentialsCache,
    private readonly limiter: RateLimiter,
    private readonly clock: Clock,
    private readonly bus: EventEmitter2,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async ingest(request: IngestionRequest, bodies: unknown[]): Promise<ItemResult[]> {
    const { app } = request;
    const trust = await this.trust(request);
    if (trust === 'invalid') throw new DomainError('server_secret_invalid', 403, "x-server-secret is not this app's server secret");
    // Separate buckets, so a flood of client events cannot starve the app's server of its conversions.
    const rateLimits = [this.limiter.hit(`events:app:${app.appId}:${trust}`, this.config.eventsRateLimitPerApp, MINUTE_MS)];
    // Trusted servers send for many users from one address; only client traffic is limited per IP.
    if (trust !== 'trusted') rateLimits.push(this.limiter.hit(`events:ip:${request.clientIp ?? 'unknown'}`, this.config.eventsRateLimitPerIp, MINUTE_MS));
    // Counted together, in one round trip to Redis: a request counts against both buckets even when one refuses it.
    await Promise.all(rateLimits);

    const now = this.clock.now();
    const limits = { now, maxAgeMs: this.config.eventsMaxAgeHours * 3_600_000 };
    const results: (ItemResult | ValidEvent)[] = bodies.map((body) => {
      const gate = gateTrusted(body, trust);
      if (gate) return { status: 'rejected', error: gate };
      const validation = validateEvent(body, limits);
      if (!validation.ok) return { status: 'rejected', error: invalid(validation.errors) };
      return validation.event;
    });

    await this.checkOwnership(app, results);

    const records: EventRecord[] = [];
    const positions: number[] = [];
    const userAgent = request.userAgent?.slice(0, MAX_USER_AGENT_LENGTH);
    results.forEach((result, index) => {
      if ('status' in result) return;
      if (userAgent) result.context.user_agent = userAgent;
      records.push(toRecord(result, uuidv7(now.getTime()), app, trust === 'trusted', now));
      positions.push(index);
    });

    const outcomes = await this.writer.write(records);
    outcomes.forEach((outcome, i) => {
      results[positions[i]] = itemResult(outcome, records[i]);
    });
    for (const outcome of outcomes) if (outcome.stored) this.bus.emit(EVENT_STORED, outcome.record satisfies StoredEvent);
    return results as ItemResult[];
  }

  private async trust(request: IngestionRequest): Promise<'trusted' | 'absent' | 'invalid'> {
    if (request.serverSecret === undefined) return 'absent';
    return (await this.credentials.verifyServerSecret(request.app.appId, request.serverSecret)) ? 'trusted' : 'invalid';
  }

  /** campaign_id and referral_link_id must be the app's; a link's campaign fills in a missing campaign_id. */
  private async checkOwnership(app: AppPrincipal, results: (ItemResult | ValidEvent)[]): Promise<void> {
    const events = results.filter((r): r is ValidEvent => !('status' in r));
    const campaignIds = events.flatMap((e) => (e.campaignId ? [e.campaignId] : []));
    const linkIds = events.flatMap((e) => (e.referralLinkId ? [e.referralLinkId] : []));
    if (campaignIds.length === 0 && linkIds.length === 0) return;
    const [campaignApps, links] = await Promise.all([
      this.references.campaignAppIds(app.tenantId, campaignIds),
      this.references.linkRefs(app.tenantId, linkIds),
    ]);
    results.forEach((result, index) => {
      if ('status' in result) return;
      const errors: FieldError[] = [];
      if (result.campaignId && campaignApps.get(result.campaignId) !== app.appId) {
        errors.push({ field: 'campaign_id', messages: ["campaign_id is not a campaign of this event's app"] });
      }
      const link = result.referralLinkId ? links.get(result.referralLinkId) : undefined;
      if (result.referralLinkId && link?.appId !== app.appId) {
        errors.push({ field: 'referral_link_id', messages: ["referral_link_id is not a referral link of this event's app"] });
      } else if (link?.campaignId && result.campaignId && link.campaignId !== result.campaignId) {
        errors.push({ field: 'campaign_id', messages: ['campaign_id differs from the campaign of referral_link_id'] });
      }
      if (errors.length > 0) {
        results[index] = { status: 'rejected', error: new DomainError('invalid_reference', 422, errors.map((e) => e.messages[0]).join('; '), errors) };
      } else if (link?.campaignId && !result.campaignId) {
        result.campaignId = link.campaignId;
      }
    });
  }
}

/**
 * `*_completed` conversions count only from the app's server: without `x-server-secret` 401 (a wrong
 * one fails the whole request with 403 before this). Judged on the event name alone, before any other field, so nothing about an
 * untrusted conversion is checked or stored.
 */
function gateTrusted(body: unknown, trust: 'trusted' | 'absent'): DomainError | null {
  if (trust === 'trusted' || typeof body !== 'object' || body === null) return null;
  const name = (body as { event_name?: unknown }).event_name;
  if (typeof name !== 'string' || eventCategory(name) !== 'conversion_completed') return null;
  return new DomainError('server_secret_required', 401, `${name} is a trusted conversion: send it from your server with x-server-secret`);
}

/** Field by field rather than by spread: one object shape for every record, on the hottest path. */
function toRecord(event: ValidEvent, id: string, app: AppPrincipal, trusted: boolean, receivedAt: Date): EventRecord {
  return {
    id,
    tenantId: app.tenantId,
    appId: app.appId,
    eventName: event.eventName,
    category: event.category,
    sessionId: event.sessionId,
    campaignId: event.campaignId,
    referralLinkId: event.referralLinkId,
    clickId: event.clickId,
    fid: event.fid,
    userId: event.userId,
    idempotencyKey: event.idempotencyKey,
    txHash: event.txHash,
    valueUsdc: event.valueUsdc,
    revenue: event.revenue,
    currency: event.currency,
    occurredAt: event.occurredAt,
    properties: event.properties,
    context: event.context,
    trusted,
    receivedAt,
  };
}

function itemResult(outcome: WriteOutcome, record: EventRecord): ItemResult {
  if (outcome.stored) return { status: 'accepted', id: record.id, eventName: record.eventName, receivedAt: record.receivedAt };
  if ('error' in outcome) return { status: 'rejected', error: outcome.error };
  const first = outcome.duplicateOf;
  // A key names one event: the same key on another event is a client bug, not a retry to replay.
  if (first.eventName !== record.eventName) {
    return {
      status: 'rejected',
      error: new DomainError('idempotency_key_reused', 409, `idempotency_key was already used by a ${first.eventName} event of this app`),
    };
  }
  return { status: 'duplicate', id: first.id, eventName: first.eventName, receivedAt: first.receivedAt };
}

function invalid(errors: FieldError[]): DomainError {
  return new DomainError('invalid_event', 422, `Invalid event: ${errors.map((e) => e.messages[0]).join('; ')}`, errors);
}
