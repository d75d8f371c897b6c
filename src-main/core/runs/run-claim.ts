import type { Database, Statement } from 'better-sqlite3';
import { RUN_COLUMNS, type RunRow } from './run-row';

/**
 * The oldest queued run of one priority level whose tag is not at its limit. `rowid` names it
 * within the transaction that reads it and claims it (claimNext); `concurrency_tag` is null when
 * no tag has a limit (then it plays no part in the choice and is not read).
 */
export interface QueueHead {
  rowid: number;
  priority: number;
  enqueued_at: number;
  concurrency_tag: string | null;
}

/** Finding and taking queued runs: heads per level, the claim of a batch, due retries. */
export class RunClaims {
  private readonly headStmt: Statement<[string, number, string, number]>;
  private readonly headTaggedStmt: Statement<[string, number, number]>;
  private readonly headCoveredStmt: Statement<[string, number, number]>;
  private readonly claimStmt: Statement<[string, number, number, number]>;
  private readonly claimedRowStmt: Statement<[number]>;
  private readonly claimByIdStmt: Statement<[string]>;
  private readonly promoteDueStmt: Statement<[number]>;
  private readonly nextDueStmt: Statement<[]>;
  private readonly levelsStmt: Statement<[]>;
  private readonly depthStmt: Statement<[]>;

  constructor(private readonly db: Database) {
    // The oldest queued runs of one priority level whose tag is not at its limit (json array of blocked tags).
    this.headStmt = db.prepare(`select rowid, priority, enqueued_at, concurrency_tag from runs
      where queue = ? and status = 'queued' and priority = ?
        and (concurrency_tag is null or concurrency_tag not in (select value from json_each(?)))
      order by enqueued_at, rowid limit ?`);
    // The same when no tag is at its limit: json_each and its bloom filter cost more than the probe.
    this.headTaggedStmt = db.prepare(`select rowid, priority, enqueued_at, concurrency_tag from runs
      where queue = ? and status = 'queued' and priority = ? order by enqueued_at, rowid limit ?`);
    // And when no tag has a limit at all: the partial index runs_queued alone answers (covering).
    this.headCoveredStmt = db.prepare(`select rowid, priority, enqueued_at, null as concurrency_tag from runs
      where queue = ? and status = 'queued' and priority = ? order by enqueued_at, rowid limit ?`);
    // By rowid, read in the same transaction. No RETURNING: on this schema an UPDATE … RETURNING
    // costs about ten times the UPDATE and a point SELECT (bench/queue.bench.ts profile, issue 18).
    this.claimStmt = db.prepare(`update runs set status = 'running', lease_owner = ?, lease_expires_at = ?, started_at = coalesce(started_at, ?),
        attempts = attempts + 1, cancel_requested = 0
      where rowid = ? and status = 'queued'`);
    this.claimedRowStmt = db.prepare(`select ${RUN_COLUMNS} from runs where rowid = ?`);
    this.claimByIdStmt = db.prepare(`select rowid from runs where id = ?`);
    this.promoteDueStmt = db.prepare(`update runs set status = 'queued', enqueued_at = available_at where status = 'retry_wait' and available_at <= ? returning id, queue, priority`);
    this.nextDueStmt = db.prepare(`select min(available_at) from runs where status = 'retry_wait'`);
    this.levelsStmt = db.prepare("select distinct queue, priority from runs where status = 'queued'");
    this.depthStmt = db.prepare(`select queue, count(*) as n from runs where status in ('queued', 'retry_wait') group by queue`);
  }

  /** `blockedTagsJson`: tags at their limit (a JSON array), or null when no tag has a limit. */
  heads(queue: string, priority: number, blockedTagsJson: string | null, limit: number): QueueHead[] {
    if (blockedTagsJson === null) return this.headCoveredStmt.all(queue, priority, limit) as QueueHead[];
    if (blockedTagsJson === '[]') return this.headTaggedStmt.all(queue, priority, limit) as QueueHead[];
    return this.headStmt.all(queue, priority, blockedTagsJson, limit) as QueueHead[];
  }

  /**
   * Takes the queued runs among `ids` for this owner, in one transaction; the claimed rows (the
   * others were taken by someone else meanwhile).
   */
  claimBatch(ids: readonly string[], owner: string, leaseUntil: number, now: number): RunRow[] {
    return this.db.transaction(() => {
      const rowids = ids.map((id) => this.claimByIdStmt.pluck().get(id) as number | undefined).filter((r): r is number => r !== undefined);
      return this.claimRowids(rowids, owner, leaseUntil, now);
    })();
  }

  /**
   * The statements of a claim by the rowids of heads read in the same transaction (the
   * repository's claimNext): the claimed rows.
   */
  claimRowids(rowids: readonly number[], owner: string, leaseUntil: number, now: number): RunRow[] {
    const claimed: RunRow[] = [];
    for (const rowid of rowids) {
      if (this.claimStmt.run(owner, leaseUntil, now, rowid).changes) claimed.push(this.claimedRowStmt.get(rowid) as RunRow);
    }
    return claimed;
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
