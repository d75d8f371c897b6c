import type { Database, Statement } from 'better-sqlite3';
import type { RetryPolicy } from '@shared/config';
import type { RunStatus } from '@shared/domain/runs';

/** The SQL of the queue, one prepared statement per operation (claim, complete, reschedule, …). */

export interface NewRunRow {
  id: string;
  template: string;
  template_hash: string;
  template_yaml: string;
  variables_json: string;
  trigger: string;
  trigger_json: string;
  requested_by: string | null;
  queue: string;
  priority: number;
  concurrency_tag: string | null;
  dry_run: number;
  idempotency_key: string | null;
  status: RunStatus;
  available_at: number;
  enqueued_at: number;
  created_at: number;
  retry_json: string;
  timeout_ms: number | null;
  retry_of: string | null;
}

export interface AttemptRecord {
  attempt: number;
  started_at: string | null;
  finished_at: string | null;
  status: string;
  error: string | null;
  error_code?: string | null;
}

export interface QueueRunRow {
  id: string;
  queue: string;
  priority: number;
  status: RunStatus;
  concurrency_tag: string | null;
  attempts: number;
  attempt_history_json: string;
  retry_json: string | null;
  timeout_ms: number | null;
  started_at: number | null;
  enqueued_at: number;
  available_at: number;
  lease_owner: string | null;
  lease_expires_at: number | null;
  cancel_requested: number;
  template: string;
  paused_from: string | null;
  requested_by: string | null;
}

export interface Head {
  id: string;
  priority: number;
  enqueued_at: number;
  concurrency_tag: string | null;
}

export class QueueStore {
  private readonly insertRun: Statement<Omit<NewRunRow, 'template_yaml'>>;
  private readonly insertContent: Statement<[string, string]>;
  /** Template contents known to be stored, so an enqueue of a known template writes only its run. */
  private readonly storedContents = new Set<string>();
  private readonly byIdempotency: Statement<[string]>;
  private readonly headStmt: Statement<[string, number, string, number]>;
  private readonly claimStmt: Statement<[string, number, number, string]>;
  private readonly getStmt: Statement<[string]>;
  private readonly finishStmt: Statement;
  private readonly setStatusStmt: Statement;
  private readonly retryWaitStmt: Statement;
  private readonly requeueStmt: Statement;
  private readonly promoteDueStmt: Statement<[number]>;
  private readonly nextDueStmt: Statement<[]>;
  private readonly renewStmt: Statement<[number, string]>;
  private readonly expiredStmt: Statement<[number]>;
  private readonly cancelRequestedStmt: Statement<[string]>;
  private readonly depthStmt: Statement<[]>;
  private readonly runningStmt: Statement<[]>;

