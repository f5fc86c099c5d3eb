import { Injectable } from '@nestjs/common';
import { Interval } from '@nestjs/schedule';
import { JobRunner } from '@refos/platform';
import { SignedRequestsService } from './signed-requests.service';

export const PURGE_AGENT_SIGNATURES_EVERY_MS = 60 * 60_000;

/** Keeps the replay table to the signatures whose timestamps are still inside the window. */
@Injectable()
export class PurgeAgentSignaturesJob {
  constructor(
    private readonly jobs: JobRunner,
    private readonly signed: SignedRequestsService,
  ) {}

  @Interval('purge-agent-signatures', PURGE_AGENT_SIGNATURES_EVERY_MS)
  async tick(): Promise<void> {
    await this.jobs.run('purge-agent-signatures', () => this.signed.purgeExpired(), (purged) => purged > 0);
  }
}
