import type { WriteBatcher } from '../db/write-batcher';
import type { Database, Statement } from 'better-sqlite3';
import { AppError } from '../kernel/errors';
import type { FailureRecord, FailureSink } from './failure-sink';
import { parseState, type ApprovalDecision, type ArtifactRef, type ApprovalRequest, type RunState, type StepOutcome } from './run-state';

/**
 * The run repository the engine (and the queue, the CLI and HITL) use for what the engine owns:
 * loading a run for execution, writing each step as it goes (with the run's resume point in the
 * same transaction), inserting local runs, artifacts and approval decisions. Status transitions
 * of queued runs belong to the queue (src-main/core/queue).
 */

export interface ExecutableRun {
  id: string;
  template: string;
  templateHash: string;
  templateYaml: string;
  variables: Record<string, unknown>;
  trigger: string;
  triggerData: Record<string, unknown>;
  requestedBy: string | null;
  dryRun: boolean;
  status: string;
  attempts: number;
  nextStep: number;
  state: RunState;
  timeoutMs: number | null;
}

export interface StepRecord {
  runId: string;
  index: number;
  stepId: string | null;
  action: string;
  status: 'pending' | 'running' | 'succeeded' | 'failed' | 'skipped';
  /** Rendered params, masked. */
  params: unknown;
  /** Result, masked. */
  result: unknown;
  error: string | null;
  errorCode: string | null;
  attempt: number;
  startedAt: number | null;
  finishedAt: number | null;
  durationMs: number | null;
  artifacts: ArtifactRef[];
}

export interface NewLocalRun {
  id: string;
  template: string;
  templateHash: string;
  templateYaml: string;
  variables: Record<string, unknown>;
  trigger: string;
  triggerData?: Record<string, unknown>;
  requestedBy: string | null;
  queue?: string;
  priority?: number;
  concurrencyTag?: string | null;
  dryRun: boolean;
  /** `running` for a run executed at once by this process (the CLI). */
  status: 'queued' | 'running';
  now: number;
  timeoutMs?: number | null;
  leaseOwner?: string | null;
  leaseExpiresAt?: number | null;
}

interface RunRow {
  id: string;
  template: string;
  template_hash: string;
  template_yaml: string;
  variables_json: string;
  trigger: string;
  trigger_json: string;
  requested_by: string | null;
  dry_run: number;
  status: string;
  attempts: number;
  next_step: number;
  state_json: string | null;
  timeout_ms: number | null;
}

const json = (text: string | null, fallback: Record<string, unknown>): Record<string, unknown> => {
  if (!text) return fallback;
  try {
    const v = JSON.parse(text) as unknown;
    return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : fallback;
  } catch {
    return fallback;
  }
};

export class RunStore {
  private readonly loadStmt: Statement<[string]>;
  private readonly upsertStepStmt: Statement;
  private readonly progressStmt: Statement;
  private readonly insertStmt: Statement;
  private readonly finishStmt: Statement;
  private readonly leaseStmt: Statement;
  private readonly stepsStmt: Statement<[string]>;
  private readonly outcomesStmt: Statement<[string, number]>;
  private readonly contentStmt: Statement<[string, string]>;

  /** With a batcher, step writes are group-committed (see db/write-batcher.ts); without, immediate. */
  private readonly templateStmt: Statement<[string]>;
  private readonly failedStepStmt: Statement<[string]>;

  /** failures: told of each failed step and step-less run failure, in the same transaction. */
  constructor(
    readonly db: Database,
    private readonly writes?: WriteBatcher,
    private readonly failures?: FailureSink,
  ) {
    this.templateStmt = db.prepare('select template from runs where id = ?');
    this.failedStepStmt = db.prepare("select 1 from run_steps where run_id = ? and status = 'failed' limit 1");
    this.loadStmt = db.prepare(`select r.id, r.template, r.template_hash, c.yaml as template_yaml, r.variables_json, r.trigger, r.trigger_json,
      r.requested_by, r.dry_run, r.status, r.attempts, r.next_step, r.state_json, r.timeout_ms
      from runs r join template_contents c on c.hash = r.template_hash where r.id = ?`);
    this.contentStmt = db.prepare('insert or ignore into template_contents(hash, yaml) values (?, ?)');
    this.upsertStepStmt = db.prepare(`insert into run_steps (run_id, idx, step_id, action, status, params_json, result_json, error, error_code,
        attempt, started_at, finished_at, duration_ms, artifacts_json)
      values (@run_id, @idx, @step_id, @action, @status, @params_json, @result_json, @error, @error_code,
        @attempt, @started_at, @finished_at, @duration_ms, @artifacts_json)
      on conflict(run_id, idx) do update set step_id = excluded.step_id, action = excluded.action, status = excluded.status,
        params_json = excluded.params_json, result_json = excluded.result_json, error = excluded.error, error_code = excluded.error_code,
        attempt = excluded.attempt, started_at = excluded.started_at, finished_at = excluded.finished_at,
        duration_ms = excluded.duration_ms, artifacts_json = excluded.artifacts_json`);
    this.progressStmt = db.prepare('update runs set next_step = @next_step, state_json = @state_json where id = @id');
    this.insertStmt = db.prepare(`insert into runs (id, template, template_hash, variables_json, trigger, trigger_json, requested_by,
        queue, priority, concurrency_tag, dry_run, status, attempts, available_at, enqueued_at, created_at, started_at, timeout_ms,
        lease_owner, lease_expires_at)
      values (@id, @template, @template_hash, @variables_json, @trigger, @trigger_json, @requested_by,
        @queue, @priority, @concurrency_tag, @dry_run, @status, @attempts, @now, @now, @now, @started_at, @timeout_ms,
        @lease_owner, @lease_expires_at)`);
    this.finishStmt = db.prepare(`update runs set status = @status, finished_at = @finished_at, error = @error, error_code = @error_code,
        lease_owner = null, lease_expires_at = null, attempt_history_json = @history where id = @id`);
    this.leaseStmt = db.prepare('update runs set lease_expires_at = ? where id = ? and lease_owner = ?');
    this.outcomesStmt = db.prepare(`select idx, step_id, status, result_json, error from run_steps where run_id = ? and idx < ? and status in ('succeeded', 'failed', 'skipped') order by idx`);
    this.stepsStmt = db.prepare('select idx, step_id, action, status, error, error_code, duration_ms, artifacts_json from run_steps where run_id = ? order by idx');
  }

