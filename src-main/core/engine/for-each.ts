import type { StepNode } from '@shared/dsl/template-model';
import type { StopReason } from '../queue';
import type { IterationSummary, LoopProgress } from '../runs';
import { ActionError, type ActionResult } from './action-types';
import { MAX_ITEM_JSON, abortError, bounded, invalidParams, persistable, reasonOf, whereFailed, type EngineParts, type RunContext, type StepResult } from './run-context';
import type { ScopeData } from './scope';
import { stepIdempotent } from './step-idempotency';

/** Runs one (nested) step; the step executor passes itself in, so for_each runs its body like any step. */
export type ExecStep = (step: StepNode, rc: RunContext, scope: ScopeData, top: number) => Promise<StepResult>;

/**
 * `for_each` over items (CSV rows): runs its body once per item, records progress per item so a
 * resumed or retried run never redoes an item that succeeded, and fails with a summary when
 * items failed.
 */
export async function execForEach(e: EngineParts, exec: ExecStep, step: StepNode, rc: RunContext, scope: ScopeData, top: number, rendered: Record<string, unknown>): Promise<StepResult> {
  const spec = e.registry.spec('for_each')!;
  const parsed = spec.params.safeParse({ ...rendered, steps: step.body ?? [] });
  const fail = (error: ActionError, result?: ActionResult, aborted?: StopReason): StepResult => ({ status: 'failed', error, params: rendered, result, idempotent: stepIdempotent(e.registry, step), attempt: 1, aborted });
  if (!parsed.success) return fail(invalidParams(parsed.error.issues));
  const p = parsed.data as { items: unknown[]; as: string; on_item_error: 'stop' | 'continue' };
  const outermost = !scope.loop;
  const resumed = outermost && rc.state.loop?.step === top ? rc.state.loop : undefined;
  const progress: LoopProgress = resumed ?? { step: top, done: [], iterations: [] };
  const done = new Set(progress.done);
  const failures: IterationSummary[] = [];
  const count = p.items.length;
  let stopped = false;
  const summarize = (): ActionResult => ({
    count,
    succeeded: progress.iterations.length,
    failed: failures.length,
    iterations: [...progress.iterations, ...failures].sort((a, b) => a.index - b.index),
  });

  for (let k = 0; k < count; k++) {
    // Items that succeeded in an earlier attempt of this run are not done again.
    if (done.has(k)) continue;
    // Between items is a safe point: a pause stops here too, and the run resumes with this item.
    if (rc.signal.aborted) return fail(abortError(reasonOf(rc.signal)), summarize(), reasonOf(rc.signal));
    const ids = new Map(scope.ids);
    const itemScope: ScopeData = {
      ...scope,
      ids,
      loop: { index: k, number: k + 1, count, first: k === 0, last: k === count - 1 },
      loopVars: { ...scope.loopVars, [p.as]: p.items[k] },
    };
    const summary: IterationSummary = { index: k, status: 'succeeded', steps: [] };
    for (const [j, b] of (step.body ?? []).entries()) {
      const r = await exec(b, rc, itemScope, top);
      if (r.status === 'suspended') return fail(new ActionError('INVALID_TEMPLATE', 'human_confirm cannot run inside for_each'));
      const entry: IterationSummary['steps'][number] = { ...(b.id ? { id: b.id } : {}), action: b.action, status: r.status };
      if (r.status === 'succeeded') entry.result = bounded(r.result, MAX_ITEM_JSON);
      if (r.status === 'failed') entry.error = e.o.redactor.mask(r.error.message);
      summary.steps.push(entry);
      if (r.status === 'failed') {
        if (r.aborted) return fail(r.error, summarize(), r.aborted);
        if (b.id) ids.set(b.id, { outcome: { status: 'failed', id: b.id, error: r.error.message }, action: b.action });
        if (b.reserved.continue_on_error) continue;
        summary.status = 'failed';
        summary.error = `item ${k + 1} of ${count}: ${whereFailed(j, b.action, entry.error!)}`;
        break;
      }
      if (b.id) ids.set(b.id, { outcome: r.status === 'succeeded' ? { status: 'succeeded', id: b.id, result: r.result } : { status: 'skipped', id: b.id }, action: b.action });
    }
    if (summary.status === 'succeeded') {
      progress.iterations.push(summary);
      progress.done.push(k);
    } else failures.push(summary);
    rc.observer?.itemFinished?.({ runId: rc.run.id, index: top, item: k, count, status: summary.status, error: summary.error });
    if (outermost) {
      // Saved per item: a resumed or retried run never redoes an item that succeeded.
      rc.state.loop = progress;
      e.runs.saveProgress(rc.run.id, top, persistable(e, rc));
    }
    if (summary.status === 'failed' && p.on_item_error === 'stop') {
      stopped = true;
      break;
    }
  }
  const result = summarize();
  if (failures.length) {
    // The progress stays with the run, so a retry runs only the items that did not succeed.
    return fail(
      new ActionError(
        'ITEM_FAILED',
        stopped ? `for_each stopped at ${failures[0]!.error}` : `for_each: ${failures.length} of ${count} item(s) failed; first: ${failures[0]!.error}`,
      ),
      result,
    );
  }
  if (outermost) delete rc.state.loop;
  return { status: 'succeeded', result, params: rendered, attempt: 1 };
}

