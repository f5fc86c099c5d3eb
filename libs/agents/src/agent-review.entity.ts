import { Check, Column, Entity, ForeignKey, Index, PrimaryGeneratedColumn } from 'typeorm';

/** One agent's review of another: one per reviewer and subject, updated in place. */
@Entity({ name: 'agent_reviews' })
@Index('uq_agent_reviews_subject_reviewer', ['subjectId', 'reviewerId'], { unique: true })
@Check('ck_agent_reviews_rating', 'rating BETWEEN 1 AND 5')
@Check('ck_agent_reviews_not_self', 'subject_id <> reviewer_id')
export class AgentReview {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @ForeignKey('agents', { name: 'fk_agent_reviews_subject' })
  @Column({ name: 'subject_id', type: 'uuid' })
  subjectId: string;

  @ForeignKey('agents', { name: 'fk_agent_reviews_reviewer' })
  @Index('ix_agent_reviews_reviewer')
  @Column({ name: 'reviewer_id', type: 'uuid' })
  reviewerId: string;

  @Column({ type: 'smallint' })
  rating: number;

  @Column({ type: 'text', nullable: true })
  comment: string | null;

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @Column({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}
