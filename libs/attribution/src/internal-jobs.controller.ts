import { Controller, HttpCode, Post, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { SkipThrottle } from '@nestjs/throttler';
import { Auth } from '@refos/platform';
import { ConversionQueue } from './conversion-queue';
import { ProcessConversionsQueryDto, ProcessConversionsResultDto } from './dto/conversion-job.dto';

export const DEFAULT_PROCESS_LIMIT = 500;

@ApiTags('internal')
@Controller('api/internal/jobs')
// A scheduler calls this with a secret of its own, not a tenant credential.
@Auth('job_runner')
@SkipThrottle()
export class InternalJobsController {
  constructor(private readonly queue: ConversionQueue) {}

  @Post('process-conversions')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Work the conversion queue',
    description:
      'For an external scheduler (or `npm run jobs:process-conversions`): derives the conversions of up to `limit` due jobs ' +
      'and answers the counts. Needs `Authorization: Bearer <JOB_RUNNER_SECRET>`; without JOB_RUNNER_SECRET set the endpoint is ' +
      'disabled (401). Safe to call from several places at once: each job is worked once.',
  })
  @ApiOkResponse({ type: ProcessConversionsResultDto })
  process(@Query() query: ProcessConversionsQueryDto): Promise<ProcessConversionsResultDto> {
    return this.queue.process(query.limit ?? DEFAULT_PROCESS_LIMIT);
  }
}
