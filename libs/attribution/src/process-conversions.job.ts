import { BeforeApplicationShutdown, Inject, Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { APP_CONFIG, AppConfig, JobRunner } from '@refos/platform';
import { ConversionQueue } from './conversion-queue';
import { DEFAULT_PROCESS_LIMIT } from './internal-jobs.controller';

/** Passes per tick at most: a backlog drains over ticks, and shutdown never waits on more than this. */
const MAX_PASSES_PER_TICK = 10;

/** Works the conversion queue every CONVERSIONS_POLL_MS in each process that runs jobs (the worker, or the API with JOBS_ENABLED). */
@Injectable()
export class ProcessConversionsJob implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly jobs: JobRunner,
    private readonly queue: ConversionQueue,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onApplicationBootstrap(): void {
    if (this.config.jobsEnabled) this.timer = setInterval(() => void this.tick(), this.config.conversionsPollMs);
  }

  beforeApplicationShutdown(): void {
    if (this.timer) clearInterval(this.timer);
  }

  async tick(): Promise<void> {
    await this.jobs.run(
      'process-conversions',
      async () => {
        let total = { processed: 0, failed: 0, remaining: 0 };
        for (let pass = 0; pass < MAX_PASSES_PER_TICK; pass++) {
          const result = await this.queue.process(DEFAULT_PROCESS_LIMIT);
          total = { processed: total.processed + result.processed, failed: total.failed + result.failed, remaining: result.remaining };
          // A full batch means more are due.
          if (result.processed + result.failed < DEFAULT_PROCESS_LIMIT) break;
        }
        return total;
      },
      // Every second: only passes that did something are worth a log line.
      (total) => total.processed + total.failed > 0,
    );
  }
}
