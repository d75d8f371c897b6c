import type { Database, Statement } from 'better-sqlite3';
import type { RunStatus } from '@shared/domain/runs';
import type { ProgressRow } from './run-journal';
import type { AttemptRecord } from './run-row';

/**
 * How an attempt of a run ends, as one unit of work. `finish` ends the run (succeeded, failed,
 * cancelled); `retry_wait` schedules the next attempt; `park` leaves it waiting for a person
 * (paused, waiting_approval); `requeue` puts it back in line (a shutdown, a decided approval, a
 * resume); `interrupt` is crash recovery's: the run is marked interrupted and then re-queued or
 * failed, in the same transaction.
 */
export type Settlement =
  | { kind: 'finish'; status: 'succeeded' | 'failed' | 'cancelled'; now: number; error: string | null; errorCode: string | null; history: AttemptRecord[] }
  | { kind: 'retry_wait'; due: number; error: string | null; errorCode: string | null; history: AttemptRecord[] }
  | { kind: 'defer'; due: number; attempts: number; error: string | null; errorCode: string | null }
  | { kind: 'park'; status: Extract<RunStatus, 'paused' | 'waiting_approval'>; history?: AttemptRecord[]; pausedFrom?: string | null }
  | { kind: 'requeue'; now: number; attempts: number; enqueuedAt: number; history?: AttemptRecord[]; error?: string | null; errorCode?: string | null }
  | { kind: 'interrupt'; now: number; reason: string; history: AttemptRecord[]; then: { requeue: true; attempts: number; enqueuedAt: number } | { requeue: false; error: string } };

/**
 * A run whose step records were lost (a write failed: disk full, read-only database) is not
 * recorded as succeeded: nobody could tell what it did. It fails with the cause instead.
 */
export function honestSettlement(s: Settlement, lost: string | undefined): Settlement {
  if (lost === undefined || s.kind !== 'finish' || s.status !== 'succeeded') return s;
  const error = `its step records could not be written (${lost}), so what it did is not known; check its effects before running it again`;
  const history = s.history.map((a, i) => (i === s.history.length - 1 ? { ...a, status: 'failed', error, error_code: 'STORAGE_ERROR' } : a));
  return { kind: 'finish', status: 'failed', now: s.now, error, errorCode: 'STORAGE_ERROR', history };
}

/** Recording how attempts end. Every run failure is written by `apply` (one place to hook into). */
export class RunSettlements {
  private readonly finishStmt: Statement;
  private readonly finishWithProgressStmt: Statement;
  private readonly parkStmt: Statement;
  private readonly retryWaitStmt: Statement;
  private readonly deferStmt: Statement;
  private readonly requeueStmt: Statement;
  private readonly interruptStmt: Statement;

  constructor(db: Database) {
    // Positional (the end of every run): binding an object looks every name up on it.
    this.finishStmt = db.prepare(`update runs set status = ?, finished_at = ?, error = ?, error_code = ?,
        lease_owner = null, lease_expires_at = null, attempt_history_json = ? where id = ?`);
    this.finishWithProgressStmt = db.prepare(`update runs set status = ?, finished_at = ?, error = ?, error_code = ?,
        lease_owner = null, lease_expires_at = null, attempt_history_json = ?, next_step = ?, state_json = ? where id = ?`);
    this.parkStmt = db.prepare(`update runs set status = @status, error = null, error_code = null,
        lease_owner = null, lease_expires_at = null, attempt_history_json = coalesce(@history, attempt_history_json),
        paused_from = @paused_from where id = @id`);
    this.retryWaitStmt = db.prepare(`update runs set status = 'retry_wait', available_at = @due, error = @error, error_code = @error_code,
        lease_owner = null, lease_expires_at = null, attempt_history_json = @history where id = @id`);
    // No attempt ran before this one (attempts back to 0): the run has not started yet.
    this.deferStmt = db.prepare(`update runs set status = 'retry_wait', available_at = @due, error = @error, error_code = @error_code,
        lease_owner = null, lease_expires_at = null, attempts = @attempts, started_at = case when @attempts = 0 then null else started_at end
        where id = @id`);
    this.requeueStmt = db.prepare(`update runs set status = 'queued', available_at = @now, enqueued_at = @enqueued_at,
        lease_owner = null, lease_expires_at = null, attempts = @attempts, attempt_history_json = coalesce(@history, attempt_history_json),
        error = @error, error_code = @error_code, paused_from = null where id = @id`);
    this.interruptStmt = db.prepare(`update runs set status = 'interrupted', error = @error, error_code = 'INTERRUPTED',
        lease_owner = null, lease_expires_at = null, attempt_history_json = @history where id = @id`);
  }

  /**
   * Applies one settlement; call inside a transaction (the repository does). `progress`: the
   * resume point of the run's last step, written by the same UPDATE as its end.
   */
  apply(id: string, s: Settlement, progress?: ProgressRow): void {
    switch (s.kind) {
      case 'finish': {
        const history = JSON.stringify(s.history);
        if (progress) this.finishWithProgressStmt.run(s.status, s.now, s.error, s.errorCode, history, progress.next_step, progress.state_json, id);
        else this.finishStmt.run(s.status, s.now, s.error, s.errorCode, history, id);
        return;
      }
      case 'retry_wait':
        this.retryWaitStmt.run({ id, due: s.due, error: s.error, error_code: s.errorCode, history: JSON.stringify(s.history) });
        return;
      case 'defer':
        this.deferStmt.run({ id, due: s.due, error: s.error, error_code: s.errorCode, attempts: s.attempts });
        return;
      case 'park':
        this.parkStmt.run({ id, status: s.status, history: s.history ? JSON.stringify(s.history) : null, paused_from: s.pausedFrom ?? null });
        return;
      case 'requeue':
        this.requeueStmt.run({
          id,
          now: s.now,
          enqueued_at: s.enqueuedAt,
          attempts: s.attempts,
          history: s.history ? JSON.stringify(s.history) : null,
          error: s.error ?? null,
          error_code: s.errorCode ?? null,
        });
        return;
      case 'interrupt': {
        const history = JSON.stringify(s.history);
        this.interruptStmt.run({ id, error: s.reason, history });
        if (s.then.requeue) {
          this.requeueStmt.run({ id, now: s.now, enqueued_at: s.then.enqueuedAt, attempts: s.then.attempts, history, error: s.reason, error_code: 'INTERRUPTED' });
        } else {
          this.finishStmt.run('failed', s.now, s.then.error, 'INTERRUPTED', history, id);
        }
      }
    }
  }
}