  /** onRunFailed: a failed run is reported (to failure clusters) in the transaction that finishes it. */
  constructor(
    readonly db: Database,
    private readonly onRunFailed?: (runId: string, error: string | null, errorCode: string | null, at: number) => void,
  ) {
    this.insertRun = db.prepare(`insert into runs (id, template, template_hash, variables_json, trigger, trigger_json, requested_by,
        queue, priority, concurrency_tag, dry_run, idempotency_key, status, available_at, enqueued_at, created_at, retry_json, timeout_ms, retry_of)
      values (@id, @template, @template_hash, @variables_json, @trigger, @trigger_json, @requested_by,
        @queue, @priority, @concurrency_tag, @dry_run, @idempotency_key, @status, @available_at, @enqueued_at, @created_at, @retry_json, @timeout_ms, @retry_of)`);
    this.insertContent = db.prepare('insert or ignore into template_contents(hash, yaml) values (?, ?)');
    this.byIdempotency = db.prepare('select id, status, queue, priority from runs where idempotency_key = ?');
    // The oldest queued run of one priority level whose tag is not at its limit (json array of blocked tags).
    // The oldest queued runs of one priority level whose tag is not at its limit (json array of blocked tags).
    this.headStmt = db.prepare(`select id, priority, enqueued_at, concurrency_tag from runs
      where queue = ? and status = 'queued' and priority = ?
        and (concurrency_tag is null or concurrency_tag not in (select value from json_each(?)))
      order by enqueued_at, rowid limit ?`);
    this.claimStmt = db.prepare(`update runs set status = 'running', lease_owner = ?, lease_expires_at = ?, started_at = ?,
        attempts = attempts + 1, cancel_requested = 0
      where id = ? and status = 'queued'
      returning id, queue, priority, status, concurrency_tag, attempts, attempt_history_json, retry_json, timeout_ms,
        started_at, enqueued_at, available_at, lease_owner, lease_expires_at, cancel_requested, template, paused_from, requested_by`);
    this.getStmt = db.prepare(`select id, queue, priority, status, concurrency_tag, attempts, attempt_history_json, retry_json, timeout_ms,
        started_at, enqueued_at, available_at, lease_owner, lease_expires_at, cancel_requested, template, paused_from, requested_by from runs where id = ?`);
    this.finishStmt = db.prepare(`update runs set status = @status, finished_at = @now, error = @error, error_code = @error_code,
        lease_owner = null, lease_expires_at = null, attempt_history_json = @history where id = @id`);
    this.setStatusStmt = db.prepare(`update runs set status = @status, error = @error, error_code = @error_code,
        lease_owner = null, lease_expires_at = null, attempt_history_json = coalesce(@history, attempt_history_json),
        paused_from = @paused_from where id = @id`);
    this.retryWaitStmt = db.prepare(`update runs set status = 'retry_wait', available_at = @due, error = @error, error_code = @error_code,
        lease_owner = null, lease_expires_at = null, attempt_history_json = @history where id = @id`);
    this.requeueStmt = db.prepare(`update runs set status = 'queued', available_at = @now, enqueued_at = @enqueued_at,
        lease_owner = null, lease_expires_at = null, attempts = @attempts, attempt_history_json = coalesce(@history, attempt_history_json),
        error = @error, error_code = @error_code, paused_from = null where id = @id`);
    this.promoteDueStmt = db.prepare(`update runs set status = 'queued', enqueued_at = available_at where status = 'retry_wait' and available_at <= ? returning id, queue, priority`);
    this.nextDueStmt = db.prepare(`select min(available_at) from runs where status = 'retry_wait'`);
    this.renewStmt = db.prepare(`update runs set lease_expires_at = ? where lease_owner = ? and status = 'running'`);
    this.expiredStmt = db.prepare(`select id, lease_owner from runs where status = 'running' and lease_expires_at < ?`);
    this.cancelRequestedStmt = db.prepare(`select id from runs where lease_owner = ? and status = 'running' and cancel_requested = 1`);
    this.depthStmt = db.prepare(`select queue, count(*) as n from runs where status in ('queued', 'retry_wait') group by queue`);
    this.runningStmt = db.prepare(`select queue, concurrency_tag, lease_owner from runs where status = 'running'`);
  }

  /** Inserts a run and (once) its template's content; call inside a transaction. */
  insert(row: NewRunRow): void {
    if (!this.storedContents.has(row.template_hash)) {
      this.insertContent.run(row.template_hash, row.template_yaml);
      this.storedContents.add(row.template_hash);
    }
    const { template_yaml: _yaml, ...run } = row;
    this.insertRun.run(run);
  }

  /** Retention removed unreferenced contents: forget what we knew. */
  forgetContents(): void {
    this.storedContents.clear();
  }

  findByIdempotencyKey(key: string): { id: string; status: RunStatus; queue: string; priority: number } | undefined {
    return this.byIdempotency.get(key) as { id: string; status: RunStatus; queue: string; priority: number } | undefined;
  }

  heads(queue: string, priority: number, blockedTagsJson: string, limit: number): Head[] {
    return this.headStmt.all(queue, priority, blockedTagsJson, limit) as Head[];
  }

