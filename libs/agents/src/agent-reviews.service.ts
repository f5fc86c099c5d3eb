import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Clock, DomainError } from '@refos/platform';
import { DataSource, Repository } from 'typeorm';
import { AgentReview } from './agent-review.entity';
import { AgentsService } from './agents.service';
import { CreateReviewDto, ListReviewsQueryDto, ReviewDto, ReviewPageDto } from './dto/review.dto';
import { reviewMessage } from './signed-message';
import { SignedRequestsService } from './signed-requests.service';

interface ReviewRow {
  id: string;
  subject_id: string;
  reviewer_id: string;
  rating: number;
  comment: string | null;
  created_at: Date;
  updated_at: Date;
  inserted: boolean;
}

/** Reviews between agents: one per reviewer and subject, signed by the reviewer, updated by a new signed review. */
@Injectable()
export class AgentReviewsService {
  constructor(
    @InjectRepository(AgentReview) private readonly reviews: Repository<AgentReview>,
    private readonly dataSource: DataSource,
    private readonly agents: AgentsService,
    private readonly signed: SignedRequestsService,
    private readonly clock: Clock,
  ) {}

  /** Creates the review, or replaces the reviewer's earlier one; `created` tells which (201 or 200). */
  async upsert(reviewerId: string, subjectDid: string, dto: CreateReviewDto): Promise<{ review: ReviewDto; created: boolean }> {
    const subject = await this.agents.activeAgentByDid(subjectDid);
    if (subject.id === reviewerId) throw new DomainError('self_review', 400, 'Agents cannot review themselves');
    const reviewer = await this.agents.activeAgent(reviewerId);
    const message = reviewMessage({ ...dto, did: this.agents.didOf(reviewerId), subject_did: this.agents.didOf(subject.id) });
    this.signed.verify(message, reviewer.publicKey, dto.signature);
    const now = this.clock.now();
    const [row] = await this.dataSource.transaction(async (m) => {
      await this.signed.consume(m, 'create_review', dto.signature, dto.timestamp);
      return m.query(
        `INSERT INTO agent_reviews (subject_id, reviewer_id, rating, comment, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $5)
         ON CONFLICT (subject_id, reviewer_id) DO UPDATE SET rating = EXCLUDED.rating, comment = EXCLUDED.comment, updated_at = EXCLUDED.updated_at
         RETURNING *, (xmax = 0) AS inserted`,
        [subject.id, reviewerId, dto.rating, dto.comment ?? null, now],
      ) as Promise<ReviewRow[]>;
    });
    return { review: this.map(row), created: row.inserted };
  }

  /** An active agent's reviews, newest first. */
  async list(subjectDid: string, query: ListReviewsQueryDto): Promise<ReviewPageDto> {
    const subject = await this.agents.activeAgentByDid(subjectDid);
    const [rows, total] = await this.reviews.findAndCount({
      where: { subjectId: subject.id },
      order: { updatedAt: 'DESC', id: 'DESC' },
      take: query.limit,
      skip: query.offset,
    });
    return {
      reviews: rows.map((r) =>
        this.map({ id: r.id, subject_id: r.subjectId, reviewer_id: r.reviewerId, rating: r.rating, comment: r.comment, created_at: r.createdAt, updated_at: r.updatedAt }),
      ),
      total,
      limit: query.limit,
      offset: query.offset,
    };
  }

  private map(row: Omit<ReviewRow, 'inserted'>): ReviewDto {
    return {
      review_id: row.id,
      subject_did: this.agents.didOf(row.subject_id),
      reviewer_did: this.agents.didOf(row.reviewer_id),
      rating: row.rating,
      comment: row.comment,
      created_at: new Date(row.created_at).getTime(),
      updated_at: new Date(row.updated_at).getTime(),
    };
  }
}
