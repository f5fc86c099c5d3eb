import { applyDecorators, Type as ClassType } from '@nestjs/common';
import { ApiExtraModels, ApiOkResponse, ApiPropertyOptional, getSchemaPath } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, Max, Min } from 'class-validator';

export const MAX_PAGE_SIZE = 100;

export class PageQueryDto {
  @ApiPropertyOptional({ minimum: 1, maximum: MAX_PAGE_SIZE, default: 50, description: 'Page size' })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(MAX_PAGE_SIZE)
  limit: number = 50;

  @ApiPropertyOptional({ minimum: 0, default: 0, description: 'Rows to skip' })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(10_000_000)
  offset: number = 0;
}

export interface Page<T> {
  data: T[];
  total: number;
  limit: number;
  offset: number;
}

/** Documents a `{ data, total, limit, offset }` answer whose items are `item`. */
export function ApiPage(item: ClassType<unknown>, description = 'One page of results') {
  return applyDecorators(
    ApiExtraModels(item),
    ApiOkResponse({
      description,
      schema: {
        type: 'object',
        required: ['data', 'total', 'limit', 'offset'],
        properties: {
          data: { type: 'array', items: { $ref: getSchemaPath(item) } },
          total: { type: 'integer', example: 1, description: 'Rows matching, across all pages' },
          limit: { type: 'integer', example: 50 },
          offset: { type: 'integer', example: 0 },
        },
      },
    }),
  );
}
