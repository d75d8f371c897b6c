import { AppError } from '../kernel/errors';
import { parseObject, type RunRow, type RunSubject } from './run-row';
import { parseState, type ApprovalDecision, type ApprovalRequest, type RunState, type StepOutcome } from './run-state';

/** A run as the engine executes it. */
export interface ExecutableRun extends RunSubject {
  triggerData: Record<string, unknown>;
  status: string;
  attempts: number;
  nextStep: number;
  state: RunState;
  timeoutMs: number | null;
}

/**
 * The engine's view of a stored run (both backends): the state from `state_json`, with the results
 * of the steps before the resume point read back from their rows (`outcomes`, when next_step > 0).
 */
export function executableRunOf(r: RunRow, yaml: string, outcomes: () => (StepOutcome | null)[]): ExecutableRun {
  const state = parseState(r.state_json);
  if (r.next_step > 0) state.steps = outcomes();
  return {
    id: r.id,
    template: r.template,
    templateHash: r.template_hash,
    templateYaml: yaml,
    variables: parseObject(r.variables_json),
    trigger: r.trigger,
    triggerData: parseObject(r.trigger_json),
    requestedBy: r.requested_by,
    dryRun: r.dry_run === 1,
    status: r.status,
    attempts: r.attempts,
    nextStep: r.next_step,
    state,
    timeoutMs: r.timeout_ms,
  };
}

/** The approval a stored run waits for and nobody decided yet, if any. */
export function undecidedApproval(row: Pick<RunRow, 'state_json'> | undefined): ApprovalRequest | undefined {
  const approval = row && parseState(row.state_json).approval;
  return approval && !approval.decision ? approval.request : undefined;
}

/**
 * The run's state with the decision on its approval, or why it cannot take one: NOT_FOUND,
 * CONFLICT (the run does not wait for an approval), ALREADY_DECIDED.
 */
export function stateWithDecision(runId: string, row: Pick<RunRow, 'status' | 'state_json'> | undefined, decision: ApprovalDecision): RunState {
  if (!row) throw new AppError('NOT_FOUND', `Run ${runId} not found`);
  const state = parseState(row.state_json);
  const approval = state.approval;
  if (row.status !== 'waiting_approval' || !approval) throw new AppError('CONFLICT', `Run ${runId} is ${row.status}, not waiting for an approval`);
  if (approval.decision) throw new AppError('ALREADY_DECIDED', `The approval of run ${runId} was already decided (${approval.decision.outcome})`);
  return { ...state, approval: { ...approval, decision } };
}
