import { Inject, Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { APP_CONFIG, AppConfig, Clock, DomainError, randomBase62 } from '@refos/platform';
import { randomInt } from 'node:crypto';
import { DataSource, EntityManager, In, Repository } from 'typeorm';
import { agentDid, agentIdOf } from './agent-did';
import { AgentReferralCode } from './agent-referral-code.entity';
import { AgentReferral } from './agent-referral.entity';
import { Agent } from './agent.entity';
import {
  CreatedReferralCodeDto,
  CreateReferralCodeDto,
  ListReferralsQueryDto,
  MessageDto,
  PublicReferralStatsDto,
  ReferralCodeDto,
  ReferralCodeListDto,
  ReferralDto,
  ReferralPageDto,
  ReferralStatsDto,
} from './dto/referral.dto';
import { referralCodeMessage } from './signed-message';
import { SignedRequestsService } from './signed-requests.service';
import { REFERRAL_ACTIVATION_REPUTATION, referralBonusPoints } from './tier';

const DAY_MS = 24 * 3600_000;
/** Seed 001: codes need an account at least this old; referrals activate at this age of the referred agent. */
export const MIN_AGENT_AGE_MS = 7 * DAY_MS;
export const MAX_ACTIVE_CODES = 5;
export const DEFAULT_CODE_TTL_MS = 30 * DAY_MS;
export const MAX_CODE_TTL_MS = 365 * DAY_MS;
const CODE_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
const CODE_LENGTH = 8;
export const CODE_PATTERN = /^[A-Z0-9]{8}$/;
/** 36^8 ≈ 2.8·10^12 codes: three collisions in a row do not happen. */
const CODE_ATTEMPTS = 3;

/** A code that can still bring in an agent (its owner not revoked); `c` is the code's alias. */
const CODE_USABLE = `c.status = 'active' AND c.expires_at > $1 AND (c.max_uses = -1 OR c.uses < c.max_uses)`;

export interface ActivationResult {
  activated: number;
  expired: number;
}

function generateCode(): string {
  let code = '';
  for (let i = 0; i < CODE_LENGTH; i++) code += CODE_ALPHABET[randomInt(CODE_ALPHABET.length)];
  return code;
}

/** Referral codes, the referrals they (or a referrer's DID) create, their stats, activation and revocation. */
@Injectable()
export class AgentReferralsService {
  constructor(
    @InjectRepository(AgentReferralCode) private readonly codes: Repository<AgentReferralCode>,
    @InjectRepository(AgentReferral) private readonly referrals: Repository<AgentReferral>,
    @InjectRepository(Agent) private readonly agents: Repository<Agent>,
    private readonly dataSource: DataSource,
    private readonly signed: SignedRequestsService,
    private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /**
   * Seed 001 rules, in the order its error table lists them: signature (401), account age (403),
   * at most 5 active codes (429). The owner's row is locked so two concurrent requests cannot both make a sixth.
   */
  async createCode(agentId: string, dto: CreateReferralCodeDto): Promise<CreatedReferralCodeDto> {
    const agent = await this.agents.findOneByOrFail({ id: agentId });
    this.signed.verify(referralCodeMessage({ ...dto, did: this.did(agentId) }), agent.publicKey, dto.signature);
    const now = this.clock.now();
    if (now.getTime() - agent.createdAt.getTime() < MIN_AGENT_AGE_MS) {
      throw new DomainError('account_too_new', 403, 'Account too new');
    }
    // Checked as numbers: a far-future value would otherwise become an Invalid Date that compares false.
    const expiresAtMs = dto.expires_at ?? now.getTime() + DEFAULT_CODE_TTL_MS;
    if (expiresAtMs <= now.getTime() || expiresAtMs - now.getTime() > MAX_CODE_TTL_MS) {
      const message = 'expires_at must be in the future and at most 365 days ahead';
      throw new DomainError('validation_failed', 400, `Validation failed: ${message}`, [{ field: 'expires_at', messages: [message] }]);
    }
    const expiresAt = new Date(expiresAtMs);
    return this.dataSource.transaction(async (m) => {
      await m.query(`SELECT 1 FROM agents WHERE id = $1 FOR UPDATE`, [agentId]);
      const [{ n }] = await m.query(`SELECT count(*)::int AS n FROM agent_referral_codes c WHERE c.owner_id = $2 AND ${CODE_USABLE}`, [now, agentId]);
      if (n >= MAX_ACTIVE_CODES) throw new DomainError('limit_exceeded', 429, 'Limit exceeded'); // seed: maximum 5 active codes
      await this.signed.consume(m, 'create_referral_code', dto.signature, dto.timestamp);
      for (let attempt = 1; ; attempt++) {
        const row = { code: generateCode(), ownerId: agentId, maxUses: dto.max_uses ?? -1, expiresAt, createdAt: now, status: 'active' as const };
        const inserted = await m.createQueryBuilder().insert().into(AgentReferralCode).values(row).orIgnore().execute();
        if (inserted.identifiers[0]?.id) return { code: row.code, max_uses: row.maxUses, expires_at: expiresAt.getTime(), created_at: now.getTime() };
        if (attempt >= CODE_ATTEMPTS) throw new DomainError('code_generation_failed', 503, 'Could not generate a free code: retry');
      }
    });
  }

  /** Every code the agent created, newest first. */
  async listCodes(agentId: string): Promise<ReferralCodeListDto> {
    const rows = await this.codes.find({ where: { ownerId: agentId }, order: { createdAt: 'DESC', id: 'DESC' } });
    const now = this.clock.now();
    return { codes: rows.map((row) => this.mapCode(row, now)) };
  }

  /** The owner disables a code (idempotent); referrals it already made stay. */
  async disableCode(agentId: string, code: string): Promise<MessageDto> {
    const normalized = code.toUpperCase();
    const row = CODE_PATTERN.test(normalized) ? await this.codes.findOneBy({ code: normalized }) : null;
    if (!row) throw new DomainError('code_not_found', 400, 'Code not found');
    if (row.ownerId !== agentId) throw new DomainError('forbidden', 403, 'Forbidden');
    await this.codes.update({ id: row.id, status: 'active' }, { status: 'disabled', disabledAt: this.clock.now() });
    return { message: 'Referral code disabled' };
  }

  /**
   * Inside the registration's transaction: resolves `referrer` (a code or a DID) and records a pending
   * referral. A code's use is one conditional UPDATE, so concurrent registrations never exceed max_uses.
   */
  async recordReferral(m: EntityManager, referredId: string, referrer: string, now: Date): Promise<void> {
    let referrerId: string;
    let codeId: string | null = null;
    if (referrer.startsWith('did:')) {
      const id = agentIdOf(this.config.publicBaseUrl, referrer);
      const found = id ? await m.findOneBy(Agent, { id, status: 'active' }) : null;
      if (!found) throw new DomainError('invalid_referrer', 400, 'Referrer not found');
      referrerId = found.id;
    } else {
      const code = referrer.toUpperCase();
      // Wrapped in a CTE so the driver answers rows, as for a SELECT (a bare UPDATE answers [rows, count]).
      const used: { id: string; owner_id: string }[] = await m.query(
        `WITH used AS (
           UPDATE agent_referral_codes c SET uses = c.uses + 1
           WHERE c.code = $2 AND ${CODE_USABLE}
             AND EXISTS (SELECT 1 FROM agents o WHERE o.id = c.owner_id AND o.status = 'active')
           RETURNING c.id, c.owner_id
         )
         SELECT * FROM used`,
        [now, code],
      );
      if (used.length === 0) throw await this.unusableCode(m, code, now);
      [{ id: codeId, owner_id: referrerId }] = used;
    }
    // The referred agent was created in this transaction, so no referrer can be it: self-referral cannot
    // happen (and ck_agent_referrals_not_self says so to the database too).
    await m.insert(AgentReferral, { id: `ref_${randomBase62(16)}`, referrerId, referredId, codeId, status: 'pending', createdAt: now });
  }

  async myReferrals(agentId: string, query: ListReferralsQueryDto): Promise<ReferralPageDto> {
    const [rows, total] = await this.referrals.findAndCount({
      where: { referrerId: agentId },
      order: { createdAt: 'DESC', id: 'DESC' },
      take: query.limit,
      skip: query.offset,
    });
    const codeIds = [...new Set(rows.map((r) => r.codeId).filter((id): id is string => id !== null))];
    const codes = new Map((codeIds.length ? await this.codes.findBy({ id: In(codeIds) }) : []).map((c) => [c.id, c.code]));
    return {
      referrals: rows.map((r) => this.mapReferral(r, r.codeId ? (codes.get(r.codeId) ?? null) : null)),
      total,
      limit: query.limit,
      offset: query.offset,
    };
  }

  async stats(agentId: string): Promise<ReferralStatsDto> {
    const [row] = await this.dataSource.query(
      `SELECT (SELECT count(*)::int FROM agent_referrals WHERE referrer_id = $2) AS total,
              (SELECT count(*)::int FROM agent_referrals WHERE referrer_id = $2 AND status = 'active') AS active,
              (SELECT count(*)::int FROM agent_referrals WHERE referrer_id = $2 AND status = 'pending') AS pending,
              (SELECT count(*)::int FROM agent_referral_codes WHERE owner_id = $2) AS codes_created,
              (SELECT count(*)::int FROM agent_referral_codes c WHERE c.owner_id = $2 AND ${CODE_USABLE}) AS codes_active`,
      [this.clock.now(), agentId],
    );
    return {
      total_referrals: row.total,
      active_referrals: row.active,
      pending_referrals: row.pending,
      referral_bonus_points: referralBonusPoints(row.active),
      codes_created: row.codes_created,
      codes_active: row.codes_active,
    };
  }

  /** Public: what anyone may know of an active agent's referrals. */
  async publicStats(did: string): Promise<PublicReferralStatsDto> {
    const id = agentIdOf(this.config.publicBaseUrl, did);
    if (!id || !(await this.agents.existsBy({ id, status: 'active' }))) throw DomainError.notFound('Agent');
    const [row] = await this.dataSource.query(
      `SELECT count(*)::int AS total, (count(*) FILTER (WHERE status = 'active'))::int AS active FROM agent_referrals WHERE referrer_id = $1`,
      [id],
    );
    return { total_referrals: row.total, active_referrals: row.active };
  }

  /**
   * The referrer (`byAgentId`) or the operator (undefined) revokes a pending or active referral; an active
   * one gives back the referred agent's +5. Idempotent on revoked and expired referrals.
   */
  async revokeReferral(byAgentId: string | undefined, referralId: string): Promise<ReferralDto> {
    const referral = await this.referrals.findOneBy({ id: referralId });
    if (!referral) throw DomainError.notFound('Referral');
    if (byAgentId !== undefined && referral.referrerId !== byAgentId) throw new DomainError('forbidden', 403, 'Forbidden');
    await this.dataSource.transaction((m) => this.revokeWhere(m, 'r.id = $2', [this.clock.now(), referralId]));
    const updated = await this.referrals.findOneByOrFail({ id: referralId });
    const code = updated.codeId ? await this.codes.findOneBy({ id: updated.codeId }) : null;
    return this.mapReferral(updated, code?.code ?? null);
  }

  /** Part of an operator's agent revocation: its codes stop working and the referral that brought it in is revoked. */
  async onAgentRevoked(m: EntityManager, agentId: string, now: Date): Promise<void> {
    await m.query(`UPDATE agent_referral_codes SET status = 'disabled', disabled_at = $1 WHERE owner_id = $2 AND status = 'active'`, [now, agentId]);
    await this.revokeWhere(m, 'r.referred_id = $2', [now, agentId]);
  }

  /**
   * The scheduled transition, set-based and idempotent (it only moves `pending` rows). A referral
   * activates once its referred agent has been 7 days old and reviewed at least once, provided that
   * happened before its code expired; one whose code expired first becomes `expired`. Activation adds
   * +5 to the referred agent's reputation in the same statement, so it is given exactly once.
   */
  async activatePending(): Promise<ActivationResult> {
    const now = this.clock.now();
    // When each pending referral met both criteria; null while unreviewed (GREATEST alone would skip the null).
    const eligibility = `
      SELECT r.id, r.referred_id, c.expires_at AS code_expires_at,
             CASE WHEN fr.first_review_at IS NOT NULL THEN GREATEST(a.created_at + interval '7 days', fr.first_review_at) END AS eligible_at
      FROM agent_referrals r
      JOIN agents a ON a.id = r.referred_id
      LEFT JOIN agent_referral_codes c ON c.id = r.code_id
      CROSS JOIN LATERAL (SELECT min(v.created_at) AS first_review_at FROM agent_reviews v WHERE v.subject_id = a.id) fr
      WHERE r.status = 'pending'`;
    return this.dataSource.transaction(async (m) => {
      const activated: { n: number }[] = await m.query(
        `WITH eligible AS (${eligibility}),
         moved AS (
           UPDATE agent_referrals r SET status = 'active', activated_at = $1
           FROM eligible e
           WHERE r.id = e.id AND r.status = 'pending' AND e.eligible_at <= $1
             AND (e.code_expires_at IS NULL OR e.eligible_at < e.code_expires_at)
           RETURNING r.referred_id
         ),
         credited AS (
           UPDATE agents a SET reputation = a.reputation + $2 FROM moved WHERE a.id = moved.referred_id RETURNING a.id
         )
         SELECT count(*)::int AS n FROM credited`,
        [now, REFERRAL_ACTIVATION_REPUTATION],
      );
      const expired: { n: number }[] = await m.query(
        `WITH eligible AS (${eligibility}),
         moved AS (
           UPDATE agent_referrals r SET status = 'expired', ended_at = $1
           FROM eligible e
           WHERE r.id = e.id AND r.status = 'pending' AND e.code_expires_at <= $1
             AND (e.eligible_at IS NULL OR e.eligible_at >= e.code_expires_at)
           RETURNING r.id
         )
         SELECT count(*)::int AS n FROM moved`,
        [now],
      );
      return { activated: activated[0].n, expired: expired[0].n };
    });
  }

  /** Revokes the pending or active referrals matching `where` (alias `r`, $1 = now), taking back the bonus of active ones. */
  private async revokeWhere(m: EntityManager, where: string, params: unknown[]): Promise<void> {
    await m.query(
      `WITH revoked AS (
         UPDATE agent_referrals r SET status = 'revoked', ended_at = $1
         FROM agent_referrals prev
         WHERE prev.id = r.id AND ${where} AND r.status IN ('pending', 'active')
         RETURNING r.referred_id, prev.status AS was
       )
       UPDATE agents a SET reputation = a.reputation - ${REFERRAL_ACTIVATION_REPUTATION}
       FROM revoked WHERE a.id = revoked.referred_id AND revoked.was = 'active'`,
      params,
    );
  }

  /** Why a code could not be used, for a clear refusal. */
  private async unusableCode(m: EntityManager, code: string, now: Date): Promise<DomainError> {
    const row = CODE_PATTERN.test(code) ? await m.findOneBy(AgentReferralCode, { code }) : null;
    const owner = row ? await m.findOneBy(Agent, { id: row.ownerId, status: 'active' }) : null;
    if (!row || !owner) return new DomainError('invalid_referrer', 400, 'Referral code not found');
    const reason =
      row.status === 'disabled' ? 'Referral code disabled' : row.expiresAt <= now ? 'Referral code expired' : 'Referral code has no uses left';
    return new DomainError('referral_code_unavailable', 409, reason);
  }

  private mapCode(row: AgentReferralCode, now: Date): ReferralCodeDto {
    const unlimited = row.maxUses === -1;
    const remaining = unlimited ? -1 : row.maxUses - row.uses;
    const status = row.status === 'disabled' ? 'disabled' : row.expiresAt <= now ? 'expired' : remaining === 0 ? 'exhausted' : 'active';
    return {
      code: row.code,
      uses_remaining: remaining,
      max_uses: row.maxUses,
      expires_at: row.expiresAt.getTime(),
      created_at: row.createdAt.getTime(),
      status,
    };
  }

  private mapReferral(r: AgentReferral, code: string | null): ReferralDto {
    return {
      referral_id: r.id,
      referred_did: this.did(r.referredId),
      referral_code: code,
      status: r.status,
      created_at: r.createdAt.getTime(),
      activated_at: r.activatedAt?.getTime() ?? null,
    };
  }

  private did(agentId: string): string {
    return agentDid(this.config.publicBaseUrl, agentId);
  }
}
