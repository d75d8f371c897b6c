import type { Database } from 'better-sqlite3';
import type { Awaitable } from '../../kernel/awaitable';
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

export interface AuditRow {
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

/**
 * What the core asks of the audit log (SQLite here, PostgreSQL in audit-log-pg.ts): append-only,
 * newest first by id, and the id order is the order entries were stored in.
 */
export interface AuditLogPort {
  recordFor(ctx: Pick<CallContext, 'principal' | 'source'>, e: Omit<AuditInput, 'user' | 'source'>): Awaitable<void>;
  record(e: AuditInput): Awaitable<void>;
  query(q?: AuditQuery): Awaitable<AuditEntry[]>;
  countSince(since: number, result?: AuditResult): Awaitable<number>;
  topDenied(since: number, limit?: number): Awaitable<{ permission: string; count: number }[]>;
}

/** The stored values of one entry, masked: time, user, action, permission, resource, result, source, details_json. */
export function auditValues(e: AuditInput, time: number, redactor: Redactor | undefined): unknown[] {
  const details = e.details ? JSON.stringify(redactor ? redactor.maskDeep(e.details) : e.details) : null;
  const resource = e.resource && redactor ? redactor.mask(e.resource) : (e.resource ?? null);
  return [time, e.user ?? null, e.action, e.permission ?? null, resource, e.result, e.source, details];
}

/** A query's filter as SQL with `?` placeholders ("user" quoted for both backends) and its limit, clamped. */
export function auditFilter(q: AuditQuery): { where: string; args: unknown[]; limit: number } {
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
    where.push('"user" = ?');
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
  return { where: where.length ? 'where ' + where.join(' and ') : '', args, limit: Math.min(Math.max(q.limit ?? 100, 1), 1000) };
}

/** The audit log table: who, what, resource, result, source, time. Details are masked before they are stored. */
export class AuditLog implements AuditLogPort {
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
    this.insert.run(...auditValues(e, this.now(), this.redactor));
  }

  query(q: AuditQuery = {}): AuditEntry[] {
    const { where, args, limit } = auditFilter(q);
    return (this.db.prepare(`select * from audit_log ${where} order by id desc limit ${limit}`).all(...args) as AuditRow[]).map(toAuditEntry);
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

export function toAuditEntry(r: AuditRow): AuditEntry {
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
