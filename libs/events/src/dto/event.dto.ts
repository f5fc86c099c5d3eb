import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { CLIENT_EVENTS, CONVERSION_COMPLETED_EVENTS, CONVERSION_STARTED_EVENTS, MAX_PROPERTIES_BYTES } from '../event-catalog';

/**
 * The event body, for Swagger only: ingestion validates with its own cheap checks (event-catalog.ts),
 * which these descriptions mirror.
 */
export class EventContextDto {
  @ApiPropertyOptional({ example: 'ios', description: 'ios, android, web, … (lowercase, ≤ 32)' })
  platform?: string;

  @ApiPropertyOptional({ example: '2.4.1' })
  app_version?: string;

  @ApiPropertyOptional({ example: 'fr-FR', description: 'BCP 47' })
  locale?: string;

  @ApiPropertyOptional({ example: 'FR', description: 'ISO 3166-1 alpha-2' })
  country?: string;
}

export class EventInputDto {
  @ApiProperty({
    example: 'miniapp_opened',
    description:
      `A catalog event, held to its own rules, or a custom name (\`^[a-z][a-z0-9_]{0,63}$\`, e.g. \`purchase\`). ` +
      `Client events: ${CLIENT_EVENTS.join(', ')}. Conversions started (app key only): ${CONVERSION_STARTED_EVENTS.join(', ')}. ` +
      `Conversions completed (trusted: x-server-secret and idempotency_key): ${CONVERSION_COMPLETED_EVENTS.join(', ')}.`,
  })
  event_name: string;

  @ApiProperty({ example: 'anon_123', description: '1–128 of `A-Z a-z 0-9 _ . : -`' })
  session_id: string;

  @ApiPropertyOptional({ format: 'uuid', description: "A campaign of this app (else 422). Filled from referral_link_id's campaign when omitted." })
  campaign_id?: string;

  @ApiPropertyOptional({ format: 'uuid', description: 'A referral link of this app (else 422)' })
  referral_link_id?: string;

  @ApiPropertyOptional({ example: '3kTMd9Q0vYbq1XzW2nLp8e', description: 'The click_id /r/:code forwarded: binds this session to that click' })
  click_id?: string;

  @ApiPropertyOptional({ example: 3621, description: 'Farcaster id; required by sign_in_completed' })
  fid?: number;

  @ApiPropertyOptional({ example: 'user_42', description: "Your own user id (≤ 128 printable ASCII)" })
  user_id?: string;

  @ApiPropertyOptional({
    example: 'tx:0xabc',
    description: 'Unique per app: a repeat answers the first event and stores nothing. Required by *_completed conversions.',
  })
  idempotency_key?: string;

  @ApiPropertyOptional({ example: '0xabc', description: 'Required by claim_completed and swap_completed' })
  tx_hash?: string;

  @ApiPropertyOptional({ example: '24.99', description: 'Decimal string ≥ 0, ≤ 12 digits before the point and 6 after' })
  value_usdc?: string;

  @ApiPropertyOptional({ example: '59.90', description: 'Number or decimal string ≥ 0; comes with currency' })
  revenue?: string;

  @ApiPropertyOptional({ example: 'EUR', description: 'ISO 4217; comes with revenue' })
  currency?: string;

  @ApiPropertyOptional({
    example: '2026-11-22T09:30:00Z',
    description: 'Client time, ISO 8601 with zone; at most 5 min ahead and EVENTS_MAX_AGE_HOURS (72) behind the server, else 422. Defaults to the receive time.',
  })
  occurred_at?: string;

  @ApiPropertyOptional({ type: 'object', additionalProperties: true, example: { screen: 'home' }, description: `Free-form, ≤ ${MAX_PROPERTIES_BYTES} bytes of JSON` })
  properties?: Record<string, unknown>;

  @ApiPropertyOptional({ type: EventContextDto, description: 'Only these four keys; the server adds user_agent' })
  context?: EventContextDto;
}

export class EventBatchDto {
  @ApiProperty({ type: [EventInputDto], maxItems: 500, minItems: 1 })
  events: EventInputDto[];
}

export class EventAcceptedDto {
  @ApiProperty({ format: 'uuid', description: "The event's id; for a repeated idempotency_key, the first event's" })
  id: string;

  @ApiProperty({ example: 'payment_completed' })
  event_name: string;

  @ApiProperty({ example: '2026-11-22T09:30:00.123Z' })
  received_at: string;
}

export class BatchItemErrorDto {
  @ApiProperty({ example: 422 })
  status: number;

  @ApiProperty({ example: 'invalid_event', description: 'invalid_event, invalid_reference, server_secret_required, event_rejected' })
  code: string;

  @ApiProperty({ example: 'Invalid event: session_id is required' })
  message: string;

