/** The most rows one statement carries; a larger backlog goes in the following statements. */
export const MAX_ROWS_PER_COMMIT = 1_000;

interface Waiting<R, O> {
  records: R[];
  resolve(outcomes: O[]): void;
  reject(error: unknown): void;
}

export interface GroupCommitOptions<R, O> {
  /** Writes the records in one statement and answers one outcome per record, in order. */
  commit(records: R[]): Promise<O[]>;
  /** Whether a failure belongs to the rows (then each request is retried alone) rather than the connection. */
  isDataError(error: unknown): boolean;
  /** What a request whose write failed is rejected with. */
  toRequestError(error: unknown): unknown;
}

/**
 * Group commit: a request's records wait for a shared multi-row statement and are answered after it
 * commits, so an acknowledged record is durable. Adaptive: when no statement is running the next one
 * starts at once; while one runs, arrivals gather and go together in the next. A timer would make
 * every request wait for it; this way groups grow only with load.
 */
export class GroupCommit<R, O> {
  private queue: Waiting<R, O>[] = [];
  private draining: Promise<void> | null = null;

  constructor(private readonly options: GroupCommitOptions<R, O>) {}

  write(records: R[]): Promise<O[]> {
    if (records.length === 0) return Promise.resolve([]);
    return new Promise((resolve, reject) => {
      this.queue.push({ records, resolve, reject });
      this.draining ??= this.drain();
    });
  }

  /** Settles once everything queued so far is written (or refused). */
  async flushed(): Promise<void> {
    await this.draining;
  }

  private async drain(): Promise<void> {
    try {
      while (this.queue.length > 0) {
        const group = this.takeGroup();
        try {
          settle(group, await this.options.commit(group.flatMap((w) => w.records)));
        } catch (error) {
          await this.isolate(group, error);
        }
      }
    } finally {
      this.draining = null;
    }
  }

  /** Whole requests, up to MAX_ROWS_PER_COMMIT rows (a single larger request still goes alone). */
  private takeGroup(): Waiting<R, O>[] {
    let rows = 0;
    let count = 0;
    while (count < this.queue.length && (count === 0 || rows + this.queue[count].records.length <= MAX_ROWS_PER_COMMIT)) {
      rows += this.queue[count].records.length;
      count++;
    }
    return this.queue.splice(0, count);
  }

  /**
   * A failed statement fails nothing it does not have to: on a data error each request is retried
   * alone, so a record the database refuses costs only its own request. Other failures fail them all.
   */
  private async isolate(group: Waiting<R, O>[], error: unknown): Promise<void> {
    if (group.length > 1 && this.options.isDataError(error)) {
      for (const waiting of group) {
        try {
          settle([waiting], await this.options.commit(waiting.records));
        } catch (own) {
          waiting.reject(this.options.toRequestError(own));
        }
      }
      return;
    }
    for (const waiting of group) waiting.reject(this.options.toRequestError(error));
  }
}

function settle<R, O>(group: Waiting<R, O>[], outcomes: O[]): void {
  let offset = 0;
  for (const waiting of group) {
    waiting.resolve(outcomes.slice(offset, offset + waiting.records.length));
    offset += waiting.records.length;
  }
}
