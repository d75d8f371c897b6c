import type { Database, Statement } from 'better-sqlite3';
import type { ArtifactRef } from './run-state';
import { parseObject } from './run-row';
import type { RunState, StepOutcome } from './run-state';

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
  /** The params (or result) as their JSON text already, bounded and masked: stored instead of `params` (`result`). */
  paramsJson?: string;
  resultJson?: string;
  error: string | null;
  errorCode: string | null;
  attempt: number;
  startedAt: number | null;
  finishedAt: number | null;
  durationMs: number | null;
  artifacts: ArtifactRef[];
  /** Is repeating this step harmless (see the step journal in run-repository.ts); undefined: not recorded. */
  idempotent?: boolean;
}

/** A run's resume point as written: the next step and the state to resume with. */
export interface ProgressRow {
  id: string;
  next_step: number;
  state_json: string;
}

/** A step the journal shows as started and not finished: what recovery decides on. */
export interface StartedStep {
  index: number;
  action: string;
  stepId: string | null;
  /** False when the step may have had a side effect that must not happen twice. */
  idempotent: boolean | null;
}

/**
 * The run's journal: `run_steps` rows and the run's resume point (`next_step`, `state_json`),
 * written as the engine goes. Statements only; the repository decides when they commit.
 */
export class RunJournal {
  private readonly upsertStepStmt: Statement;
  private readonly progressStmt: Statement;
  private readonly outcomesStmt: Statement<[string, number]>;
  private readonly startedStmt: Statement<[string]>;

  constructor(db: Database) {
    this.upsertStepStmt = db.prepare(stepUpsertSql(() => '?'));
    this.progressStmt = db.prepare('update runs set next_step = @next_step, state_json = @state_json where id = @id');
    this.outcomesStmt = db.prepare(`select idx, step_id, status, result_json, error from run_steps where run_id = ? and idx < ? and status in ('succeeded', 'failed', 'skipped') order by idx`);
    this.startedStmt = db.prepare(`select s.idx, s.action, s.step_id, s.idempotent from run_steps s join runs r on r.id = s.run_id
      where s.run_id = ? and s.idx = r.next_step and s.status = 'running'`);
  }

  /** The statements of a step write (and, with progress, the resume point): run them in one transaction. */
  stepWrite(step: StepRecord, progress?: { nextStep: number; state: RunState }): () => void {
    // Positional, in the column order above: binding an object looks every name up on it, for every step.
    const values = stepValues(step);
    const progressRow = progress && this.progressRow(step.runId, progress.nextStep, progress.state);
    return () => {
      this.upsertStepStmt.run(values);
      if (progressRow) this.progressStmt.run(progressRow);
    };
  }

  /**
   * A step write in two parts, for a run that ends with it: the step row alone, and the resume
   * point as values, which the run's end writes in its own UPDATE (one statement, same transaction).
   */
  stepParts(step: StepRecord, progress: { nextStep: number; state: RunState }): { step: () => void; progress: ProgressRow; whole: () => void } {
    const write = this.stepWrite(step);
    const progressRow = this.progressRow(step.runId, progress.nextStep, progress.state);
    return {
      step: write,
      progress: progressRow,
      whole: () => {
        write();
        this.progressStmt.run(progressRow);
      },
    };
  }

  progressWrite(runId: string, nextStep: number, state: RunState): () => void {
    const row = this.progressRow(runId, nextStep, state);
    return () => this.progressStmt.run(row);
  }

  private progressRow(id: string, nextStep: number, state: RunState): ProgressRow {
    return { id, next_step: nextStep, state_json: JSON.stringify(state) };
  }

  /** Results of the steps before the resume point, read back from their rows. */
  outcomesBefore(runId: string, nextStep: number): (StepOutcome | null)[] {
    return outcomesOf(this.outcomesStmt.all(runId, nextStep) as OutcomeRow[]);
  }

  /** The step at the run's resume point when the journal shows it started and not finished. */
  startedAtResumePoint(runId: string): StartedStep | undefined {
    const r = this.startedStmt.get(runId) as StartedRow | undefined;
    return r && startedStepOf(r);
  }
}

const STEP_COLUMNS = ['run_id', 'idx', 'step_id', 'action', 'status', 'params_json', 'result_json', 'error', 'error_code', 'attempt', 'started_at', 'finished_at', 'duration_ms', 'artifacts_json', 'idempotent'];

/**
 * The journal's step write, for either backend (`param(i)`: its i-th placeholder, from 1): a step
 * recorded again (a retry, the end of a step marked started) replaces its row, so a step is one row.
 */
export function stepUpsertSql(param: (i: number) => string): string {
  const updates = STEP_COLUMNS.slice(2).map((c) => `${c} = excluded.${c}`);
  return `insert into run_steps (${STEP_COLUMNS.join(', ')}) values (${STEP_COLUMNS.map((_, i) => param(i + 1)).join(', ')})
    on conflict(run_id, idx) do update set ${updates.join(', ')}`;
}

/** A step row's values in the journal's column order (run_id … idempotent), for either backend. */
export function stepValues(step: StepRecord): unknown[] {
  return [
    step.runId,
    step.index,
    step.stepId,
    step.action,
    step.status,
    step.paramsJson ?? (step.params === undefined ? null : JSON.stringify(step.params)),
    step.resultJson ?? (step.result === undefined || step.result === null ? null : JSON.stringify(step.result)),
    step.error,
    step.errorCode,
    step.attempt,
    step.startedAt,
    step.finishedAt,
    step.durationMs,
    step.artifacts.length ? JSON.stringify(step.artifacts) : '[]',
    step.idempotent === undefined ? null : step.idempotent ? 1 : 0,
  ];
}

/** A stored step's outcome as the engine's state carries it. */
export interface OutcomeRow {
  idx: number;
  step_id: string | null;
  status: StepOutcome['status'];
  result_json: string | null;
  error: string | null;
}

/** Outcomes by step index (null where no finished row), from rows ordered by idx. */
export function outcomesOf(rows: readonly OutcomeRow[]): (StepOutcome | null)[] {
  const out: (StepOutcome | null)[] = [];
  for (const row of rows) {
    out[row.idx] = {
      status: row.status,
      ...(row.step_id ? { id: row.step_id } : {}),
      ...(row.result_json ? { result: parseObject(row.result_json) } : {}),
      ...(row.error ? { error: row.error } : {}),
    };
  }
  for (let i = 0; i < out.length; i++) out[i] ??= null;
  return out;
}

/** The journal's started-not-finished row; `idempotent` is 0/1 on SQLite and a boolean on PostgreSQL. */
export interface StartedRow {
  idx: number;
  action: string;
  step_id: string | null;
  idempotent: number | boolean | null;
}

export function startedStepOf(r: StartedRow): StartedStep {
  return { index: r.idx, action: r.action, stepId: r.step_id, idempotent: r.idempotent === null ? null : r.idempotent === 1 || r.idempotent === true };
}
