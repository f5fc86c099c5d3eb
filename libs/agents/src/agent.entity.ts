import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

export const AGENT_STATUSES = ['active', 'revoked'] as const;
export type AgentStatus = (typeof AGENT_STATUSES)[number];

/** One agent of this deployment's network (agents have no tenant: one network per deployment). */
@Entity({ name: 'agents' })
export class Agent {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  /** Ed25519 public key, 64 lowercase hex digits. */
  @Index('uq_agents_public_key', { unique: true })
  @Column({ name: 'public_key', type: 'varchar', length: 64 })
  publicKey: string;

  @Column({ type: 'varchar', length: 100 })
  name: string;

  @Column({ type: 'text', nullable: true })
  description: string | null;

  @Column({ type: 'jsonb', default: () => "'[]'" })
  capabilities: { type: string; description?: string }[];

  @Column({ type: 'jsonb', default: () => "'[]'" })
  tags: string[];

  @Column({ type: 'varchar', length: 2048, nullable: true })
  website: string | null;

  @Column({ type: 'varchar', length: 2048, nullable: true })
  avatar: string | null;

  /** Points: +5 when the agent's own referral activates. */
  @Column({ type: 'integer', default: 0 })
  reputation: number;

  @Column({ type: 'varchar', length: 16, default: 'active' })
  status: AgentStatus;

  /** From the Clock, not the database, so the 7-day rules can be tested by moving time. */
  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @Column({ name: 'revoked_at', type: 'timestamptz', nullable: true })
  revokedAt: Date | null;
}
