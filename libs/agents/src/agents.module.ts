import { Module, OnModuleInit } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AGENT_AUTHENTICATOR, AgentAuthenticator, ErrorRenderers } from '@refos/platform';
import { AGENT_ERROR_PREFIXES, renderAgentError } from './agent-error-renderer';
import { ActivateAgentReferralsJob } from './activate-agent-referrals.job';
import { PurgeAgentSignaturesJob } from './purge-agent-signatures.job';
import { AgentReferralCode } from './agent-referral-code.entity';
import { AgentReferral } from './agent-referral.entity';
import { AgentReferralsService } from './agent-referrals.service';
import { AgentReview } from './agent-review.entity';
import { AgentReviewsService } from './agent-reviews.service';
import { AgentSignature } from './agent-signature.entity';
import { Agent } from './agent.entity';
import { AgentsController } from './agents.controller';
import { AgentsService } from './agents.service';
import { ReferralsController } from './referrals.controller';
import { SignedRequestsService } from './signed-requests.service';

/**
 * AI agents and agent-to-agent referrals (seed 001): one network per deployment, not per tenant.
 * Provides the platform guard's `@Auth('agent')` authenticator.
 */
@Module({
  imports: [TypeOrmModule.forFeature([Agent, AgentReview, AgentReferralCode, AgentReferral, AgentSignature])],
  controllers: [AgentsController, ReferralsController],
  providers: [
    AgentsService,
    AgentReviewsService,
    AgentReferralsService,
    SignedRequestsService,
    ActivateAgentReferralsJob,
    PurgeAgentSignaturesJob,
    {
      provide: AGENT_AUTHENTICATOR,
      useFactory: (agents: AgentsService): AgentAuthenticator => ({ authenticate: (token) => agents.authenticateToken(token) }),
      inject: [AgentsService],
    },
  ],
  exports: [AgentsService, AgentReferralsService],
})
export class AgentsModule implements OnModuleInit {
  constructor(private readonly errorRenderers: ErrorRenderers) {}

  /** Seed 001's error texts in `error` too, for every failure under its paths (see agent-error-renderer.ts). */
  onModuleInit(): void {
    for (const prefix of AGENT_ERROR_PREFIXES) this.errorRenderers.register(prefix, renderAgentError);
  }
}