  /** Takes a queued run for this owner; the claimed row, or undefined when someone else took it. */
  claim(id: string, owner: string, leaseUntil: number, now: number): QueueRunRow | undefined {
    return this.claimStmt.get(owner, leaseUntil, now, id) as QueueRunRow | undefined;
  }

  get(id: string): QueueRunRow | undefined {
    return this.getStmt.get(id) as QueueRunRow | undefined;
  }

  finish(id: string, status: 'succeeded' | 'failed' | 'cancelled', now: number, error: string | null, errorCode: string | null, history: AttemptRecord[]): void {
    const write = () => {
      this.finishStmt.run({ id, status, now, error, error_code: errorCode, history: JSON.stringify(history) });
      if (status === 'failed') this.onRunFailed?.(id, error, errorCode, now);
    };
    if (status === 'failed' && this.onRunFailed) this.db.transaction(write)();
    else write();
  }

  setStatus(id: string, status: RunStatus, fields: { error?: string | null; errorCode?: string | null; history?: AttemptRecord[]; pausedFrom?: string | null } = {}): void {
    this.setStatusStmt.run({
      id,
      status,
      error: fields.error ?? null,
      error_code: fields.errorCode ?? null,
      history: fields.history ? JSON.stringify(fields.history) : null,
      paused_from: fields.pausedFrom ?? null,
    });
  }

  retryWait(id: string, due: number, error: string | null, errorCode: string | null, history: AttemptRecord[]): void {
    this.retryWaitStmt.run({ id, due, error, error_code: errorCode, history: JSON.stringify(history) });
  }

  requeue(id: string, now: number, attempts: number, fields: { history?: AttemptRecord[]; error?: string | null; errorCode?: string | null; enqueuedAt?: number } = {}): void {
    this.requeueStmt.run({
      id,
      now,
      enqueued_at: fields.enqueuedAt ?? now,
      attempts,
      history: fields.history ? JSON.stringify(fields.history) : null,
      error: fields.error ?? null,
      error_code: fields.errorCode ?? null,
    });
  }

  promoteDue(now: number): { id: string; queue: string; priority: number }[] {
    return this.promoteDueStmt.all(now) as { id: string; queue: string; priority: number }[];
  }

  /** Which (queue, priority) levels hold queued runs now. */
  queuedLevels(): { queue: string; priority: number }[] {
    return this.db.prepare("select distinct queue, priority from runs where status = 'queued'").all() as { queue: string; priority: number }[];
  }

  nextDue(): number | null {
    return this.nextDueStmt.pluck().get() as number | null;
  }

  renewLeases(owner: string, until: number): number {
    return this.renewStmt.run(until, owner).changes;
  }

  expiredLeases(now: number): { id: string; lease_owner: string | null }[] {
    return this.expiredStmt.all(now) as { id: string; lease_owner: string | null }[];
  }

  runningWithLeaseOwner(): { queue: string; concurrency_tag: string | null; lease_owner: string | null }[] {
    return this.runningStmt.all() as { queue: string; concurrency_tag: string | null; lease_owner: string | null }[];
  }

  cancelRequested(owner: string): string[] {
    return this.cancelRequestedStmt.pluck().all(owner) as string[];
  }

  depths(): Map<string, number> {
    return new Map((this.depthStmt.all() as { queue: string; n: number }[]).map((r) => [r.queue, r.n]));
  }

  requestCancel(id: string): void {
    this.db.prepare('update runs set cancel_requested = 1 where id = ?').run(id);
  }
}

export function parseHistory(json: string | null): AttemptRecord[] {
  if (!json) return [];
  try {
    const v = JSON.parse(json) as unknown;
    return Array.isArray(v) ? (v as AttemptRecord[]) : [];
  } catch {
    return [];
  }
}

export function parsePolicy(json: string | null, fallback: RetryPolicy): RetryPolicy {
  if (!json) return fallback;
  try {
    return { ...fallback, ...(JSON.parse(json) as Partial<RetryPolicy>) };
  } catch {
    return fallback;
  }
}
