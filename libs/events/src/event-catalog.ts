/**
 * The event catalog of seed 000 and the rules each event is held to. Hand-written checks rather than
 * class-validator: ingestion validates every event of every request, and this path must stay cheap.
 */

export const CLIENT_EVENTS = [
  'link_clicked',
  'miniapp_opened',
  'miniapp_added',
  'sign_in_completed',
  'wallet_connected',
  'notification_opted_in',
  'cast_shared',
  'invite_sent',
  'invite_accepted',
  'session_engaged_30s',
  'tutorial_completed',
] as const;
export const CONVERSION_STARTED_EVENTS = ['claim_started', 'swap_started', 'checkout_started'] as const;
export const CONVERSION_COMPLETED_EVENTS = ['claim_completed', 'swap_completed', 'payment_completed'] as const;

/** `client` and `conversion_started` need the app key only; `conversion_completed` is trusted-only. */
export type EventCategory = 'client' | 'conversion_started' | 'conversion_completed' | 'custom';

const CATEGORY = new Map<string, EventCategory>([
  ...CLIENT_EVENTS.map((name) => [name, 'client'] as const),
  ...CONVERSION_STARTED_EVENTS.map((name) => [name, 'conversion_started'] as const),
  ...CONVERSION_COMPLETED_EVENTS.map((name) => [name, 'conversion_completed'] as const),
]);

/** Names outside the catalog are custom events (seed 002's `purchase`, say): lowercase snake_case. */
export const CUSTOM_EVENT_NAME = /^[a-z][a-z0-9_]{0,63}$/;
const SESSION_ID = /^[A-Za-z0-9_.:-]{1,128}$/;
const USER_ID = /^[\x21-\x7e]{1,128}$/;
const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,255}$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const CLICK_ID = /^[0-9A-Za-z]{1,32}$/;
const TX_HASH = /^[0-9A-Za-z]{1,128}$/;
/** At most 12 integer digits and 6 decimals: what `numeric(18,6)` holds, USDC's own precision. */
const AMOUNT = /^(0|[1-9][0-9]{0,11})(\.[0-9]{1,6})?$/;
const CURRENCY = /^[A-Z]{3}$/;
const ISO_TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}:\d{2})$/;
const PLATFORM = /^[a-z0-9_-]{1,32}$/;
const APP_VERSION = /^[\x21-\x7e]{1,32}$/;
const LOCALE = /^[A-Za-z]{2,3}([_-][A-Za-z0-9]{2,8}){0,3}$/;
const COUNTRY = /^[A-Z]{2}$/;
export const MAX_PROPERTIES_BYTES = 8_192;
/** Objects and arrays nested deeper than this are refused before anything recursive (JSON.stringify) sees them. */
export const MAX_PROPERTIES_DEPTH = 16;
/** The furthest ahead of the server's clock a client's `occurred_at` may be. */
export const MAX_FUTURE_SKEW_MS = 5 * 60_000;

const TOP_LEVEL_FIELDS = new Set([
  'event_name', 'session_id', 'campaign_id', 'referral_link_id', 'click_id', 'fid', 'user_id', 'idempotency_key', 'tx_hash',
  'value_usdc', 'revenue', 'currency', 'occurred_at', 'properties', 'context',
]);
const CONTEXT_FIELDS = new Map<string, RegExp>([
  ['platform', PLATFORM],
  ['app_version', APP_VERSION],
  ['locale', LOCALE],
  ['country', COUNTRY],
]);

/** An event as stored, before the server's own fields (ids, tenant, app, received_at). */
export interface ValidEvent {
  eventName: string;
  category: EventCategory;
  sessionId: string;
  campaignId: string | null;
  referralLinkId: string | null;
  clickId: string | null;
  fid: string | null;
  userId: string | null;
  idempotencyKey: string | null;
  txHash: string | null;
  valueUsdc: string | null;
  revenue: string | null;
  currency: string | null;
  occurredAt: Date;
  properties: Record<string, unknown>;
  context: Record<string, string>;
}

export interface FieldError {
  field: string;
  messages: string[];
}

export type Validation = { ok: true; event: ValidEvent } | { ok: false; errors: FieldError[] };

export interface ValidationLimits {
  now: Date;
  maxAgeMs: number;
}

export function eventCategory(name: string): EventCategory {
  return CATEGORY.get(name) ?? 'custom';
}

