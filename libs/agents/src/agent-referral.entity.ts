import { Check, Column, Entity, ForeignKey, Index, PrimaryColumn } from 'typeorm';

export const AGENT_REFERRAL_STATUSES = ['pending', 'active', 'expired', 'revoked'] as const;
export type AgentReferralStatus = (typeof AGENT_REFERRAL_STATUSES)[number];

/** One agent brought in by another; each agent is referred at most once (at its registration). */
@Entity({ name: 'agent_referrals' })
@Index('ix_agent_referrals_referrer', ['referrerId', 'createdAt'])
@Index('ix_agent_referrals_pending', ['status'], { where: "status = 'pending'" })
@Check('ck_agent_referrals_not_self', 'referrer_id <> referred_id')
export class AgentReferral {
  /** `ref_<16 base62>`, the seed's `referral_id`. */
  @PrimaryColumn({ type: 'varchar', length: 24 })
  id: string;

  @ForeignKey('agents', { name: 'fk_agent_referrals_referrer' })
  @Column({ name: 'referrer_id', type: 'uuid' })
  referrerId: string;

  @ForeignKey('agents', { name: 'fk_agent_referrals_referred' })
  @Index('uq_agent_referrals_referred', { unique: true })
  @Column({ name: 'referred_id', type: 'uuid' })
  referredId: string;

  /** Null when the referrer was given as a DID. */
  @ForeignKey('agent_referral_codes', { name: 'fk_agent_referrals_code' })
  @Index('ix_agent_referrals_code')
  @Column({ name: 'code_id', type: 'uuid', nullable: true })
  codeId: string | null;

  @Column({ type: 'varchar', length: 16, default: 'pending' })
  status: AgentReferralStatus;

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @Column({ name: 'activated_at', type: 'timestamptz', nullable: true })
  activatedAt: Date | null;

  /** When it became expired or revoked. */
  @Column({ name: 'ended_at', type: 'timestamptz', nullable: true })
  endedAt: Date | null;
}
