import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { CONVERSION_JOB_STATUSES, ConversionJobStatus } from '@refos/events';
import { PageQueryDto } from '@refos/platform';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, Max, Min } from 'class-validator';

export const MAX_PROCESS_LIMIT = 5_000;

export class ProcessConversionsQueryDto {
  @ApiPropertyOptional({ minimum: 1, maximum: MAX_PROCESS_LIMIT, default: 500, description: 'Most jobs to work in this call' })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(MAX_PROCESS_LIMIT)
  limit?: number;
}

export class ProcessConversionsResultDto {
  @ApiProperty({ example: 480, description: 'Jobs whose conversion is now derived' })
  processed: number;

  @ApiProperty({ example: 2, description: 'Jobs that failed this time (retried later with backoff, or now dead)' })
  failed: number;

  @ApiProperty({ example: 1250, description: 'Jobs still pending or running' })
  remaining: number;
}

export class ListConversionJobsQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ enum: CONVERSION_JOB_STATUSES, description: 'Only jobs in this status (e.g. `dead`)' })
  @IsOptional()
  @IsIn(CONVERSION_JOB_STATUSES)
  status?: ConversionJobStatus;
}

export class ConversionJobDto {
  @ApiProperty({ format: 'uuid', example: '0b6f3c9e-2d1a-4c5b-9e8f-7a6b5c4d3e2f' })
  id: string;

  @ApiProperty({ format: 'uuid', example: '01937a4e-8c2b-7d3e-9f1a-2b3c4d5e6f70', description: 'The completed conversion event' })
  event_id: string;

  @ApiProperty({ enum: CONVERSION_JOB_STATUSES, example: 'dead' })
  status: ConversionJobStatus;

  @ApiProperty({ example: 5 })
  attempts: number;

  @ApiProperty({ format: 'date-time', example: '2026-11-22T12:05:00.000Z', description: 'When it is next due (pending)' })
  run_at: string;

  @ApiProperty({ type: String, nullable: true, example: 'the conversion event of this job does not exist' })
  last_error: string | null;

  @ApiProperty({ format: 'date-time', example: '2026-11-22T12:00:00.000Z' })
  created_at: string;

  @ApiProperty({ format: 'date-time', example: '2026-11-22T12:05:00.000Z' })
  updated_at: string;
}
