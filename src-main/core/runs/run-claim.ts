import type { Database, Statement } from 'better-sqlite3';
import { RUN_COLUMNS, type RunRow } from './run-row';

/** The oldest queued run of one priority level whose tag is not at its limit. */
export interface QueueHead {
  id: string;
  priority: number;
  enqueued_at: number;
  concurrency_tag: string | null;
}

/** Finding and taking queued runs: heads per level, the claim of a batch, due retries. */
export class RunClaims {
  private readonly headStmt: Statement<[string, number, string, number]>;
  private readonly claimStmt: Statement<[string, number, number, string]>;
  private readonly promoteDueStmt: Statement<[number]>;
  private readonly nextDueStmt: Statement<[]>;
  private readonly levelsStmt: Statement<[]>;
  private readonly depthStmt: Statement<[]>;

  constructor(private readonly db: Database) {
    // The oldest queued runs of one priority level whose tag is not at its limit (json array of blocked tags).
    this.headStmt = db.prepare(`select id, priority, enqueued_at, concurrency_tag from runs
      where queue = ? and status = 'queued' and priority = ?
        and (concurrency_tag is null or concurrency_tag not in (select value from json_each(?)))
      order by enqueued_at, rowid limit ?`);
    this.claimStmt = db.prepare(`update runs set status = 'running', lease_owner = ?, lease_expires_at = ?, started_at = coalesce(started_at, ?),
        attempts = attempts + 1, cancel_requested = 0
      where id = ? and status = 'queued'
      returning ${RUN_COLUMNS}`);
    this.promoteDueStmt = db.prepare(`update runs set status = 'queued', enqueued_at = available_at where status = 'retry_wait' and available_at <= ? returning id, queue, priority`);
    this.nextDueStmt = db.prepare(`select min(available_at) from runs where status = 'retry_wait'`);
    this.levelsStmt = db.prepare("select distinct queue, priority from runs where status = 'queued'");
    this.depthStmt = db.prepare(`select queue, count(*) as n from runs where status in ('queued', 'retry_wait') group by queue`);
  }

  heads(queue: string, priority: number, blockedTagsJson: string, limit: number): QueueHead[] {
    return this.headStmt.all(queue, priority, blockedTagsJson, limit) as QueueHead[];
  }

  /**
   * Takes the queued runs among `ids` for this owner, in one transaction; the claimed rows (the
   * others were taken by someone else meanwhile).
   */
  claimBatch(ids: readonly string[], owner: string, leaseUntil: number, now: number): RunRow[] {
    return this.db.transaction(() => {
      const claimed: RunRow[] = [];
      for (const id of ids) {
        const row = this.claimStmt.get(owner, leaseUntil, now, id) as RunRow | undefined;
        if (row) claimed.push(row);
      }
      return claimed;
    })();
  }

  /** Retries whose time has come go back in line (at their due time's place). */
  promoteDue(now: number): { id: string; queue: string; priority: number }[] {
    return this.promoteDueStmt.all(now) as { id: string; queue: string; priority: number }[];
  }

  nextDue(): number | null {
    return this.nextDueStmt.pluck().get() as number | null;
  }

  /** Which (queue, priority) levels hold queued runs now. */
  queuedLevels(): { queue: string; priority: number }[] {
    return this.levelsStmt.all() as { queue: string; priority: number }[];
  }

  /** Waiting runs (queued and retry_wait) per queue. */
  depths(): Map<string, number> {
    return new Map((this.depthStmt.all() as { queue: string; n: number }[]).map((r) => [r.queue, r.n]));
  }
}
