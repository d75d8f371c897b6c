import type { Database, Statement } from 'better-sqlite3';
import { transactions } from '../db/transactions';
import { RUN_COLUMNS, maybeRunRow, runRowOf, type RunRow } from './run-row';

/**
 * The oldest queued run of one priority level whose tag is not at its limit. `rowid` names it
 * within the transaction that reads it and claims it (the repository's claimNext).
 */
export type QueueHead = Pick<RunRow, 'rowid' | 'priority' | 'enqueued_at' | 'concurrency_tag'>;

/** The queue depth recount's statements (read every few seconds while the app runs). */
export const QUEUE_DEPTH_SQL = {
  queued: `select queue, count(*) from runs where status = 'queued' group by queue`,
  retryWait: `select queue, count(*) from runs where status = 'retry_wait' group by queue`,
  levels: `select distinct queue, priority from runs where status = 'queued'`,
} as const;

interface HeadStatements {
  tagged: Statement<[string, number, string]>;
  anyTag: Statement<[string, number]>;
}

/** Finding and taking queued runs: heads per level, the claim of a batch, due retries. */
export class RunClaims {
  /** The heads statements per LIMIT, made when a limit is first asked for (see headsFor). */
  private readonly headsByLimit = new Map<number, HeadStatements>();
  private readonly claimStmt: Statement<[string, number, number, number]>;
  private readonly rowStmt: Statement<[number]>;
  private readonly rowidStmt: Statement<[string]>;
  private readonly promoteDueStmt: Statement<[number]>;
  private readonly nextDueStmt: Statement<[]>;
  private readonly levelsStmt: Statement<[]>;
  private readonly queuedDepthStmt: Statement<[]>;
  private readonly retryDepthStmt: Statement<[]>;
  /** The heads read in the current claim transaction, whole: a claimed run is not read again. */
  private readonly headRows = new Map<number, RunRow>();

  constructor(private readonly db: Database) {
    // By rowid, in the transaction that read the heads. No RETURNING: on this schema an UPDATE …
    // RETURNING costs several times the UPDATE and a point SELECT (issue 18, docs/benchmarks.md).
    this.claimStmt = db.prepare(`update runs set status = 'running', lease_owner = ?, lease_expires_at = ?, started_at = coalesce(started_at, ?),
        attempts = attempts + 1, cancel_requested = 0
      where rowid = ? and status = 'queued'`);
    this.rowStmt = db.prepare(`select ${RUN_COLUMNS} from runs where rowid = ?`).raw();
    this.rowidStmt = db.prepare(`select rowid from runs where id = ?`);
    this.promoteDueStmt = db.prepare(`update runs set status = 'queued', enqueued_at = available_at where status = 'retry_wait' and available_at <= ? returning id, queue, priority`);
    this.nextDueStmt = db.prepare(`select min(available_at) from runs where status = 'retry_wait'`);
    this.levelsStmt = db.prepare(QUEUE_DEPTH_SQL.levels);
    // One statement per status: each reads only its partial index. `status in ('queued',
    // 'retry_wait')` matches neither and scanned the whole table (finished runs included): 140 ms
    // on the event loop every 5 s with 100k runs kept (issue 15, docs/benchmarks.md).
    this.queuedDepthStmt = db.prepare(QUEUE_DEPTH_SQL.queued).raw();
    this.retryDepthStmt = db.prepare(QUEUE_DEPTH_SQL.retryWait).raw();
  }

  /** `blockedTagsJson`: the tags at their limit (a JSON array), or null when no tag has a limit. */
  heads(queue: string, priority: number, blockedTagsJson: string | null, limit: number): QueueHead[] {
    if (!(limit >= 1)) return [];
    const stmts = this.headsFor(Math.floor(limit));
    const values = (blockedTagsJson === null || blockedTagsJson === '[]' ? stmts.anyTag.all(queue, priority) : stmts.tagged.all(queue, priority, blockedTagsJson)) as unknown[][];
    const rows = values.map(runRowOf);
    for (const row of rows) this.headRows.set(row.rowid, row);
    return rows;
  }

  /**
   * The oldest queued runs of one level, `limit` of them, with the LIMIT written into the SQL: SQLite
   * re-prepares a statement whose LIMIT is a bound parameter every time it is bound again (its plan
   * may depend on the value), which was most of the heads query's cost (issue 18: `sqlite3Reprepare`
   * on every dispatch in a `perf` profile, twice the CPU time of the same query with a literal
   * LIMIT). A limit is a count of free slots, so there are only as many statements as slot counts.
   */
  private headsFor(limit: number): HeadStatements {
    let stmts = this.headsByLimit.get(limit);
    if (!stmts) {
      stmts = {
        // Whose tag is not at its limit (a JSON array of the blocked tags).
        tagged: this.db.prepare(`select ${RUN_COLUMNS} from runs
          where queue = ? and status = 'queued' and priority = ?
            and (concurrency_tag is null or concurrency_tag not in (select value from json_each(?)))
          order by enqueued_at, rowid limit ${limit}`).raw(),
        // When no tag is at its limit (the usual case): json_each and its bloom filter cost more than the index probe itself.
        anyTag: this.db.prepare(`select ${RUN_COLUMNS} from runs
          where queue = ? and status = 'queued' and priority = ? order by enqueued_at, rowid limit ${limit}`).raw(),
      };
      this.headsByLimit.set(limit, stmts);
    }
    return stmts;
  }

  /**
   * Takes the queued runs among `ids` for this owner, in one transaction; the claimed rows (the
   * others were taken by someone else meanwhile).
   */
  claimBatch(ids: readonly string[], owner: string, leaseUntil: number, now: number): RunRow[] {
    return transactions(this.db).run(() => {
      this.headRows.clear();
      const rowids = ids.map((id) => this.rowidStmt.pluck().get(id) as number | undefined).filter((r): r is number => r !== undefined);
      return this.claimRowids(rowids, owner, leaseUntil, now);
    });
  }

  /** Forgets the heads of an earlier claim transaction (the repository's claimNext starts with it). */
  beginClaim(): void {
    this.headRows.clear();
  }

  /**
   * The statements of a claim by rowid, inside the transaction that read the heads: the claimed
   * rows. A head read in this transaction is the row as it was; the claim's changes (below, the
   * same as the UPDATE's) are applied to it instead of reading it again.
   */
  claimRowids(rowids: readonly number[], owner: string, leaseUntil: number, now: number): RunRow[] {
    const claimed: RunRow[] = [];
    for (const rowid of rowids) {
      if (!this.claimStmt.run(owner, leaseUntil, now, rowid).changes) continue;
      const head = this.headRows.get(rowid);
      claimed.push(
        head
          ? { ...head, status: 'running', lease_owner: owner, lease_expires_at: leaseUntil, started_at: head.started_at ?? now, attempts: head.attempts + 1, cancel_requested: 0 }
          : maybeRunRow(this.rowStmt.get(rowid))!,
      );
    }
    this.headRows.clear();
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
    const depths = new Map<string, number>();
    for (const stmt of [this.queuedDepthStmt, this.retryDepthStmt]) {
      for (const [queue, n] of stmt.all() as [string, number][]) depths.set(queue, (depths.get(queue) ?? 0) + n);
    }
    return depths;
  }
}
