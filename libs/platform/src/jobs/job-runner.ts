import { BeforeApplicationShutdown, Inject, Injectable, Logger } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '../config/config';

/**
 * Runs scheduled work so that shutdown waits for it: a job that has started finishes (up to
 * SHUTDOWN_TIMEOUT_MS) before the database closes, and none starts once shutdown began. A job still
 * running when its next tick comes is not started twice in this process.
 */
@Injectable()
export class JobRunner implements BeforeApplicationShutdown {
  private readonly logger = new Logger('Jobs');
  private readonly running = new Map<string, Promise<void>>();
  private stopping = false;

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  /** Runs `work` unless it is already running here or shutdown began; `worthLogging` keeps frequent idle runs out of the log. */
  async run<T>(name: string, work: () => Promise<T>, worthLogging: (result: T) => boolean = () => true): Promise<void> {
    if (this.stopping || this.running.has(name)) return;
    const execution = (async () => {
      const started = Date.now();
      try {
        const result = await work();
        if (worthLogging(result)) this.logger.log({ job: name, result, ms: Date.now() - started }, 'job finished');
      } catch (error) {
        this.logger.error({ job: name, err: error, ms: Date.now() - started }, 'job failed');
      } finally {
        this.running.delete(name);
      }
    })();
    this.running.set(name, execution);
    await execution;
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.stopping = true;
    if (this.running.size === 0) return;
    this.logger.log({ jobs: [...this.running.keys()] }, 'waiting for running jobs before shutdown');
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, this.config.shutdownTimeoutMs);
    });
    await Promise.race([Promise.allSettled(this.running.values()), timeout]);
    clearTimeout(timer);
  }
}
