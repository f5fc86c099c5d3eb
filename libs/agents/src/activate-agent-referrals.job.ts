import { Injectable } from '@nestjs/common';
import { Interval } from '@nestjs/schedule';
import { JobRunner } from '@refos/platform';
import { AgentReferralsService } from './agent-referrals.service';
import { SignedRequestsService } from './signed-requests.service';

/** Activation is measured in days: every 10 minutes is prompt enough and costs one set-based statement. */
export const ACTIVATE_AGENT_REFERRALS_EVERY_MS = 10 * 60_000;
export const PURGE_AGENT_SIGNATURES_EVERY_MS = 60 * 60_000;

/** Moves pending agent referrals to active or expired; keeps the replay table to the signatures still in their window. */
@Injectable()
export class ActivateAgentReferralsJob {
  constructor(
    private readonly jobs: JobRunner,
    private readonly referrals: AgentReferralsService,
    private readonly signed: SignedRequestsService,
  ) {}

  @Interval('activate-agent-referrals', ACTIVATE_AGENT_REFERRALS_EVERY_MS)
  async activate(): Promise<void> {
    await this.jobs.run(
      'activate-agent-referrals',
      () => this.referrals.activatePending(),
      (result) => result.activated + result.expired > 0,
    );
  }

  @Interval('purge-agent-signatures', PURGE_AGENT_SIGNATURES_EVERY_MS)
  async purge(): Promise<void> {
    await this.jobs.run('purge-agent-signatures', () => this.signed.purgeExpired(), (purged) => purged > 0);
  }
}
