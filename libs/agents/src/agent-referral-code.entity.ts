import { Check, Column, Entity, ForeignKey, Index, PrimaryGeneratedColumn } from 'typeorm';

export const REFERRAL_CODE_STATUSES = ['active', 'disabled'] as const;
export type ReferralCodeStatus = (typeof REFERRAL_CODE_STATUSES)[number];

/** A shareable code an agent hands out; `uses` only grows, by one atomic UPDATE per registration. */
@Entity({ name: 'agent_referral_codes' })
@Index('ix_agent_referral_codes_owner', ['ownerId', 'createdAt'])
@Check('ck_agent_referral_codes_uses', 'uses >= 0 AND (max_uses = -1 OR uses <= max_uses)')
export class AgentReferralCode {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Index('uq_agent_referral_codes_code', { unique: true })
  @Column({ type: 'varchar', length: 16 })
  code: string;

  @ForeignKey('agents', { name: 'fk_agent_referral_codes_owner' })
  @Column({ name: 'owner_id', type: 'uuid' })
  ownerId: string;

  /** -1 = unlimited. */
  @Column({ name: 'max_uses', type: 'integer' })
  maxUses: number;

  @Column({ type: 'integer', default: 0 })
  uses: number;

  @Column({ name: 'expires_at', type: 'timestamptz' })
  expiresAt: Date;

  @Column({ type: 'varchar', length: 16, default: 'active' })
  status: ReferralCodeStatus;

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @Column({ name: 'disabled_at', type: 'timestamptz', nullable: true })
  disabledAt: Date | null;
}
