import { Inject, Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { AgentPrincipal, APP_CONFIG, AppConfig, Clock, DomainError, RateLimiter } from '@refos/platform';
import { DataSource, Repository } from 'typeorm';
import { agentDid, agentIdOf } from './agent-did';
import { Agent } from './agent.entity';
import { signAgentToken, verifyAgentToken } from './agent-token';
import { AgentReferralsService } from './agent-referrals.service';
import { AgentDto, AgentTokenDto, AuthenticateAgentDto, RegisterAgentDto } from './dto/agent.dto';
import { MessageDto } from './dto/referral.dto';
import { authenticationMessage, normalizedProfile, registrationMessage } from './signed-message';
import { SignedRequestsService } from './signed-requests.service';
import { effectiveReviews, tierFor } from './tier';

const RATE_WINDOW_MS = 60_000;

/** The agent registry: signed registration and sign-in, JWTs, public profiles, operator revocation. */
@Injectable()
export class AgentsService {
  private readonly jwtSecret: string;

  constructor(
    @InjectRepository(Agent) private readonly agents: Repository<Agent>,
    private readonly dataSource: DataSource,
    private readonly signed: SignedRequestsService,
    private readonly referrals: AgentReferralsService,
    private readonly rateLimiter: RateLimiter,
    private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    if (!config.agentJwtSecret) throw new Error('AGENT_JWT_SECRET is not set (resolveLocalSecrets provides one outside production)');
    this.jwtSecret = config.agentJwtSecret;
  }

  /**
   * Creates the agent, and its pending referral when `referrer` is given, in one transaction: a code
   * that cannot be used, a replayed signature or a taken key leaves nothing behind.
   */
  async register(dto: RegisterAgentDto, clientIp: string | undefined): Promise<AgentTokenDto> {
    await this.limitSignedRequests(clientIp);
    this.signed.verify(registrationMessage(dto), dto.public_key, dto.signature);
    const profile = normalizedProfile(dto.profile);
    const now = this.clock.now();
    const agentId = await this.dataSource.transaction(async (m) => {
      await this.signed.consume(m, 'registration', dto.signature, dto.timestamp);
      const inserted: { id: string }[] = await m.query(
        `INSERT INTO agents (public_key, name, description, capabilities, tags, website, avatar, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (public_key) DO NOTHING RETURNING id`,
        [
          dto.public_key.toLowerCase(),
          profile.name,
          profile.description,
          JSON.stringify(profile.capabilities),
          JSON.stringify(profile.tags),
          profile.website,
          profile.avatar,
          now,
        ],
      );
      if (inserted.length === 0) throw new DomainError('agent_exists', 409, 'An agent with this public key is already registered: sign in with POST /api/agents/auth');
      if (dto.referrer != null) await this.referrals.recordReferral(m, inserted[0].id, dto.referrer, now);
      return inserted[0].id;
    });
    return this.issueToken(agentId);
  }

  /** A fresh JWT for a registered, non-revoked agent that signed `authenticate` with its key. */
  async authenticate(dto: AuthenticateAgentDto, clientIp: string | undefined): Promise<AgentTokenDto> {
    await this.limitSignedRequests(clientIp);
    const agent = await this.agents.findOneBy({ publicKey: dto.public_key.toLowerCase(), status: 'active' });
    if (!agent) throw new DomainError('unknown_agent', 401, 'Unauthorized: no active agent has this public key');
    this.signed.verify(authenticationMessage(dto), dto.public_key, dto.signature);
    await this.dataSource.transaction((m) => this.signed.consume(m, 'authenticate', dto.signature, dto.timestamp));
    return this.issueToken(agent.id);
  }

  /** For the platform's guard: the principal of a valid, unexpired token of an agent that is not revoked. */
  async authenticateToken(token: string): Promise<AgentPrincipal | null> {
    const claims = verifyAgentToken(token, this.jwtSecret, this.clock.now().getTime());
    if (!claims) return null;
    const active = await this.agents.existsBy({ id: claims.sub, status: 'active' });
    return active ? { kind: 'agent', scopeKey: `agent:${claims.sub}`, agentId: claims.sub, scopes: [] } : null;
  }

  async profile(did: string): Promise<AgentDto> {
    const agent = await this.activeAgentByDid(did);
    const [stats] = await this.dataSource.query(
      `SELECT (SELECT count(*)::int FROM agent_reviews WHERE subject_id = $1) AS review_count,
              (SELECT round(avg(rating), 2)::float8 FROM agent_reviews WHERE subject_id = $1) AS average_rating,
              (SELECT count(*)::int FROM agent_referrals WHERE referrer_id = $1 AND status = 'active') AS active_referrals`,
      [agent.id],
    );
    const effective = effectiveReviews(stats.review_count, stats.active_referrals);
    return {
      did: this.didOf(agent.id),
      public_key: agent.publicKey,
      profile: {
        name: agent.name,
        description: agent.description,
        capabilities: agent.capabilities,
        tags: agent.tags,
        website: agent.website,
        avatar: agent.avatar,
      },
      reputation: agent.reputation,
      tier: tierFor(effective),
      review_count: stats.review_count,
      average_rating: stats.average_rating,
      effective_reviews: effective,
      created_at: agent.createdAt.getTime(),
    };
  }

  /**
   * Operator action: the agent's tokens stop working, its profile answers 404, its codes are disabled
   * and the referral that brought it in is revoked. Idempotent.
   */
  async revoke(did: string): Promise<MessageDto> {
    const id = agentIdOf(this.config.publicBaseUrl, did);
    const agent = id ? await this.agents.findOneBy({ id }) : null;
    if (!agent) throw DomainError.notFound('Agent');
    const now = this.clock.now();
    await this.dataSource.transaction(async (m) => {
      await m.update(Agent, { id: agent.id, status: 'active' }, { status: 'revoked', revokedAt: now });
      await this.referrals.onAgentRevoked(m, agent.id, now);
    });
    return { message: 'Agent revoked' };
  }

  /** An active agent of this deployment, or 404 "Agent not found". */
  async activeAgentByDid(did: string): Promise<Agent> {
    const id = agentIdOf(this.config.publicBaseUrl, did);
    return this.activeAgent(id ?? '');
  }

  async activeAgent(id: string): Promise<Agent> {
    const agent = id ? await this.agents.findOneBy({ id, status: 'active' }) : null;
    if (!agent) throw DomainError.notFound('Agent');
    return agent;
  }

  didOf(agentId: string): string {
    return agentDid(this.config.publicBaseUrl, agentId);
  }

  private issueToken(agentId: string): AgentTokenDto {
    const iat = Math.floor(this.clock.now().getTime() / 1000);
    const exp = iat + this.config.agentTokenTtlHours * 3600;
    const did = this.didOf(agentId);
    return { did, token: signAgentToken({ sub: agentId, did, iat, exp }, this.jwtSecret), expires_at: exp * 1000 };
  }

  private limitSignedRequests(clientIp: string | undefined): Promise<void> {
    return this.rateLimiter.hit(`agents:signed:ip:${clientIp ?? 'unknown'}`, this.config.agentSignedRequestsPerIp, RATE_WINDOW_MS);
  }
}
