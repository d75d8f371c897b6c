import type { Database } from 'better-sqlite3';
import { transactions, type Transactions } from './transactions';

/**
 * Group commit for the run hot path. Writes that need not be on disk before the caller moves on
 * (a finished step, a finished run) are queued and committed together a moment later: with eight runs finishing at once that is one transaction instead of
 * sixteen, and a commit (a WAL write) is most of what a short run costs. Writes wait at most
 * `windowMs` (1 ms) for company.
 *
 * Read-your-writes: anything that reads what these writes touch calls `flush()` first, and
 * `afterCommit` callbacks (events) run only once the writes they follow are committed — an event
 * never announces something that is not yet on disk. A crash inside the window (about a
 * millisecond) loses the queued writes; the run is then recovered as interrupted, which is recorded.
 * Writes that must be durable before an answer (an accepted run) do not go through here.
 *
 * When the window ends, the flush waits for the immediates already queued: the queue's dispatch
 * (queued when a run ends) then takes these writes into its claim's commit (`flushWith`) instead
 * of a commit of their own just before it (issue 18: at concurrency 8 that was two commits per
 * batch of runs, not one).
 */
export class WriteBatcher {
  private writes: { write: () => void; onFailed?: (error: unknown) => void }[] = [];
  private after: (() => void)[] = [];
  private keys = new Set<string>();
  private timer: NodeJS.Timeout | undefined;
  private immediate: NodeJS.Immediate | undefined;
  private readonly tx: Transactions;

  constructor(
    db: Database,
    private readonly onError: (error: unknown) => void,
    /** How long a write may wait for company; a full batch commits at once. */
    private readonly windowMs = 1,
    private readonly maxBatch = 256,
  ) {
    this.tx = transactions(db);
  }

  /**
   * Queues a write; `key` (a run id) lets readers flush only when their own data is pending.
   * `onFailed` hears when this write could not be committed (disk full, read-only database);
   * without it the batcher's own handler does.
   */
  defer(write: () => void, key?: string, onFailed?: (error: unknown) => void): void {
    this.writes.push({ write, onFailed });
    if (key) this.keys.add(key);
    if (this.writes.length >= this.maxBatch) this.flush();
    else this.schedule();
  }

  hasPending(key: string): boolean {
    return this.keys.has(key);
  }

  /** Runs fn once everything deferred so far is committed (at once when nothing is pending). */
  afterCommit(fn: () => void): void {
    if (!this.writes.length) {
      fn();
      return;
    }
    this.after.push(fn);
  }

  get pending(): number {
    return this.writes.length;
  }

  flush(): void {
    if (!this.writes.length) return;
    const { writes, after } = this.take();
    try {
      this.tx.run(() => {
        for (const w of writes) w.write();
      });
    } catch {
      this.commitEach(writes);
    }
    this.runAfter(after);
  }

  /**
   * Runs `unit` (a write that must commit now: the dispatcher's claim) in one IMMEDIATE
   * transaction together with the writes pending here, so they share its commit (one WAL write
   * instead of two). When that transaction fails, the pending writes are committed as flush()
   * would, and `unit` then runs in a transaction of its own (its error, if any, is thrown).
   */
  flushWith<T>(unit: () => T): T {
    if (!this.writes.length) return this.tx.immediate(unit);
    const { writes, after } = this.take();
    let result: T;
    try {
      result = this.tx.immediate(() => {
        for (const w of writes) w.write();
        return unit();
      });
    } catch {
      this.commitEach(writes);
      this.runAfter(after);
      return this.tx.immediate(unit);
    }
    this.runAfter(after);
    return result;
  }

  private take(): { writes: WriteBatcher['writes']; after: (() => void)[] } {
    clearTimeout(this.timer);
    clearImmediate(this.immediate);
    this.timer = undefined;
    this.immediate = undefined;
    const taken = { writes: this.writes, after: this.after };
    this.writes = [];
    this.after = [];
    this.keys.clear();
    return taken;
  }

  /** One bad write must not take the others with it: commit each on its own. */
  private commitEach(writes: WriteBatcher['writes']): void {
    for (const w of writes) {
      try {
        this.tx.run(w.write);
      } catch (e) {
        (w.onFailed ?? this.onError)(e);
      }
    }
  }

  private runAfter(after: (() => void)[]): void {
    for (const fn of after) {
      try {
        fn();
      } catch (e) {
        this.onError(e);
      }
    }
  }

  private schedule(): void {
    if (this.timer || this.immediate) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.immediate = setImmediate(() => this.flush());
    }, this.windowMs);
  }
}