  /** The run as the engine needs it, or undefined. */
  load(runId: string): ExecutableRun | undefined {
    if (this.writes?.hasPending(runId)) this.writes.flush();
    const r = this.loadStmt.get(runId) as RunRow | undefined;
    if (!r) return undefined;
    const state = parseState(r.state_json);
    // Results of the steps before the resume point are read back from their rows.
    if (r.next_step > 0) state.steps = this.outcomesBefore(runId, r.next_step);
    return {
      id: r.id,
      template: r.template,
      templateHash: r.template_hash,
      templateYaml: r.template_yaml,
      variables: json(r.variables_json, {}),
      trigger: r.trigger,
      triggerData: json(r.trigger_json, {}),
      requestedBy: r.requested_by,
      dryRun: r.dry_run === 1,
      status: r.status,
      attempts: r.attempts,
      nextStep: r.next_step,
      state,
      timeoutMs: r.timeout_ms,
    };
  }

  private outcomesBefore(runId: string, nextStep: number): (StepOutcome | null)[] {
    const out: (StepOutcome | null)[] = [];
    for (const row of this.outcomesStmt.all(runId, nextStep) as { idx: number; step_id: string | null; status: StepOutcome['status']; result_json: string | null; error: string | null }[]) {
      out[row.idx] = {
        status: row.status,
        ...(row.step_id ? { id: row.step_id } : {}),
        ...(row.result_json ? { result: json(row.result_json, {}) } : {}),
        ...(row.error ? { error: row.error } : {}),
      };
    }
    for (let i = 0; i < out.length; i++) out[i] ??= null;
    return out;
  }

  /** Writes a step row; with `progress`, moves the run's resume point in the same transaction. */
  recordStep(step: StepRecord, progress?: { nextStep: number; state: RunState }): void {
    const row = {
      run_id: step.runId,
      idx: step.index,
      step_id: step.stepId,
      action: step.action,
      status: step.status,
      params_json: step.params === undefined ? null : JSON.stringify(step.params),
      result_json: step.result === undefined || step.result === null ? null : JSON.stringify(step.result),
      error: step.error,
      error_code: step.errorCode,
      attempt: step.attempt,
      started_at: step.startedAt,
      finished_at: step.finishedAt,
      duration_ms: step.durationMs,
      artifacts_json: JSON.stringify(step.artifacts),
    };
    const progressRow = progress && { id: step.runId, next_step: progress.nextStep, state_json: JSON.stringify(progress.state) };
    const failed = step.status === 'failed' && this.failures;
    this.write(step.runId, () => {
      this.upsertStepStmt.run(row);
      if (failed) this.reportFailure(step.runId, { stepIndex: step.index, action: step.action, message: step.error ?? '', code: step.errorCode, at: step.finishedAt ?? step.startedAt ?? 0 });
      if (progressRow) this.progressStmt.run(progressRow);
    });
  }

  saveProgress(runId: string, nextStep: number, state: RunState): void {
    const row = { id: runId, next_step: nextStep, state_json: JSON.stringify(state) };
    this.write(runId, () => this.progressStmt.run(row));
  }

  /** Runs fn once this store's writes so far are committed (events announce only what is on disk). */
  afterCommit(fn: () => void): void {
    if (this.writes) this.writes.afterCommit(fn);
    else fn();
  }

  /** Commits pending step writes now (before reading them back). */
  flush(): void {
    this.writes?.flush();
  }

