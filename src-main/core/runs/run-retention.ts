import type { Database, Statement } from 'better-sqlite3';
import { FINAL_SQL } from './run-row';

/** Deleting finished runs (their steps go with them: ON DELETE CASCADE) and orphaned template texts. */
export class RunRetention {
  private readonly finishedBeforeStmt: Statement<[number, number]>;
  private readonly oldestFinishedStmt: Statement<[number]>;
  private readonly deleteStmt: Statement<[string]>;
  private readonly deleteFinishedStmt: Statement<[string]>;
  private readonly pruneContentsStmt: Statement<[]>;

  constructor(
    private readonly db: Database,
    /** Told when contents were deleted (the inserts' cache of stored contents must forget them). */
    private readonly onContentsPruned: () => void = () => {},
  ) {
    this.finishedBeforeStmt = db.prepare(`select id from runs where status in ${FINAL_SQL} and finished_at < ? order by finished_at limit ?`);
    this.oldestFinishedStmt = db.prepare(`select id from runs where status in ${FINAL_SQL} order by finished_at limit ?`);
    this.deleteStmt = db.prepare('delete from runs where id = ?');
    this.deleteFinishedStmt = db.prepare(`delete from runs where id = ? and status in ${FINAL_SQL}`);
    this.pruneContentsStmt = db.prepare('delete from template_contents where hash not in (select template_hash from runs)');
  }

  finishedBefore(cutoff: number, limit: number): string[] {
    return this.finishedBeforeStmt.pluck().all(cutoff, limit) as string[];
  }

  oldestFinished(limit: number): string[] {
    return this.oldestFinishedStmt.pluck().all(limit) as string[];
  }

  /** Deletes a batch of runs in one transaction. */
  deleteMany(ids: readonly string[]): void {
    this.db.transaction(() => {
      for (const id of ids) this.deleteStmt.run(id);
    })();
  }

  /** Deletes one finished run; false when it is not (or no longer) finished. */
  deleteFinished(id: string): boolean {
    return this.deleteFinishedStmt.run(id).changes > 0;
  }

  /** Template texts no run refers to any more. */
  pruneTemplateContents(): number {
    const pruned = this.pruneContentsStmt.run().changes;
    if (pruned) this.onContentsPruned();
    return pruned;
  }
}
