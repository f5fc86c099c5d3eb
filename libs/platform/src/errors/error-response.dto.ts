import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

export class ErrorResponseDto {
  @ApiProperty({ example: 400 })
  statusCode: number;

  @ApiProperty({ example: 'Bad Request', description: 'The HTTP reason phrase' })
  error: string;

  @ApiProperty({ example: 'Validation failed' })
  message: string;

  @ApiPropertyOptional({ example: 'validation_failed', description: 'Stable machine-readable code' })
  code?: string;

  @ApiPropertyOptional({
    example: [{ field: 'name', messages: ['name must be shorter than or equal to 120 characters'] }],
    description: 'Extra structured context, e.g. one entry per invalid field',
  })
  details?: unknown;

  @ApiProperty({ example: '0b6a1c9e-0f5b-4a3e-9f76-1d2b8c1e7a41', description: 'Echoes the x-request-id header' })
  requestId: string;
}