  @ApiPropertyOptional({ example: [{ field: 'session_id', messages: ['session_id is required'] }] })
  details?: unknown;
}

export class BatchItemResultDto {
  @ApiProperty({ example: 0, description: 'Position in the request' })
  index: number;

  @ApiProperty({ enum: ['accepted', 'duplicate', 'rejected'] })
  status: 'accepted' | 'duplicate' | 'rejected';

  @ApiPropertyOptional({ format: 'uuid', description: 'Accepted: the new id; duplicate: the first event’s' })
  id?: string;

  @ApiPropertyOptional({ type: BatchItemErrorDto })
  error?: BatchItemErrorDto;
}

export class EventBatchResultDto {
  @ApiProperty({ example: 490 })
  accepted: number;

  @ApiProperty({ example: 0 })
  duplicates: number;

  @ApiProperty({ example: 10 })
  rejected: number;

  @ApiProperty({ type: [BatchItemResultDto] })
  results: BatchItemResultDto[];
}

/** One request example per catalog event, for Swagger's example picker. */
export const EVENT_EXAMPLES: Record<string, { summary: string; value: Record<string, unknown> }> = {
  link_clicked: { summary: 'link_clicked (needs click_id or referral_link_id)', value: { event_name: 'link_clicked', session_id: 'anon_123', click_id: '3kTMd9Q0vYbq1XzW2nLp8e' } },
  miniapp_opened: { summary: 'miniapp_opened', value: { event_name: 'miniapp_opened', session_id: 'anon_123', click_id: '3kTMd9Q0vYbq1XzW2nLp8e', context: { platform: 'ios', app_version: '2.4.1', locale: 'en-US', country: 'US' } } },
  miniapp_added: { summary: 'miniapp_added', value: { event_name: 'miniapp_added', session_id: 'anon_123' } },
  sign_in_completed: { summary: 'sign_in_completed (needs fid)', value: { event_name: 'sign_in_completed', session_id: 'anon_123', fid: 3621 } },
  wallet_connected: { summary: 'wallet_connected', value: { event_name: 'wallet_connected', session_id: 'anon_123', fid: 3621, properties: { wallet: 'coinbase' } } },
  notification_opted_in: { summary: 'notification_opted_in', value: { event_name: 'notification_opted_in', session_id: 'anon_123', fid: 3621 } },
  cast_shared: { summary: 'cast_shared', value: { event_name: 'cast_shared', session_id: 'anon_123', fid: 3621, properties: { cast_hash: '0x4f1c…' } } },
  invite_sent: { summary: 'invite_sent', value: { event_name: 'invite_sent', session_id: 'anon_123', fid: 3621, properties: { invitee_fid: 194 } } },
  invite_accepted: { summary: 'invite_accepted', value: { event_name: 'invite_accepted', session_id: 'anon_456', fid: 194, properties: { inviter_fid: 3621 } } },
  session_engaged_30s: { summary: 'session_engaged_30s', value: { event_name: 'session_engaged_30s', session_id: 'anon_123' } },
  tutorial_completed: { summary: 'tutorial_completed', value: { event_name: 'tutorial_completed', session_id: 'anon_123', occurred_at: '2026-11-22T09:30:00Z' } },
  claim_started: { summary: 'claim_started', value: { event_name: 'claim_started', session_id: 'anon_123', campaign_id: '0b6a1c9e-0f5b-4a3e-9f76-1d2b8c1e7a41' } },
  claim_completed: { summary: 'claim_completed (trusted; needs tx_hash)', value: { event_name: 'claim_completed', session_id: 'anon_123', idempotency_key: 'tx:0xdef', tx_hash: '0xdef' } },
  swap_started: { summary: 'swap_started', value: { event_name: 'swap_started', session_id: 'anon_123', value_usdc: '150' } },
  swap_completed: { summary: 'swap_completed (trusted; needs tx_hash)', value: { event_name: 'swap_completed', session_id: 'anon_123', idempotency_key: 'tx:0x123', tx_hash: '0x123', value_usdc: '150' } },
  checkout_started: { summary: 'checkout_started', value: { event_name: 'checkout_started', session_id: 'anon_123', value_usdc: '24.99' } },
  payment_completed: {
    summary: 'payment_completed (trusted; the seed example)',
    value: { event_name: 'payment_completed', session_id: 'anon_123', referral_link_id: '6f1c2a7e-1111-4a2b-9c3d-000000000003', idempotency_key: 'tx:0xabc', tx_hash: '0xabc', value_usdc: '24.99' },
  },
  purchase: { summary: 'custom: purchase with revenue (seed 002)', value: { event_name: 'purchase', session_id: 'anon_123', revenue: 59.9, currency: 'EUR', context: { platform: 'ios', country: 'FR' } } },
};
