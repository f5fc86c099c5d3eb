import { Controller, Headers, HttpCode, Inject, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags, ApiUnauthorizedResponse } from '@nestjs/swagger';
import { SkipThrottle } from '@nestjs/throttler';
import { APP_CONFIG, AppConfig, constantTimeEqual, DomainError, ErrorResponseDto, Public } from '@refos/platform';
import { ConversionQueue } from './conversion-queue';
import { ProcessConversionsQueryDto, ProcessConversionsResultDto } from './dto/conversion-job.dto';

export const DEFAULT_PROCESS_LIMIT = 500;

@ApiTags('internal')
@Controller('api/internal/jobs')
// A scheduler calls this with a secret of its own, not a tenant credential.
@Public()
@SkipThrottle()
export class InternalJobsController {
  constructor(
    private readonly queue: ConversionQueue,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @Post('process-conversions')
  @HttpCode(200)
  @ApiBearerAuth()
  @ApiOperation({
    summary: 'Work the conversion queue',
    description:
      'For an external scheduler (or `npm run jobs:process-conversions`): derives the conversions of up to `limit` due jobs ' +
      'and answers the counts. Needs `Authorization: Bearer <JOB_RUNNER_SECRET>`; without JOB_RUNNER_SECRET set the endpoint is ' +
      'disabled (401). Safe to call from several places at once: each job is worked once.',
  })
  @ApiOkResponse({ type: ProcessConversionsResultDto })
  @ApiUnauthorizedResponse({ type: ErrorResponseDto, description: 'Missing or wrong secret, or JOB_RUNNER_SECRET not set' })
  process(@Headers('authorization') authorization: string | undefined, @Query() query: ProcessConversionsQueryDto): Promise<ProcessConversionsResultDto> {
    const presented = /^Bearer\s+(\S+)$/i.exec(authorization ?? '')?.[1];
    const secret = this.config.jobRunnerSecret;
    if (!secret || !presented || !constantTimeEqual(presented, secret)) {
      throw new DomainError('unauthorized', 401, 'A valid job runner secret is required (Authorization: Bearer <JOB_RUNNER_SECRET>)');
    }
    return this.queue.process(query.limit ?? DEFAULT_PROCESS_LIMIT);
  }
}
