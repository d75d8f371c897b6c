import type { Database } from 'better-sqlite3';
import { transactions, type Transactions } from '../../db/transactions';

interface Pending {
  work: () => unknown;
  resolve(value: unknown): void;
  reject(error: unknown): void;
}

type Outcome = { ok: true; value: unknown } | { ok: false; error: unknown };

/**
 * Group commit: the writes asked for in one turn of the event loop (the deliveries that arrived
 * together on many connections) run in one SQLite transaction, so they share a single commit. Each
 * caller's promise settles only after that commit, so "durably queued" still holds when it resolves.
 *
 * Optimistic: the batch runs without a savepoint per write (with them, SQLite copied each touched
 * page to a statement journal that spilled to a temp file: more than the writes themselves). When
 * one write throws, the whole transaction is rolled back and the batch runs again with a savepoint
 * per write, so that one fails alone. A `work` is therefore SQL only: it may run twice, and what it
 * leads to outside the database belongs after its promise resolves.
 */
export class GroupCommit {
  private pending: Pending[] = [];
  private scheduled = false;
  private readonly tx: Transactions;

  constructor(
    db: Database,
    /** A batch this large is committed at once rather than at the end of the turn. */
    private readonly maxBatch = 256,
  ) {
    this.tx = transactions(db);
  }

  run<T>(work: () => T): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.pending.push({ work, resolve: resolve as (v: unknown) => void, reject });
      if (this.pending.length >= this.maxBatch) this.flush();
      else if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => {
          this.scheduled = false;
          this.flush();
        });
      }
    });
  }

  private flush(): void {
    const batch = this.pending;
    if (!batch.length) return;
    this.pending = [];
    let outcomes: Outcome[];
    try {
      outcomes = this.together(batch) ?? this.eachInSavepoint(batch);
    } catch (error) {
      // The commit itself failed (or the writer lock never came): nothing of the batch is stored.
      for (const item of batch) item.reject(error);
      return;
    }
    batch.forEach((item, i) => {
      const o = outcomes[i]!;
      if (o.ok) item.resolve(o.value);
      else item.reject(o.error);
    });
  }

  /** All in one transaction, no savepoints; undefined (rolled back) when one write threw. */
  private together(batch: readonly Pending[]): Outcome[] | undefined {
    const failed = new Error('a write of the group failed');
    try {
      // IMMEDIATE: the writer lock is taken at the start, where SQLite waits for it (busy_timeout);
      // a deferred transaction that read first would fail at once if another connection held it.
      return this.tx.immediate(() =>
        batch.map((item): Outcome => {
          try {
            return { ok: true, value: item.work() };
          } catch {
            throw failed;
          }
        }),
      );
    } catch (error) {
      if (error === failed) return undefined;
      throw error;
    }
  }

  private eachInSavepoint(batch: readonly Pending[]): Outcome[] {
    return this.tx.immediate(() =>
      batch.map((item): Outcome => {
        try {
          // Nested in the open transaction: a savepoint, rolled back alone when it throws.
          return { ok: true, value: this.tx.run(item.work) };
        } catch (error) {
          return { ok: false, error };
        }
      }),
    );
  }
}
