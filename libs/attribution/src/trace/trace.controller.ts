import { Controller, Get, Query } from '@nestjs/common';
import { ApiBadRequestResponse, ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Auth, CurrentTenant, ErrorResponseDto } from '@refos/platform';
import { TraceDto, TraceQueryDto } from './trace.dto';
import { TraceService } from './trace.service';

@ApiTags('reports')
@Controller('api/v1/trace')
export class TraceController {
  constructor(private readonly traces: TraceService) {}

  @Get()
  @Auth('tenant', { scope: 'read' })
  @ApiOperation({
    summary: 'Trace a session, a person, an event or a conversion',
    description:
      'Give exactly one of `session_id`, `fid`, `event_id` or `conversion_id`. Answers every touch (link click, bots marked) and ' +
      "event of the sessions concerned in time order (a fid's: every session it signed in to; an event's or conversion's: its " +
      'session), and for each of their conversions the attribution decision: the lookback window, the qualifying touches found ' +
      "by the deriver's rule, and the touch each model credited with the reason. At most 50 sessions and 1,000 events, oldest first.",
  })
  @ApiOkResponse({ type: TraceDto })
  @ApiBadRequestResponse({ type: ErrorResponseDto, description: '`invalid_trace_subject`: none or several of the four given; or a malformed value' })
  @ApiNotFoundResponse({ type: ErrorResponseDto, description: 'Nothing recorded for that subject in this tenant' })
  trace(@CurrentTenant() tenantId: string, @Query() query: TraceQueryDto): Promise<TraceDto> {
    return this.traces.trace(tenantId, query);
  }
}
