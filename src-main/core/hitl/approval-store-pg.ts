import type { ApprovalView } from '@shared/contract/approvals';
import { inTransaction, type PgClient, type PgPool } from '../db/postgres';
import { rowsOf } from '../db/postgres/sql-executor';
import type { ApprovalDecision } from '../runs';
import { APPROVAL_COLUMNS as COLUMNS, alreadyDecided, decisionOf, type ApprovalCounts, type ApprovalRow, type ApprovalStorePort, type DecidedOutcome } from './approval-store';

/** What the decision needs of the fleet's runs storage (PgRunsStorage): the run's state, in the decision's transaction. */
export interface PgApprovalRuns {
  recordApprovalDecision(runId: string, decision: ApprovalDecision, client: PgClient): Promise<void>;
}

/** The channel every node LISTENs on to hear of a decided approval; the payload is the approval's id. */
export const APPROVAL_DECIDED_CHANNEL = 'da_approval_decided';

/**
 * The approvals table in the fleet database: the same methods and meanings as ApprovalStore.
 * A request is stored once whichever node records it (ON CONFLICT DO NOTHING); a decision takes the
 * request's row from pending and writes the run's state in one transaction, and tells every node
 * (NOTIFY at COMMIT) so each can drop its deadline timer and refresh what it shows.
 */
export class PgApprovalStore implements ApprovalStorePort {
  constructor(
    private readonly pool: PgPool,
    private readonly runs: PgApprovalRuns,
  ) {}

  async insertPending(row: ApprovalRow): Promise<boolean> {
    const r = await this.pool.query(
      `insert into approvals (id, run_id, step, template, message, details, risk_level, required_role, auto_action, requested_by, requested_at, expires_at, status)
       values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, 'pending') on conflict (id) do nothing`,
      [row.id, row.run_id, row.step, row.template, row.message, row.details, row.risk_level, row.required_role, row.auto_action, row.requested_by, row.requested_at, row.expires_at],
    );
    return (r.rowCount ?? 0) > 0;
  }

  async get(id: string): Promise<ApprovalRow | undefined> {
    return (await rowsOf<ApprovalRow>(this.pool, `select ${COLUMNS} from approvals where id = $1`, [id]))[0];
  }

  pending(): Promise<ApprovalRow[]> {
    return rowsOf<ApprovalRow>(this.pool, `select ${COLUMNS} from approvals where status = 'pending'`);
  }

  list(status: ApprovalView['status'] | 'all', limit: number): Promise<ApprovalRow[]> {
    return status === 'all'
      ? rowsOf<ApprovalRow>(this.pool, `select ${COLUMNS} from approvals order by status = 'pending' desc, requested_at desc limit $1`, [limit])
      : rowsOf<ApprovalRow>(this.pool, `select ${COLUMNS} from approvals where status = $1 order by requested_at desc limit $2`, [status, limit]);
  }

  async latestForRun(runId: string): Promise<ApprovalRow | undefined> {
    return (await rowsOf<ApprovalRow>(this.pool, `select ${COLUMNS} from approvals where run_id = $1 order by requested_at desc limit 1`, [runId]))[0];
  }

  async countsSince(since: number): Promise<ApprovalCounts> {
    const [counts] = await rowsOf<ApprovalCounts>(
      this.pool,
      `select (select count(*)::int from approvals where requested_at >= $1) as requested,
         count(*) filter (where status = 'approved')::int as approved, count(*) filter (where status = 'denied')::int as denied,
         count(*) filter (where status = 'timed_out')::int as timed_out
       from approvals where decided_at >= $1`,
      [since],
    );
    return counts!;
  }

  async decide(id: string, outcome: DecidedOutcome, by: string | null, at: number, comment: string | null): Promise<void> {
    await inTransaction(this.pool, async (client) => {
      // The row lock of the UPDATE makes a second node's decision wait, then find it decided.
      const r = await client.query<{ run_id: string }>(
        `update approvals set status = $2, decided_by = $3, decided_at = $4, comment = $5 where id = $1 and status = 'pending' returning run_id`,
        [id, outcome, by, at, comment],
      );
      const row = r.rows[0];
      if (!row) throw alreadyDecided(id);
      await this.runs.recordApprovalDecision(row.run_id, decisionOf(outcome, by, at, comment), client);
      await client.query('select pg_notify($1, $2)', [APPROVAL_DECIDED_CHANNEL, id]);
    });
  }
}