/** Checks one event body against the common rules and its own; every problem is reported at once. */
export function validateEvent(input: unknown, limits: ValidationLimits): Validation {
  const errors: FieldError[] = [];
  const fail = (field: string, message: string) => errors.push({ field, messages: [message] });
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    return { ok: false, errors: [{ field: 'event', messages: ['an event must be a JSON object'] }] };
  }
  const body = input as Record<string, unknown>;
  for (const field of Object.keys(body)) if (!TOP_LEVEL_FIELDS.has(field)) fail(field, `${field} is not an event field`);

  const eventName = body.event_name;
  let category: EventCategory = 'custom';
  if (typeof eventName !== 'string' || !CUSTOM_EVENT_NAME.test(eventName)) {
    fail('event_name', 'event_name must be a catalog event or a custom name in lowercase snake_case (at most 64 characters)');
  } else {
    category = eventCategory(eventName);
  }

  const text = (field: string, pattern: RegExp, message: string): string | null => {
    const value = body[field];
    if (value === undefined || value === null) return null;
    if (typeof value !== 'string' || !pattern.test(value)) fail(field, message);
    return typeof value === 'string' ? value : null;
  };
  const sessionId = text('session_id', SESSION_ID, 'session_id must be 1 to 128 letters, digits or _ . : -');
  if (body.session_id === undefined || body.session_id === null) fail('session_id', 'session_id is required');
  const campaignId = text('campaign_id', UUID, 'campaign_id must be a UUID');
  const referralLinkId = text('referral_link_id', UUID, 'referral_link_id must be a UUID');
  const clickId = text('click_id', CLICK_ID, 'click_id must be the click_id forwarded by /r/:code');
  const userId = text('user_id', USER_ID, 'user_id must be 1 to 128 printable ASCII characters');
  const idempotencyKey = text('idempotency_key', IDEMPOTENCY_KEY, 'idempotency_key must be 1 to 255 printable ASCII characters');
  const txHash = text('tx_hash', TX_HASH, 'tx_hash must be 1 to 128 letters or digits (e.g. 0xabc…)');
  const valueUsdc = text('value_usdc', AMOUNT, 'value_usdc must be a decimal string >= 0 with at most 12 digits before the point and 6 after');
  const currency = text('currency', CURRENCY, 'currency must be an ISO 4217 code such as USD');

  let fid: string | null = null;
  if (body.fid !== undefined && body.fid !== null) {
    const value = body.fid;
    if ((typeof value === 'number' && Number.isSafeInteger(value) && value > 0) || (typeof value === 'string' && /^[1-9][0-9]{0,15}$/.test(value))) {
      fid = String(value);
    } else {
      fail('fid', 'fid must be a positive integer');
    }
  }

  let revenue: string | null = null;
  if (body.revenue !== undefined && body.revenue !== null) {
    const raw = typeof body.revenue === 'number' && Number.isFinite(body.revenue) ? String(body.revenue) : body.revenue;
    if (typeof raw === 'string' && AMOUNT.test(raw)) revenue = raw;
    else fail('revenue', 'revenue must be a number or decimal string >= 0 with at most 12 digits before the point and 6 after');
  }
  if ((revenue === null) !== (currency === null) && !errors.some((e) => e.field === 'revenue' || e.field === 'currency')) {
    fail(revenue === null ? 'revenue' : 'currency', 'revenue and currency come together');
  }

  let occurredAt = limits.now;
  if (body.occurred_at !== undefined && body.occurred_at !== null) {
    const value = body.occurred_at;
    const parsed = typeof value === 'string' && ISO_TIMESTAMP.test(value) ? new Date(value) : null;
    if (!parsed || Number.isNaN(parsed.getTime())) {
      fail('occurred_at', 'occurred_at must be an ISO 8601 timestamp with a time zone');
    } else if (parsed.getTime() > limits.now.getTime() + MAX_FUTURE_SKEW_MS) {
      fail('occurred_at', 'occurred_at is more than 5 minutes ahead of the server clock');
    } else if (parsed.getTime() < limits.now.getTime() - limits.maxAgeMs) {
      fail('occurred_at', `occurred_at is more than ${Math.round(limits.maxAgeMs / 3_600_000)} hours in the past`);
    } else {
      occurredAt = parsed;
    }
  }

  let properties: Record<string, unknown> = {};
  if (body.properties !== undefined && body.properties !== null) {
    const value = body.properties;
    const problem = typeof value !== 'object' || Array.isArray(value) ? 'properties must be a JSON object' : propertiesProblem(value);
    if (problem) fail('properties', problem);
    else if (Buffer.byteLength(JSON.stringify(value)) > MAX_PROPERTIES_BYTES) fail('properties', `properties must be at most ${MAX_PROPERTIES_BYTES} bytes of JSON`);
    else properties = value as Record<string, unknown>;
  }

  const context: Record<string, string> = {};
  if (body.context !== undefined && body.context !== null) {
    const value = body.context;
    if (typeof value !== 'object' || Array.isArray(value)) {
      fail('context', 'context must be a JSON object');
    } else {
      for (const [key, item] of Object.entries(value)) {
        const pattern = CONTEXT_FIELDS.get(key);
        if (!pattern) fail(`context.${key}`, `context.${key} is not a context field (platform, app_version, locale, country)`);
        else if (typeof item !== 'string' || !pattern.test(item)) fail(`context.${key}`, contextMessage(key));
        else context[key] = item;
      }
    }
  }

  if (typeof eventName === 'string' && errors.length === 0) {
    checkEventRules(eventName, category, { clickId, referralLinkId, fid, idempotencyKey, txHash, valueUsdc, revenue }, fail);
  }
  if (errors.length > 0) return { ok: false, errors };
  return {
    ok: true,
    event: {
      eventName: eventName as string,
      category,
      sessionId: sessionId!,
      campaignId: campaignId?.toLowerCase() ?? null,
      referralLinkId: referralLinkId?.toLowerCase() ?? null,
      clickId,
      fid,
      userId,
      idempotencyKey,
      txHash,
      valueUsdc,
      revenue,
      currency,
      occurredAt,
      properties,
      context,
    },
  };
}

