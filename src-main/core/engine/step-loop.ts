import type { StopReason } from '../queue';
import type { StepOutcome } from '../runs';
import { actionsOf, persistable, reasonOf, scopeOf, storedJson, whereFailed, type EngineOutcome, type EngineParts, type RunContext, type StepResult } from './run-context';
import type { ScopeData } from './scope';
import { execStep } from './step-exec';

/**
 * The step loop: runs the top-level steps from the resume point, and persists each step with the
 * run's resume point in one transaction as it ends (group-committed by the runs repository).
 */
export async function runSteps(e: EngineParts, rc: RunContext, start: number): Promise<EngineOutcome> {
  const { run, model } = rc;
  for (let i = start; i < model.steps.length; i++) {
    if (rc.signal.aborted) return stopped(e, rc, i, reasonOf(rc.signal));
    const step = model.steps[i]!;
    const startedAt = e.o.clock.now();
    e.o.bus?.publish('step.started', { runId: run.id, index: i, action: step.action });
    rc.observer?.stepStarted?.({ runId: run.id, index: i, action: step.action, id: step.id });
    // A step that takes a while shows as running; a quick one is written once, when it ends.
    // A step the journal marked as started keeps its mark (idempotent = 0) in this row.
    const unwatch = e.slowSteps.watch(() =>
      e.runs.recordStep({ runId: run.id, index: i, stepId: step.id ?? null, action: step.action, status: 'running', params: null, result: null, error: null, errorCode: null, attempt: 1, startedAt, finishedAt: null, durationMs: null, artifacts: [], ...(rc.marked.has(i) ? { idempotent: false } : {}) }),
    );
    let r: StepResult;
    try {
      r = await execStep(e, step, rc, scopeAt(e, rc), i);
    } finally {
      unwatch();
    }
    const finishedAt = e.o.clock.now();
    const artifacts = rc.artifacts.take();
    const stepId = step.id ?? null;

    if (r.status === 'suspended') {
      rc.state.approval = { request: r.approval };
      e.runs.recordStep(
        { runId: run.id, index: i, stepId, action: step.action, startedAt, artifacts, status: 'running', params: undefined, paramsJson: json(e, r.params), result: e.o.redactor.maskDeep({ waiting_for_approval: r.approval }), error: null, errorCode: null, attempt: 1, finishedAt: null, durationMs: null },
        { nextStep: i, state: persistable(e, rc) },
      );
      e.log.info('Run waits for an approval', { runId: run.id, step: i, expiresAt: r.approval.expires_at });
      rc.observer?.stepFinished?.({ runId: run.id, index: i, action: step.action, id: step.id, status: 'waiting_approval', durationMs: finishedAt - startedAt });
      e.runs.afterCommit(() => e.o.bus?.publish('step.finished', { runId: run.id, index: i, action: step.action, status: 'waiting_approval' }));
      return { status: 'waiting_approval', approval: r.approval };
    }

    const durationMs = finishedAt - startedAt;
    const outcome: StepOutcome =
      r.status === 'succeeded'
        ? { status: 'succeeded', id: step.id, result: r.result }
        : r.status === 'skipped'
          ? { status: 'skipped', id: step.id }
          : { status: 'failed', id: step.id, error: r.error.message, ...(r.result ? { result: r.result } : {}) };
    const error = r.status === 'failed' ? e.o.redactor.mask(r.error.message) : null;
    const stop = r.status === 'failed' && (r.aborted || !step.reserved.continue_on_error);
    rc.state.steps[i] = outcome;
    if (step.id) rc.ids.set(step.id, { outcome, action: step.action });
    // One literal per step row (a spread of shared fields cost a copy and its growth per step).
    e.runs.recordStep(
      {
        runId: run.id,
        index: i,
        stepId,
        action: step.action,
        startedAt,
        artifacts,
        status: r.status,
        // A skipped step stores `null` params; otherwise what rendered (SQL NULL when nothing did).
        params: r.status === 'skipped' ? null : undefined,
        paramsJson: r.status === 'skipped' ? undefined : json(e, r.params),
        result: null,
        resultJson: r.status === 'succeeded' || (r.status === 'failed' && r.result) ? json(e, (r as { result: unknown }).result) : undefined,
        error,
        errorCode: r.status === 'failed' ? r.error.code : null,
        attempt: r.status === 'skipped' ? 1 : r.attempt,
        finishedAt,
        durationMs,
      },
      { nextStep: stop ? i : i + 1, state: persistable(e, rc) },
    );
    rc.observer?.stepFinished?.({ runId: run.id, index: i, action: step.action, id: step.id, status: r.status, error: error ?? undefined, durationMs, result: r.status === 'succeeded' ? e.o.redactor.maskDeep(r.result) : undefined });
    const finished = error
      ? { runId: run.id, index: i, action: step.action, status: r.status, duration_ms: durationMs, error }
      : { runId: run.id, index: i, action: step.action, status: r.status, duration_ms: durationMs };
    e.runs.afterCommit(() => e.o.bus?.publish('step.finished', finished));

    if (r.status === 'failed') {
      // Stopped for shutdown inside a step that may have had its effect: not repeated on resume.
      if (r.aborted === 'shutdown' && rc.marked.has(i)) return interruptedDuring(e, rc, i);
      if (r.aborted) return stopped(e, rc, i, r.aborted);
      e.log.warn(`Step failed: steps[${i}] ${step.action}`, { runId: run.id, code: r.error.code, error: r.error.message });
      if (!stop) continue;
      return {
        status: 'failed',
        error: e.o.redactor.mask(whereFailed(i, step.action, r.error.message)),
        errorCode: r.error.code,
        retryable: r.error.retryable,
        failedStepIdempotent: r.idempotent,
        failedStep: i,
      };
    }
  }
  return { status: 'succeeded' };
}

