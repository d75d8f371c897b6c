import type { Database } from 'better-sqlite3';
import type { ApprovalView } from '@shared/contract/approvals';
import { AppError } from '../kernel/errors';
import type { Awaitable } from '../kernel/awaitable';
import type { ApprovalDecision, RunsStorage } from '../runs';

/** One approval request as stored (times epoch ms), in SQLite (migration 0006) and in the fleet database. */
export interface ApprovalRow {
  id: string;
  run_id: string;
  step: number;
  template: string;
  message: string;
  details: string | null;
  risk_level: string;
  required_role: string;
  auto_action: string;
  requested_by: string | null;
  requested_at: number;
  expires_at: number;
  status: ApprovalView['status'];
  decided_by: string | null;
  decided_at: number | null;
  comment: string | null;
}

export type DecidedOutcome = Exclude<ApprovalView['status'], 'pending'>;

/** hitl_* figures: requests since a time, and decisions since it by outcome. */
export interface ApprovalCounts {
  requested: number;
  approved: number;
  denied: number;
  timed_out: number;
}

/**
 * What HITL stores (SQLite here, PostgreSQL in approval-store-pg.ts). `decide` is the decision as
 * one unit: the request's row moves from pending, and the run's state takes the decision
 * (RunsStorage.recordApprovalDecision), both or neither; a request already decided, by anyone on
 * any node, is ALREADY_DECIDED.
 */
export interface ApprovalStorePort {
  /** Records a pending request once; false when its id is stored already. */
  insertPending(row: ApprovalRow): Awaitable<boolean>;
  get(id: string): Awaitable<ApprovalRow | undefined>;
  pending(): Awaitable<ApprovalRow[]>;
  /** Newest first; 'all' lists the pending ones first. */
  list(status: ApprovalView['status'] | 'all', limit: number): Awaitable<ApprovalRow[]>;
  latestForRun(runId: string): Awaitable<ApprovalRow | undefined>;
  countsSince(since: number): Awaitable<ApprovalCounts>;
  decide(id: string, outcome: DecidedOutcome, by: string | null, at: number, comment: string | null): Awaitable<void>;
}

/** The columns of ApprovalRow, for `select`. */
export const APPROVAL_COLUMNS = 'id, run_id, step, template, message, details, risk_level, required_role, auto_action, requested_by, requested_at, expires_at, status, decided_by, decided_at, comment';

export const alreadyDecided = (id: string) => new AppError('ALREADY_DECIDED', `Approval ${id} was already decided`);

/** The decision as the run's state records it. */
export function decisionOf(outcome: DecidedOutcome, by: string | null, at: number, comment: string | null): ApprovalDecision {
  return { outcome, by, comment, at: new Date(at).toISOString() };
}

/** The approvals table in SQLite: HITL is its one owner. */
export class ApprovalStore implements ApprovalStorePort {
  constructor(
    private readonly db: Database,
    private readonly runs: Pick<RunsStorage, 'recordApprovalDecision'>,
  ) {}

  insertPending(row: ApprovalRow): boolean {
    return (
      this.db
        .prepare(`insert or ignore into approvals (id, run_id, step, template, message, details, risk_level, required_role, auto_action, requested_by, requested_at, expires_at, status)
          values (@id, @run_id, @step, @template, @message, @details, @risk_level, @required_role, @auto_action, @requested_by, @requested_at, @expires_at, 'pending')`)
        .run(row).changes > 0
    );
  }

  get(id: string): ApprovalRow | undefined {
    return this.db.prepare(`select ${APPROVAL_COLUMNS} from approvals where id = ?`).get(id) as ApprovalRow | undefined;
  }

  pending(): ApprovalRow[] {
    return this.db.prepare(`select ${APPROVAL_COLUMNS} from approvals where status = 'pending'`).all() as ApprovalRow[];
  }

  list(status: ApprovalView['status'] | 'all', limit: number): ApprovalRow[] {
    return (
      status === 'all'
        ? this.db.prepare(`select ${APPROVAL_COLUMNS} from approvals order by status = 'pending' desc, requested_at desc limit ?`).all(limit)
        : this.db.prepare(`select ${APPROVAL_COLUMNS} from approvals where status = ? order by requested_at desc limit ?`).all(status, limit)
    ) as ApprovalRow[];
  }

  latestForRun(runId: string): ApprovalRow | undefined {
    return this.db.prepare(`select ${APPROVAL_COLUMNS} from approvals where run_id = ? order by requested_at desc limit 1`).get(runId) as ApprovalRow | undefined;
  }

  countsSince(since: number): ApprovalCounts {
    return this.db
      .prepare(
        `select (select count(*) from approvals where requested_at >= ?) as requested,
           coalesce(sum(status = 'approved'), 0) as approved, coalesce(sum(status = 'denied'), 0) as denied,
           coalesce(sum(status = 'timed_out'), 0) as timed_out
         from approvals where decided_at >= ?`,
      )
      .get(since, since) as ApprovalCounts;
  }

  decide(id: string, outcome: DecidedOutcome, by: string | null, at: number, comment: string | null): void {
    this.db.transaction(() => {
      const row = this.db
        .prepare(`update approvals set status = ?, decided_by = ?, decided_at = ?, comment = ? where id = ? and status = 'pending' returning run_id`)
        .get(outcome, by, at, comment, id) as { run_id: string } | undefined;
      if (!row) throw alreadyDecided(id);
      this.runs.recordApprovalDecision(row.run_id, decisionOf(outcome, by, at, comment));
    })();
  }
}
