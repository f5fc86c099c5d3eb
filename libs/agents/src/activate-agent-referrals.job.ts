import { Injectable } from '@nestjs/common';
import { Interval } from '@nestjs/schedule';
import { JobRunner } from '@refos/platform';
import { AgentReferralsService } from './agent-referrals.service';

/** Activation is measured in days: every 10 minutes is prompt enough and costs two set-based statements. */
export const ACTIVATE_AGENT_REFERRALS_EVERY_MS = 10 * 60_000;

/** Moves pending agent referrals to active (+5 reputation, once) or expired. */
@Injectable()
export class ActivateAgentReferralsJob {
  constructor(
    private readonly jobs: JobRunner,
    private readonly referrals: AgentReferralsService,
  ) {}

  @Interval('activate-agent-referrals', ACTIVATE_AGENT_REFERRALS_EVERY_MS)
  async tick(): Promise<void> {
    await this.jobs.run(
      'activate-agent-referrals',
      () => this.referrals.activatePending(),
      (result) => result.activated + result.expired > 0,
    );
  }
}