/** A value as its step row stores it (undefined: nothing to store). */
function json(e: EngineParts, v: unknown): string | undefined {
  return v === undefined ? undefined : storedJson(e, v);
}

/** How a run stops when asked to (cancel, pause, shutdown, run timeout). */
function stopped(e: EngineParts, rc: RunContext, index: number, reason: StopReason): EngineOutcome {
  e.runs.saveProgress(rc.run.id, index, persistable(e, rc));
  switch (reason) {
    case 'pause':
      return { status: 'paused' };
    case 'shutdown':
      return { status: 'interrupted', error: 'interrupted by shutdown', errorCode: 'INTERRUPTED', retryable: true };
    case 'timeout':
      return { status: 'failed', error: `the run timed out${rc.timeoutMs ? ` after ${rc.timeoutMs} ms` : ''}`, errorCode: 'RUN_TIMEOUT', retryable: false };
    default:
      return { status: 'cancelled', error: `cancelled before steps[${index}] ${rc.model.steps[index]?.action ?? ''} finished`.trim(), errorCode: 'CANCELLED', retryable: false };
  }
}

function scopeAt(e: EngineParts, rc: RunContext): ScopeData {
  const base = scopeOf(e, rc.run, rc.variables);
  return { variables: base.variables, run: base.run, trigger: base.trigger, now: base.now, steps: rc.state.steps, actions: actionsOf(rc.model), ids: rc.ids };
}

/** A step with a possible side effect was cut off: the run fails rather than repeat it (SPEC section 14). */
function interruptedDuring(e: EngineParts, rc: RunContext, index: number): EngineOutcome {
  const step = rc.model.steps[index]!;
  e.runs.saveProgress(rc.run.id, index, persistable(e, rc));
  return {
    status: 'failed',
    error: `interrupted during steps[${index}] ${step.action}${step.id ? ` (${step.id})` : ''}: the app was shutting down; the step may have had its effect, so it is not repeated`,
    errorCode: 'INTERRUPTED',
    retryable: false,
    failedStep: index,
  };
}
