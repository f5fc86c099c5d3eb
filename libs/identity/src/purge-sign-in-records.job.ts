import { Injectable } from '@nestjs/common';
import { Interval } from '@nestjs/schedule';
import { JobRunner } from '@refos/platform';
import { SessionsService } from './sessions.service';
import { SiwfService } from './siwf.service';

export const PURGE_SIGN_IN_RECORDS_EVERY_MS = 60 * 60_000;

/** Keeps siwf_nonces and sessions small: drops nonces and sessions that can no longer be used. */
@Injectable()
export class PurgeSignInRecordsJob {
  constructor(
    private readonly jobs: JobRunner,
    private readonly siwf: SiwfService,
    private readonly sessions: SessionsService,
  ) {}

  @Interval('purge-sign-in-records', PURGE_SIGN_IN_RECORDS_EVERY_MS)
  async tick(): Promise<void> {
    await this.jobs.run('purge-sign-in-records', async () => ({
      nonces: await this.siwf.purgeExpiredNonces(),
      sessions: await this.sessions.purgeEnded(),
    }));
  }
}
