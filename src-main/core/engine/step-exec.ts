import { ExpressionError, truthy } from '@shared/dsl/expression';
import type { ActionSpec } from '@shared/dsl/action-spec';
import type { StepNode } from '@shared/dsl/template-model';
import type { StopReason } from '../queue';
import { ActionError, type ActionDef, type ActionResult } from './action-types';
import { StepActionContext } from './action-context';
import { AttemptStop } from './attempt-stop';
import { toActionError } from './errors';
import { execForEach } from './for-each';
import { execConfirm } from './human-confirm';
import { abortError, ownsTimeout, reasonOf, type EngineParts, type RunContext, type StepResult } from './run-context';
import { makeLookup, render, type ScopeData } from './scope';
import { evaluateWhen } from './secret-values';
import { stepIdempotent } from './step-idempotency';
import { resolveStepSecrets, stepSecretRefs } from './step-secrets';

/**
 * Actions that read `timeout_ms` themselves get this much longer before the step is cut off: a
 * safety net only. Their own timeout (e.g. navigation) excludes work before it, such as starting
 * Chromium, which took over 5 s on a loaded machine and turned NETWORK_TIMEOUT into STEP_TIMEOUT.
 */
const OWN_TIMEOUT_GRACE_MS = 30_000;
/** How long a screenshot after a step may take before the run goes on without it. */
const SCREENSHOT_TIMEOUT_MS = 10_000;
const NO_SECRETS: ReadonlyMap<string, string> = new Map();

/**
 * One step: `when`, secrets, rendering, params, then the action with its step timeout and
 * retries (for_each and human_confirm go to their modules). Before an action that may have a
 * side effect (not idempotent as rendered, not a dry run), the step is marked as started in the
 * journal and that mark is on disk first (see core/runs/run-repository.ts).
 */
