import type { Database } from 'better-sqlite3';
import { principalName, type CallContext } from '../../kernel/principal';
import type { Redactor } from '../redaction';

export type AuditResult = 'granted' | 'denied' | 'ok' | 'error';

export interface AuditInput {
  user?: string | null;
  action: string;
  permission?: string | null;
  resource?: string | null;
  result: AuditResult;
  /** An IP address, `ipc` or `cli`. */
  source: string;
  details?: Record<string, unknown>;
}

export interface AuditEntry {
  id: number;
  time: string;
  user: string | null;
  action: string;
  permission: string | null;
  resource: string | null;
  result: AuditResult;
  source: string;
  details: Record<string, unknown> | null;
}

export interface AuditQuery {
  limit?: number;
  action?: string;
  user?: string;
  result?: AuditResult;
  since?: number;
  beforeId?: number;
}

interface Row {
  id: number;
  time: number;
  user: string | null;
  action: string;
  permission: string | null;
  resource: string | null;
  result: AuditResult;
  source: string;
  details_json: string | null;
}

/** The audit log table: who, what, resource, result, source, time. Details are masked before they are stored. */
export class AuditLog {
  private readonly insert;

  constructor(
    private readonly db: Database,
    private readonly now: () => number,
    private readonly redactor?: Redactor,
  ) {
    this.insert = db.prepare(
      'insert into audit_log(time, user, action, permission, resource, result, source, details_json) values (?, ?, ?, ?, ?, ?, ?, ?)',
    );
  }

  /**
   * An entry on behalf of a caller, for what the dispatcher's own entry per procedure call does
   * not cover: a secret read by a run, a queue paused by a failure rule, a template changed on
   * disk. `ctx` is the procedure's CallContext, or `{principal, source}` built by the caller.
   */
  recordFor(ctx: Pick<CallContext, 'principal' | 'source'>, e: Omit<AuditInput, 'user' | 'source'>): void {
    this.record({ ...e, user: principalName(ctx.principal), source: ctx.source });
  }

  record(e: AuditInput): void {
    const details = e.details ? JSON.stringify(this.redactor ? this.redactor.maskDeep(e.details) : e.details) : null;
    const resource = e.resource && this.redactor ? this.redactor.mask(e.resource) : (e.resource ?? null);
    this.insert.run(this.now(), e.user ?? null, e.action, e.permission ?? null, resource, e.result, e.source, details);
  }

  query(q: AuditQuery = {}): AuditEntry[] {
    const where: string[] = [];
    const args: unknown[] = [];
    if (q.action) {
      // `action=auth.` matches a whole family; an exact name matches itself.
      if (q.action.endsWith('.') || q.action.endsWith('*')) {
        where.push('action like ?');
        args.push(q.action.replace(/\*$/, '') + '%');
      } else {
        where.push('action = ?');
        args.push(q.action);
      }
    }
    if (q.user) {
      where.push('user = ?');
      args.push(q.user);
    }
    if (q.result) {
      where.push('result = ?');
      args.push(q.result);
    }
    if (q.since !== undefined) {
      where.push('time >= ?');
      args.push(q.since);
    }
    if (q.beforeId !== undefined) {
      where.push('id < ?');
      args.push(q.beforeId);
    }
    const limit = Math.min(Math.max(q.limit ?? 100, 1), 1000);
    const sql = `select * from audit_log ${where.length ? 'where ' + where.join(' and ') : ''} order by id desc limit ${limit}`;
    return (this.db.prepare(sql).all(...args) as Row[]).map(toEntry);
  }

  countSince(since: number, result?: AuditResult): number {
    return result
      ? (this.db.prepare('select count(*) from audit_log where time >= ? and result = ?').pluck().get(since, result) as number)
      : (this.db.prepare('select count(*) from audit_log where time >= ?').pluck().get(since) as number);
  }

  /** Denied permissions over a window, most frequent first (`top_denied_permissions`). */
  topDenied(since: number, limit = 5): { permission: string; count: number }[] {
    return this.db
      .prepare(
        "select permission, count(*) as count from audit_log where result = 'denied' and time >= ? and permission is not null group by permission order by count desc limit ?",
      )
      .all(since, limit) as { permission: string; count: number }[];
  }
}

function toEntry(r: Row): AuditEntry {
  return {
    id: r.id,
    time: new Date(r.time).toISOString(),
    user: r.user,
    action: r.action,
    permission: r.permission,
    resource: r.resource,
    result: r.result,
    source: r.source,
    details: r.details_json ? (JSON.parse(r.details_json) as Record<string, unknown>) : null,
  };
}
