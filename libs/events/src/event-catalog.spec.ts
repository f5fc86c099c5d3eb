import { CLIENT_EVENTS, CONVERSION_COMPLETED_EVENTS, CONVERSION_STARTED_EVENTS, eventCategory, MAX_PROPERTIES_DEPTH, validateEvent } from './event-catalog';

const now = new Date('2026-11-22T12:00:00Z');
const limits = { now, maxAgeMs: 72 * 3_600_000 };
const fields = (input: Record<string, unknown>) => {
  const result = validateEvent(input, limits);
  return result.ok ? [] : result.errors.map((e) => e.field);
};

describe('the event catalog', () => {
  it('sorts every seed event into its category, and anything else is custom', () => {
    expect(CLIENT_EVENTS).toHaveLength(11);
    for (const name of CLIENT_EVENTS) expect(eventCategory(name)).toBe('client');
    for (const name of CONVERSION_STARTED_EVENTS) expect(eventCategory(name)).toBe('conversion_started');
    for (const name of CONVERSION_COMPLETED_EVENTS) expect(eventCategory(name)).toBe('conversion_completed');
    expect(eventCategory('purchase')).toBe('custom');
    expect(eventCategory('level_completed')).toBe('custom');
  });

  it.each([
    [{ event_name: 'claim_completed', session_id: 's', idempotency_key: 'k' }, ['tx_hash']],
    [{ event_name: 'swap_completed', session_id: 's', idempotency_key: 'k' }, ['tx_hash']],
    [{ event_name: 'payment_completed', session_id: 's', idempotency_key: 'k' }, ['value_usdc']],
    [{ event_name: 'payment_completed', session_id: 's', idempotency_key: 'k', revenue: '3', currency: 'USD' }, []],
    [{ event_name: 'claim_completed', session_id: 's', tx_hash: '0xabc' }, ['idempotency_key']],
    [{ event_name: 'link_clicked', session_id: 's', referral_link_id: '6f1c2a7e-1111-4a2b-9c3d-000000000003' }, []],
    [{ event_name: 'sign_in_completed', session_id: 's', fid: '3621' }, []],
    [{ event_name: 'sign_in_completed', session_id: 's', fid: 0 }, ['fid']],
    [{ event_name: 'sign_in_completed', session_id: 's', fid: 1.5 }, ['fid']],
    [{ event_name: 'miniapp_opened', session_id: 'has space' }, ['session_id']],
    [{ event_name: 'miniapp_opened', session_id: 's', campaign_id: 'nope' }, ['campaign_id']],
    [{ event_name: 'x'.repeat(65), session_id: 's' }, ['event_name']],
  ])('%j → invalid fields %j', (input, expected) => {
    expect(fields(input)).toEqual(expected);
  });

  it('reports every problem of an event at once', () => {
    expect(fields({ event_name: 7, campaign_id: 'x', extra: true })).toEqual(['extra', 'event_name', 'session_id', 'campaign_id']);
  });

  it('normalises revenue to a decimal string and refuses what numeric(18,6) cannot hold', () => {
    const result = validateEvent({ event_name: 'purchase', session_id: 's', revenue: 59.9, currency: 'EUR' }, limits);
    expect(result.ok && result.event.revenue).toBe('59.9');
    expect(fields({ event_name: 'purchase', session_id: 's', revenue: 1e21, currency: 'EUR' })).toEqual(['revenue']);
    expect(fields({ event_name: 'purchase', session_id: 's', revenue: '1234567890123', currency: 'EUR' })).toEqual(['revenue']);
  });

  it('lower-cases referenced ids so they compare with the stored ones', () => {
    const result = validateEvent({ event_name: 'miniapp_opened', session_id: 's', campaign_id: '6F1C2A7E-1111-4A2B-9C3D-000000000003' }, limits);
    expect(result.ok && result.event.campaignId).toBe('6f1c2a7e-1111-4a2b-9c3d-000000000003');
  });

  it('refuses a body that is not an object', () => {
    for (const input of [null, [], 'event', 3]) expect(validateEvent(input, limits).ok).toBe(false);
  });

  it('refuses context keys that are Object.prototype names instead of throwing', () => {
    for (const key of ['constructor', '__proto__', 'toString']) {
      const context = JSON.parse(`{"${key}": "x"}`) as Record<string, unknown>;
      expect(fields({ event_name: 'miniapp_opened', session_id: 's', context })).toEqual([`context.${key}`]);
    }
  });

  it('refuses properties that jsonb or JSON.stringify could not take, without recursing', () => {
    const deep = JSON.parse(`{"properties":${'{"a":'.repeat(200_000)}1${'}'.repeat(200_000)}}`) as { properties: object };
    expect(fields({ event_name: 'miniapp_opened', session_id: 's', properties: deep.properties })).toEqual(['properties']);
    const arrays = JSON.parse(`${'['.repeat(MAX_PROPERTIES_DEPTH)}1${']'.repeat(MAX_PROPERTIES_DEPTH)}`) as unknown;
    expect(fields({ event_name: 'miniapp_opened', session_id: 's', properties: { list: arrays } })).toEqual(['properties']);
    expect(fields({ event_name: 'miniapp_opened', session_id: 's', properties: { list: [[[1]]] } })).toEqual([]);
    for (const properties of [{ note: 'a\ud800b' }, { ['\udc00']: 1 }, { nested: [{ x: 'nul\u0000' }] }]) {
      expect(fields({ event_name: 'miniapp_opened', session_id: 's', properties })).toEqual(['properties']);
    }
    expect(fields({ event_name: 'miniapp_opened', session_id: 's', properties: { emoji: '\ud83d\ude00' } })).toEqual([]);
  });
});
