import type { RiskLevel } from '@shared/config';

/** A file a step left in `<data-dir>/artifacts/<run_id>/`, as stored with its step row. */
export interface ArtifactRef {
  /** File name inside `<data-dir>/artifacts/<run_id>/`. */
  name: string;
  contentType: string;
  bytes: number;
  /** What kind of thing it is: screenshot, download, mail draft, dom schema, report... */
  kind: string;
  /** A secret in the text was replaced by `***` before the file was written. */
  masked?: true;
}

/**
 * What a run carries from one step to the next, persisted with `runs.next_step` after every
 * step so that a run can resume (after an approval, a pause, a crash or a retry) at `next_step`
 * with the results of the steps before it (from run_steps) and its scratch (from
 * `runs.state_json`). Stored masked: a secret never reaches the database, so a resumed run reads
 * `***` where an earlier result contained one.
 */
export interface RunState {
  v: 1;
  /**
   * Per top-level step index: how it ended and its result (null: not run yet). Kept in memory;
   * stored as [] because run_steps holds the same (RunStore.load reads it back).
   */
  steps: (StepOutcome | null)[];
  /** Plain-data scratch shared by steps (file selection, pending renames, the mail draft). */
  scratch: Record<string, unknown>;
  /** A `human_confirm` the run is waiting on (and, once decided, the decision). */
  approval?: ApprovalState;
  /** Progress of a for_each, so a resumed run does not redo finished items. */
  loop?: LoopProgress;
}

export interface StepOutcome {
  status: 'succeeded' | 'failed' | 'skipped';
  id?: string;
  result?: Record<string, unknown>;
  error?: string;
}

/** The step of an approval asked before the first step (the pre-run risk check). */
export const PRE_RUN_STEP = -1;

export interface ApprovalRequest {
  /** Top-level index of the human_confirm step, or PRE_RUN_STEP. */
  step: number;
  step_id?: string;
  message: string;
  details?: string;
  risk_level: RiskLevel;
  required_role: string;
  auto_action: 'deny' | 'approve' | 'fail';
  timeout_ms: number;
  requested_at: string;
  expires_at: string;
}

export interface ApprovalDecision {
  outcome: 'approved' | 'denied' | 'timed_out';
  by?: string | null;
  comment?: string | null;
  at: string;
}

export interface ApprovalState {
  request: ApprovalRequest;
  decision?: ApprovalDecision;
}

export interface IterationSummary {
  index: number;
  status: 'succeeded' | 'failed';
  error?: string;
  steps: { id?: string; action: string; status: string; result?: unknown; error?: string }[];
}

export interface LoopProgress {
  /** Top-level index of the for_each step. */
  step: number;
  /** Indexes of the items that succeeded (a resumed or retried run skips them). */
  done: number[];
  /** Their summaries. */
  iterations: IterationSummary[];
}

export function emptyState(): RunState {
  return { v: 1, steps: [], scratch: {} };
}

export function parseState(json: string | null | undefined): RunState {
  if (!json) return emptyState();
  try {
    const v = JSON.parse(json) as Partial<RunState>;
    if (v && v.v === 1 && Array.isArray(v.steps) && v.scratch && typeof v.scratch === 'object') return v as RunState;
  } catch {
    // A damaged state cannot be resumed from; the caller starts over from next_step with no results.
  }
  return emptyState();
}