interface RuleFields {
  clickId: string | null;
  referralLinkId: string | null;
  fid: string | null;
  idempotencyKey: string | null;
  txHash: string | null;
  valueUsdc: string | null;
  revenue: string | null;
}

/** Each catalog event's own schema on top of the common one. Custom events have none. */
function checkEventRules(name: string, category: EventCategory, f: RuleFields, fail: (field: string, message: string) => void): void {
  if (category === 'client') {
    for (const [field, value] of [['value_usdc', f.valueUsdc], ['tx_hash', f.txHash], ['revenue', f.revenue]] as const) {
      if (value !== null) fail(field, `${field} belongs to conversion and custom events, not to ${name}`);
    }
  }
  if (name === 'link_clicked' && f.clickId === null && f.referralLinkId === null) {
    fail('click_id', 'link_clicked needs the click_id from /r/:code or a referral_link_id');
  }
  if (name === 'sign_in_completed' && f.fid === null) fail('fid', 'sign_in_completed needs the fid that signed in');
  if (category === 'conversion_completed') {
    if (f.idempotencyKey === null) fail('idempotency_key', `${name} is a trusted conversion and needs an idempotency_key (e.g. tx:<tx_hash>)`);
    if ((name === 'claim_completed' || name === 'swap_completed') && f.txHash === null) fail('tx_hash', `${name} needs the tx_hash of the on-chain transaction`);
    if (name === 'payment_completed' && f.valueUsdc === null && f.revenue === null) {
      fail('value_usdc', 'payment_completed needs value_usdc (or revenue with currency)');
    }
  }
}

function contextMessage(key: string): string {
  switch (key) {
    case 'platform':
      return 'context.platform must be 1 to 32 lowercase letters, digits, _ or - (ios, android, web…)';
    case 'app_version':
      return 'context.app_version must be 1 to 32 printable ASCII characters';
    case 'locale':
      return 'context.locale must be a BCP 47 tag such as en-US';
    default:
      return 'context.country must be an ISO 3166-1 alpha-2 code such as FR';
  }
}

/**
 * What PostgreSQL's jsonb would refuse (U+0000, a lone UTF-16 surrogate) or JSON.stringify could not
 * walk (nesting deep enough to overflow the stack), found here so one event cannot fail a whole group
 * commit or the request. Iterative, so the walk itself has no depth limit; it stops at the first problem.
 */
function propertiesProblem(root: object): string | null {
  const pending: { value: unknown; depth: number }[] = [{ value: root, depth: 1 }];
  while (pending.length > 0) {
    const { value, depth } = pending.pop()!;
    if (depth > MAX_PROPERTIES_DEPTH) return `properties must not nest objects or arrays more than ${MAX_PROPERTIES_DEPTH} levels deep`;
    for (const [key, item] of Object.entries(value as object)) {
      const problem = textProblem(key) ?? (typeof item === 'string' ? textProblem(item) : null);
      if (problem) return problem;
      if (typeof item === 'object' && item !== null) pending.push({ value: item, depth: depth + 1 });
    }
  }
  return null;
}

function textProblem(text: string): string | null {
  if (text.includes('\0')) return 'properties must not contain the NUL character (U+0000)';
  if (!text.isWellFormed()) return 'properties must be valid Unicode (no lone surrogate such as \\ud800)';
  return null;
}
