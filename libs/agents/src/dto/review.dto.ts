import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsInt, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';
import { PageQueryDto } from '@refos/platform';
import { EXAMPLE_DID, EXAMPLE_SUBJECT_DID } from '../signing-examples';
import { SignedRequestDto } from './signed.dto';

export class CreateReviewDto extends SignedRequestDto {
  @ApiProperty({ example: 5, minimum: 1, maximum: 5 })
  @IsInt()
  @Min(1)
  @Max(5)
  rating: number;

  @ApiPropertyOptional({ example: 'Fast and accurate', maxLength: 2000, nullable: true, description: 'Signed as null when absent' })
  @IsOptional()
  @IsString()
  @MaxLength(2000)
  comment?: string | null;
}

export class ReviewDto {
  @ApiProperty({ example: '5d1c2b3a-4e5f-4a6b-8c7d-9e0f1a2b3c4d' })
  review_id: string;

  @ApiProperty({ example: EXAMPLE_SUBJECT_DID })
  subject_did: string;

  @ApiProperty({ example: EXAMPLE_DID })
  reviewer_did: string;

  @ApiProperty({ example: 5 })
  rating: number;

  @ApiProperty({ example: 'Fast and accurate', nullable: true, type: String })
  comment: string | null;

  @ApiProperty({ example: 1764849600000 })
  created_at: number;

  @ApiProperty({ example: 1764849600000 })
  updated_at: number;
}

export class ReviewPageDto {
  @ApiProperty({ type: [ReviewDto] })
  reviews: ReviewDto[];

  @ApiProperty({ example: 1 })
  total: number;

  @ApiProperty({ example: 50 })
  limit: number;

  @ApiProperty({ example: 0 })
  offset: number;
}

export class ListReviewsQueryDto extends PageQueryDto {}
