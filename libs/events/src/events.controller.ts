import { Body, Controller, Headers, HttpCode, Post, Req, Res } from '@nestjs/common';
import {
  ApiBody,
  ApiCreatedResponse,
  ApiForbiddenResponse,
  ApiHeader,
  ApiOkResponse,
  ApiOperation,
  ApiServiceUnavailableResponse,
  ApiTags,
  ApiTooManyRequestsResponse,
  ApiUnauthorizedResponse,
  ApiUnprocessableEntityResponse,
} from '@nestjs/swagger';
import { SkipThrottle } from '@nestjs/throttler';
import { AppPrincipal, Auth, CurrentPrincipal, DomainError, ErrorResponseDto, REPLAYED_HEADER } from '@refos/platform';
import type { Request, Response } from 'express';
import { EVENT_EXAMPLES, EventAcceptedDto, EventBatchDto, EventBatchResultDto, EventInputDto } from './dto/event.dto';
import { EventsService, IngestionRequest, ItemResult, MAX_EVENTS_PER_BATCH } from './events.service';

const SERVER_SECRET_HEADER = {
  name: 'x-server-secret',
  required: false,
  description: "The app's server secret `rss_…`: required by *_completed conversions; send it from your server only.",
};
const RATE_LIMITED = { type: ErrorResponseDto, description: 'Per-app (EVENTS_RATE_LIMIT_PER_APP) or per-IP client (EVENTS_RATE_LIMIT_PER_IP) limit; see Retry-After' };
const UNAVAILABLE = { type: ErrorResponseDto, description: 'The database is unreachable; retry with the same idempotency_key' };

@ApiTags('events')
@Controller('api/v1/events')
// The global per-credential throttle would cap an SDK at 600 events a minute; ingestion has its own limits.
@SkipThrottle()
@Auth('app')
export class EventsController {
  constructor(private readonly events: EventsService) {}

  @Post()
  @HttpCode(201)
  @ApiOperation({
    summary: 'Ingest one event',
    description:
      'SDK events and trusted conversions. Catalog events keep their own schema; other lowercase snake_case names are custom events. ' +
      '`*_completed` conversions need `x-server-secret` (401 `server_secret_required` without it, 403 `server_secret_invalid` when wrong) ' +
      'and an `idempotency_key` (422); nothing is stored on any error. A repeated `idempotency_key` answers the first event (same id) ' +
      'with `X-Idempotency-Replayed: true` and stores nothing. The answer comes after the event is committed (group commit).',
  })
  @ApiHeader(SERVER_SECRET_HEADER)
  @ApiBody({ type: EventInputDto, examples: EVENT_EXAMPLES })
  @ApiCreatedResponse({ type: EventAcceptedDto, description: 'Stored, or the first event of this idempotency_key (X-Idempotency-Replayed: true)' })
  @ApiUnauthorizedResponse({ type: ErrorResponseDto, description: 'Missing or wrong x-api-key, or a completed conversion without x-server-secret' })
  @ApiForbiddenResponse({ type: ErrorResponseDto, description: "x-server-secret is not the app's" })
  @ApiUnprocessableEntityResponse({ type: ErrorResponseDto, description: "Invalid event (invalid_event), or a campaign/link not of this app (invalid_reference)" })
  @ApiTooManyRequestsResponse(RATE_LIMITED)
  @ApiServiceUnavailableResponse(UNAVAILABLE)
  async ingest(
    @CurrentPrincipal() app: AppPrincipal,
    @Body() body: unknown,
    @Headers('x-server-secret') serverSecret: string | undefined,
    @Req() req: Request,
    @Res({ passthrough: true }) res: Response,
  ): Promise<EventAcceptedDto> {
    const [result] = await this.events.ingest(ingestionRequest(app, serverSecret, req), [body]);
    if (result.status === 'rejected') throw result.error;
    if (result.status === 'duplicate') res.setHeader(REPLAYED_HEADER, 'true');
    return { id: result.id, event_name: result.eventName, received_at: result.receivedAt.toISOString() };
  }

  @Post('batch')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Ingest up to 500 events',
    description:
      'One answer per event, in order: `accepted`, `duplicate` (its idempotency_key was seen: the first event\'s id) or `rejected` with the ' +
      'error the single endpoint would give. Valid events are stored even when others are rejected, in one group commit. The request ' +
      'body limit (BODY_LIMIT, 1 MB by default) applies.',
  })
  @ApiHeader(SERVER_SECRET_HEADER)
  @ApiBody({
    type: EventBatchDto,
    examples: {
      mixed: {
        summary: 'A client batch',
        value: { events: [EVENT_EXAMPLES.miniapp_opened.value, EVENT_EXAMPLES.sign_in_completed.value, EVENT_EXAMPLES.purchase.value] },
      },
    },
  })
  @ApiOkResponse({ type: EventBatchResultDto })
  @ApiUnauthorizedResponse({ type: ErrorResponseDto, description: 'Missing or wrong x-api-key' })
  @ApiForbiddenResponse({ type: ErrorResponseDto, description: "x-server-secret is not the app's" })
  @ApiUnprocessableEntityResponse({ type: ErrorResponseDto, description: `\`events\` is not an array of 1 to ${MAX_EVENTS_PER_BATCH} items (invalid_batch)` })
  @ApiTooManyRequestsResponse(RATE_LIMITED)
  @ApiServiceUnavailableResponse(UNAVAILABLE)
  async ingestBatch(
    @CurrentPrincipal() app: AppPrincipal,
    @Body() body: unknown,
    @Headers('x-server-secret') serverSecret: string | undefined,
    @Req() req: Request,
  ): Promise<EventBatchResultDto> {
    const events = (body as { events?: unknown } | null)?.events;
    if (!Array.isArray(events) || events.length === 0 || events.length > MAX_EVENTS_PER_BATCH) {
      throw new DomainError('invalid_batch', 422, `events must be an array of 1 to ${MAX_EVENTS_PER_BATCH} events`);
    }
    const results = await this.events.ingest(ingestionRequest(app, serverSecret, req), events);
    const count = (status: ItemResult['status']) => results.filter((r) => r.status === status).length;
    return {
      accepted: count('accepted'),
      duplicates: count('duplicate'),
      rejected: count('rejected'),
      results: results.map((result, index) =>
        result.status === 'rejected'
          ? { index, status: 'rejected', error: { status: result.error.status, code: result.error.code, message: result.error.message, details: result.error.details } }
          : { index, status: result.status, id: result.id },
      ),
    };
  }
}

function ingestionRequest(app: AppPrincipal, serverSecret: string | undefined, req: Request): IngestionRequest {
  return { app, serverSecret, userAgent: req.headers['user-agent'], clientIp: req.ip };
}