  private write(runId: string, fn: () => void): void {
    if (this.writes) this.writes.defer(fn, runId);
    else this.db.transaction(fn)();
  }

  /** Inserts a run (the CLI's local runs start `running` and are finished with `finish`). */
  insert(run: NewLocalRun): void {
    this.contentStmt.run(run.templateHash, run.templateYaml);
    this.insertStmt.run({
      id: run.id,
      template: run.template,
      template_hash: run.templateHash,
      variables_json: JSON.stringify(run.variables),
      trigger: run.trigger,
      trigger_json: JSON.stringify({ type: run.trigger.split(':')[0], ...run.triggerData }),
      requested_by: run.requestedBy,
      queue: run.queue ?? 'default',
      priority: run.priority ?? 5,
      concurrency_tag: run.concurrencyTag ?? null,
      dry_run: run.dryRun ? 1 : 0,
      status: run.status,
      attempts: run.status === 'running' ? 1 : 0,
      now: run.now,
      started_at: run.status === 'running' ? run.now : null,
      timeout_ms: run.timeoutMs ?? null,
      lease_owner: run.leaseOwner ?? null,
      lease_expires_at: run.leaseExpiresAt ?? null,
    });
  }

  /** Ends a run this process executed itself (the queue finishes the runs it dispatched). */
  finish(runId: string, status: string, at: number, error: string | null, errorCode: string | null, startedAt: number): void {
    this.writes?.flush();
    const history = [{ attempt: 1, started_at: new Date(startedAt).toISOString(), finished_at: new Date(at).toISOString(), status, error, error_code: errorCode }];
    const final = ['succeeded', 'failed', 'cancelled'].includes(status);
    this.db.transaction(() => {
      this.finishStmt.run({ id: runId, status, finished_at: final ? at : null, error, error_code: errorCode, history: JSON.stringify(history) });
      if (status === 'failed') this.reportRunFailure(runId, error, errorCode, at);
    })();
  }

  /** A run that fails with no failed step (its step failures were reported as they happened). */
  reportRunFailure(runId: string, error: string | null, errorCode: string | null, at: number): void {
    if (!this.failures || this.failedStepStmt.get(runId)) return;
    this.reportFailure(runId, { stepIndex: null, action: null, message: error ?? errorCode ?? 'failed', code: errorCode, at });
  }

  private reportFailure(runId: string, f: Omit<FailureRecord, 'runId' | 'template'>): void {
    const template = (this.templateStmt.get(runId) as { template: string } | undefined)?.template ?? null;
    this.failures!.record({ runId, template, ...f });
  }

  renewLease(runId: string, owner: string, until: number): void {
    this.leaseStmt.run(until, runId, owner);
  }

  steps(runId: string): { idx: number; step_id: string | null; action: string; status: string; error: string | null; error_code: string | null; duration_ms: number | null; artifacts: ArtifactRef[] }[] {
    this.writes?.flush();
    return (this.stepsStmt.all(runId) as { idx: number; step_id: string | null; action: string; status: string; error: string | null; error_code: string | null; duration_ms: number | null; artifacts_json: string }[]).map(
      ({ artifacts_json, ...s }) => ({ ...s, artifacts: JSON.parse(artifacts_json) as ArtifactRef[] }),
    );
  }

  /** Every artifact of a run, with the step that made it. */
  artifacts(runId: string): (ArtifactRef & { step: number })[] {
    this.writes?.flush();
    return this.steps(runId).flatMap((s) => s.artifacts.map((a) => ({ ...a, step: s.idx })));
  }

  /** The approval a waiting run asks for, if any (HITL reads this to build its request). */
  pendingApproval(runId: string): ApprovalRequest | undefined {
    this.writes?.flush();
    const run = this.load(runId);
    const approval = run?.state.approval;
    return approval && !approval.decision ? approval.request : undefined;
  }

  /**
   * Records the decision on a waiting run's approval. The run then goes back to the queue
   * (`queue.requeueWaiting`): the engine continues with the next step when approved, and fails
   * the step with `denied by <user>` when denied (or applies auto_action on a timeout).
   */
  recordApprovalDecision(runId: string, decision: ApprovalDecision): void {
    this.writes?.flush();
    this.db.transaction(() => {
      const run = this.load(runId);
      if (!run) throw new AppError('NOT_FOUND', `Run ${runId} not found`);
      const approval = run.state.approval;
      if (run.status !== 'waiting_approval' || !approval) throw new AppError('CONFLICT', `Run ${runId} is ${run.status}, not waiting for an approval`);
      if (approval.decision) throw new AppError('ALREADY_DECIDED', `The approval of run ${runId} was already decided (${approval.decision.outcome})`);
      // Written at once (not group-committed): the decision must be on disk before the run is re-queued.
      this.progressStmt.run({ id: runId, next_step: run.nextStep, state_json: JSON.stringify({ ...run.state, approval: { ...approval, decision } }) });
    })();
  }
}