export async function execStep(e: EngineParts, step: StepNode, rc: RunContext, scope: ScopeData, top: number): Promise<StepResult> {
  const spec = e.registry.spec(step.action)!;
  const fail = (error: ActionError, params?: unknown): StepResult => ({ status: 'failed', error, params, idempotent: error.nothingDone || stepIdempotent(e.registry, step), attempt: 1 });
  const lookup = makeLookup({ ...scope, now: e.o.clock.now() });

  if (step.when) {
    let go: boolean;
    try {
      go = truthy(evaluateWhen(step.when, lookup, rc.taint));
    } catch (err) {
      if (err instanceof ExpressionError) return fail(new ActionError('WHEN_ERROR', `when "${step.whenText?.trim()}": ${err.message}`));
      throw err;
    }
    if (!go) return { status: 'skipped' };
  }

  const refs = stepSecretRefs(step);
  let secrets = NO_SECRETS;
  if (refs.size) {
    const resolved = await resolveStepSecrets(refs, { secrets: e.o.secrets, redactor: e.o.redactor, access: { runId: rc.run.id, step: top, user: rc.run.requestedBy } });
    if (!resolved.ok) return fail(resolved.error);
    secrets = resolved.secrets;
  }

  let rendered: unknown;
  try {
    rendered = render(step.params, { lookup, secrets, taint: rc.taint });
  } catch (err) {
    if (err instanceof ExpressionError) return fail(new ActionError(err.code === 'UNDEFINED_VARIABLE' ? 'UNDEFINED_VARIABLE' : 'TEMPLATE_ERROR', err.message));
    throw err;
  }

  if (spec.control === 'for_each') return execForEach(e, (s, r, sc, t) => execStep(e, s, r, sc, t), step, rc, scope, top, rendered as Record<string, unknown>);
  if (spec.control === 'human_confirm') return execConfirm(e, step, rc, top, rendered);

  const parsed = spec.params.safeParse(rendered);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.length ? i.path.join('.') : '(params)'}: ${i.message}`).join('; ');
    return fail(new ActionError('INVALID_PARAMS', `invalid params after rendering: ${problems}`), rendered);
  }
  const def = e.registry.get(step.action)!;
  const params = parsed.data;
  const idempotent = step.reserved.idempotent ?? spec.idempotentFor?.(params as never) ?? def.idempotent;
  const dry = rc.run.dryRun && (spec.mutatingFor?.(params as never) ?? def.mutating);
  if (!idempotent && !dry) {
    const marked = markStarted(e, rc, top);
    if (marked) return fail(marked.beforeAnyEffect(), rendered);
  }
  const attempts = step.reserved.retry?.max_attempts ?? 1;
  const wantsPicture = (params as { screenshot?: unknown }).screenshot === true;
  for (let attempt = 1; ; attempt++) {
    const r = await attemptOnce(e, def, spec, params, dry, step, rc, top);
    if (r.ok) {
      if (wantsPicture) await screenshot(e, def, rc, top);
      return { status: 'succeeded', result: r.result, params: rendered, attempt };
    }
    if (r.aborted || !r.error.retryable || attempt >= attempts) {
      // What the robot saw when it failed (web and desktop actions).
      if (!r.aborted) await screenshot(e, def, rc, top);
      return { status: 'failed', error: r.error, params: rendered, idempotent: idempotent || r.error.nothingDone, aborted: r.aborted, attempt };
    }
    e.log.info(`Retrying steps[${top}] ${step.action} after a retryable failure`, { runId: rc.run.id, attempt, error: r.error.message });
    const waited = await sleep(e, step.reserved.retry?.backoff_ms ?? 1_000, rc.signal);
    if (!waited) return { status: 'failed', error: abortError(reasonOf(rc.signal)), params: rendered, idempotent, aborted: reasonOf(rc.signal), attempt };
  }
}

/**
 * Writes the journal's "started" mark of top-level step `top` (once per run attempt) and
 * commits it before the side effect. A mark that cannot be written stops the step before it
 * does anything (the cause in the error), so the run fails or is retried instead of running
 * a side effect the journal cannot vouch for.
 */
function markStarted(e: EngineParts, rc: RunContext, top: number): ActionError | undefined {
  if (rc.marked.has(top)) return undefined;
  const s = rc.model.steps[top]!;
  try {
    e.runs.markStepStarted({ runId: rc.run.id, index: top, stepId: s.id ?? null, action: s.action, status: 'running', params: null, result: null, error: null, errorCode: null, attempt: 1, startedAt: e.o.clock.now(), finishedAt: null, durationMs: null, artifacts: [] });
  } catch (err) {
    e.log.error(`Could not record that steps[${top}] ${s.action} starts; the step is not run`, { runId: rc.run.id, error: err as Error });
    return new ActionError('STORAGE_ERROR', `could not record that the step starts (${(err as Error).message}); nothing was done`, true);
  }
  rc.marked.add(top);
  return undefined;
}

/** One call of an action, bounded by the step timeout and stopped by cancel/timeout/shutdown. */
async function attemptOnce(
  e: EngineParts,
  def: ActionDef,
  spec: ActionSpec,
  params: unknown,
  dry: boolean,
  step: StepNode,
  rc: RunContext,
  top: number,
): Promise<{ ok: true; result: ActionResult } | { ok: false; error: ActionError; aborted?: StopReason }> {
  const stop = new AttemptStop();
  const unfollow = rc.stops.follow(stop);
  const timeoutMs = step.reserved.timeout_ms !== undefined ? step.reserved.timeout_ms + (ownsTimeout(spec) ? OWN_TIMEOUT_GRACE_MS : 0) : undefined;
  const timer = timeoutMs !== undefined ? e.o.clock.setTimer(timeoutMs, () => stop.stop('step_timeout')) : undefined;
  const ctx = new StepActionContext(e, rc, top, stop);
  try {
    const result = await stop.race(() => (dry ? def.dryRun!(params, ctx) : def.run(params, ctx)));
    if (!result || typeof result !== 'object' || Array.isArray(result)) return { ok: false, error: new ActionError('ACTION_ERROR', `${def.name} returned no result`) };
    return { ok: true, result };
  } catch (err) {
    if (stop.reason === 'step_timeout') return { ok: false, error: new ActionError('STEP_TIMEOUT', `the step timed out after ${timeoutMs} ms`, true) };
    if (stop.reason !== undefined) return { ok: false, error: abortError(stop.reason), aborted: stop.reason };
    return { ok: false, error: toActionError(err) };
  } finally {
    timer?.cancel();
    unfollow();
  }
}

/** Keeps a screenshot as an artifact of the step, when the action can take one; bounded, never throws. */
async function screenshot(e: EngineParts, def: ActionDef, rc: RunContext, top: number): Promise<void> {
  if (!def.captureScreenshot) return;
  const controller = new AbortController();
  const ctx = new StepActionContext(e, rc, top, controller);
  let timer: { cancel(): void } | undefined;
  try {
    await Promise.race([
      def.captureScreenshot(ctx).catch(() => undefined),
      new Promise<void>((resolve) => {
        timer = e.o.clock.setTimer(SCREENSHOT_TIMEOUT_MS, () => {
          controller.abort('step_timeout');
          resolve();
        });
      }),
    ]);
  } finally {
    timer?.cancel();
  }
}

/** Waits on the clock; false when the run was stopped meanwhile. */
function sleep(e: EngineParts, ms: number, signal: AbortSignal): Promise<boolean> {
  return new Promise((resolve) => {
    if (signal.aborted && reasonOf(signal) !== 'pause') return resolve(false);
    const onAbort = () => {
      if (reasonOf(signal) === 'pause') return;
      timer.cancel();
      resolve(false);
    };
    const timer = e.o.clock.setTimer(ms, () => {
      signal.removeEventListener('abort', onAbort);
      resolve(true);
    });
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
