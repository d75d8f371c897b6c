import { LOCK_NAMESPACE } from '../../db/postgres/lock-keys';
import { rowsOf, type SqlExecutor } from '../../db/postgres/sql-executor';
import { principalName, type CallContext } from '../../kernel/principal';
import type { Redactor } from '../redaction';
import { auditFilter, auditValues, toAuditEntry, type AuditEntry, type AuditInput, type AuditLogPort, type AuditQuery, type AuditResult, type AuditRow } from './audit-log';

/**
 * The one audit log of a fleet in PostgreSQL (SPEC section 16). The append takes a
 * transaction-scoped advisory lock before the id is drawn, so appends from all nodes are one at a
 * time and ids follow commit order (a sequence alone gives ids in draw order, and a later id can
 * commit first: a reader would see 11 before 10). The lock is held for one insert and its commit.
 */
export class PgAuditLog implements AuditLogPort {
  constructor(
    private readonly db: SqlExecutor,
    private readonly now: () => number,
    private readonly redactor?: Redactor,
  ) {}

  async recordFor(ctx: Pick<CallContext, 'principal' | 'source'>, e: Omit<AuditInput, 'user' | 'source'>): Promise<void> {
    await this.record({ ...e, user: principalName(ctx.principal), source: ctx.source });
  }

  async record(e: AuditInput): Promise<void> {
    await this.db.query(
      `with serialised as (select pg_advisory_xact_lock($9, 0))
       insert into audit_log(time, "user", action, permission, resource, result, source, details_json)
       select $1, $2, $3, $4, $5, $6, $7, $8 from serialised`,
      [...auditValues(e, this.now(), this.redactor), LOCK_NAMESPACE.audit],
    );
  }

  async query(q: AuditQuery = {}): Promise<AuditEntry[]> {
    const { where, args, limit } = auditFilter(q);
    let n = 0;
    const rows = await rowsOf<AuditRow>(this.db, `select * from audit_log ${where.replace(/\?/g, () => `$${++n}`)} order by id desc limit ${limit}`, args);
    return rows.map(toAuditEntry);
  }

  async countSince(since: number, result?: AuditResult): Promise<number> {
    const [row] = result
      ? await rowsOf<{ n: number }>(this.db, 'select count(*) as n from audit_log where time >= $1 and result = $2', [since, result])
      : await rowsOf<{ n: number }>(this.db, 'select count(*) as n from audit_log where time >= $1', [since]);
    return row!.n;
  }

  /** Denied permissions over a window, most frequent first (`top_denied_permissions`). */
  async topDenied(since: number, limit = 5): Promise<{ permission: string; count: number }[]> {
    return rowsOf<{ permission: string; count: number }>(
      this.db,
      "select permission, count(*) as count from audit_log where result = 'denied' and time >= $1 and permission is not null group by permission order by count desc, permission limit $2",
      [since, limit],
    );
  }
}
