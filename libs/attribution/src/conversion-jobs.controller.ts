import { Controller, Get, HttpCode, Param, ParseUUIDPipe, Post, Query } from '@nestjs/common';
import { ApiBadRequestResponse, ApiConflictResponse, ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiPage, Auth, CurrentTenant, ErrorResponseDto, Page } from '@refos/platform';
import { ConversionJobsService } from './conversion-jobs.service';
import { ConversionJobDto, ListConversionJobsQueryDto } from './dto/conversion-job.dto';

@ApiTags('conversion jobs')
@Controller('api/v1/conversion-jobs')
export class ConversionJobsController {
  constructor(private readonly jobs: ConversionJobsService) {}

  @Get()
  @Auth('tenant', { scope: 'read' })
  @ApiOperation({
    summary: 'List conversion jobs',
    description:
      'The queue that derives conversions from completed conversion events, most recently changed first. `status=dead` lists ' +
      'the jobs that failed every attempt, with `last_error`.',
  })
  @ApiPage(ConversionJobDto)
  @ApiBadRequestResponse({ type: ErrorResponseDto, description: 'Invalid filter or paging' })
  list(@CurrentTenant() tenantId: string, @Query() query: ListConversionJobsQueryDto): Promise<Page<ConversionJobDto>> {
    return this.jobs.list(tenantId, query);
  }

  @Post(':id/retry')
  @HttpCode(200)
  @Auth('tenant', { scope: 'admin' })
  @ApiOperation({ summary: 'Retry a dead conversion job', description: 'Puts it back in the queue, due now, with its attempts reset.' })
  @ApiOkResponse({ type: ConversionJobDto })
  @ApiBadRequestResponse({ type: ErrorResponseDto, description: 'Malformed id' })
  @ApiNotFoundResponse({ type: ErrorResponseDto, description: 'No such job in this tenant' })
  @ApiConflictResponse({ type: ErrorResponseDto, description: '`job_not_dead`: only dead jobs can be retried' })
  retry(@CurrentTenant() tenantId: string, @Param('id', ParseUUIDPipe) id: string): Promise<ConversionJobDto> {
    return this.jobs.retry(tenantId, id);
  }
}
