export { AgentsModule } from './agents.module';
export { AgentsService } from './agents.service';
export { AgentReferralsService } from './agent-referrals.service';
export type { ActivationResult } from './agent-referrals.service';
export { ActivateAgentReferralsJob } from './activate-agent-referrals.job';
export { PurgeAgentSignaturesJob } from './purge-agent-signatures.job';
