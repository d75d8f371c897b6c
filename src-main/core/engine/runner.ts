import type { FailureSink } from '../runs/failure-sink';
import type { WriteBatcher } from '../db/write-batcher';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import type { Database } from 'better-sqlite3';
import type { OrchestratorConfig } from '@shared/config';
import type { Issue } from '@shared/contract/errors';
import { ExpressionError, truthy } from '@shared/dsl/expression';
import type { ActionSpec } from '@shared/dsl/action-spec';
import type { StepNode, TemplateModel } from '@shared/dsl/template-model';
import type { SecretRefText } from '@shared/dsl/template-string';
import { assessTemplateRisk, riskRank } from '@shared/dsl/template-risk';
import { validateTemplate } from '@shared/dsl/validate';
import { typedVariables } from '@shared/dsl/variable-types';
import type { EventBus } from '../kernel/event-bus';
import type { Clock, Logger, Notifier } from '../kernel/ports';
import type { ExecutionOutcome, RunExecutor, StopReason } from '../queue/ports';
import { RunStore, type ExecutableRun } from '../runs/run-store';
import { PRE_RUN_STEP, type ApprovalRequest, type IterationSummary, type LoopProgress, type RunState, type StepOutcome } from '../runs/run-state';
import type { Redactor } from '../security/redaction';
import { ActionError, type ActionContext, type ActionDef, type ActionResult } from './action-types';
import { RunArtifacts } from './artifacts';
import { StepAborted, toActionError } from './errors';
import { ActionRegistry } from './registry';
import { preflightParams, preflightMessage } from './params-preflight';
import { pathGuards, type PathGuard } from './path-guard';
import { MapScratch } from './scratch';
import { makeLookup, render, secretRefs, type ScopeData } from './scope';
import { evaluateWhen, secretTaint, type RunTaint } from './secret-values';

/** Reads `{{secrets://…}}` at step time (SPEC section 8); the secrets module supplies the backends. */
export interface SecretResolver {
  /** `message` explains a miss (`Secret 'key' not found`, and which backends could not be asked). */
  resolve(ref: SecretRefText, access: { runId: string; step: number; user: string | null }): Promise<{ found: true; value: string } | { found: false; message?: string }>;
}

function notFound(ref: SecretRefText): string {
  return `Secret '${ref.service ? `${ref.service}/${ref.key}` : ref.key}' not found`;
}

export interface EngineOptions {
  db: Database;
  clock: Clock;
  logger: Logger;
  redactor: Redactor;
  config: () => OrchestratorConfig;
  secrets: SecretResolver;
  notifier: Notifier;
  artifactsDir: string;
  /** The data dir and config dir: file actions never reach them (except the artifacts). */
  dirs: { dataDir: string; configDir: string };
  bus?: EventBus;
  /** Group commit of step writes (the core's); tests may leave it out for immediate writes. */
  writes?: WriteBatcher;
  registry?: ActionRegistry;
  browserPath?: string;
  /** Failure clusters: told of each failed step in the transaction that records it. */
  failures?: FailureSink;
}

/** Told about progress (the CLI prints a line per step). */
export interface RunObserver {
  stepStarted?(e: { runId: string; index: number; action: string; id?: string }): void;
  stepFinished?(e: { runId: string; index: number; action: string; id?: string; status: string; error?: string; durationMs: number; result?: unknown }): void;
  itemFinished?(e: { runId: string; index: number; item: number; count: number; status: string; error?: string }): void;
}

export interface ExecuteOptions {
  /** Aborted with a StopReason: `cancel` and `timeout` stop the running step at once, `pause` after it, `shutdown` at once (it runs again on resume). */
  signal?: AbortSignal;
  /** A run timeout the engine enforces itself (the CLI; the queue enforces its own). */
  timeoutMs?: number;
  observer?: RunObserver;
}

export interface EngineOutcome extends ExecutionOutcome {
  /** The approval a `waiting_approval` run waits for. */
  approval?: ApprovalRequest;
  /** Index of the top-level step that failed. */
  failedStep?: number;
}

type StepResult =
  | { status: 'succeeded'; result: ActionResult; params?: unknown; attempt: number }
  | { status: 'skipped' }
  | { status: 'failed'; error: ActionError; params?: unknown; result?: ActionResult; idempotent: boolean; aborted?: StopReason; attempt: number }
  | { status: 'suspended'; approval: ApprovalRequest; params: unknown };

interface RunContext {
  run: ExecutableRun;
  model: TemplateModel;
  state: RunState;
  scratch: MapScratch;
  artifacts: RunArtifacts;
  variables: Record<string, unknown>;
  signal: AbortSignal;
  cleanups: (() => Promise<void> | void)[];
  observer?: RunObserver;
  ids: Map<string, { outcome: StepOutcome; action: string }>;
  timeoutMs?: number;
  /** What the run computes from secrets (masked until the run ends). */
  taint: RunTaint;
}

/** Stored params and results are bounded: a huge HTTP body or file list must not bloat the database. */
const MAX_STORED_JSON = 256 * 1024;
const MAX_ITEM_JSON = 2 * 1024;
/** Actions that read `timeout_ms` themselves get this much longer before the step is cut off. */
const OWN_TIMEOUT_GRACE_MS = 5_000;
const CACHE_SIZE = 200;
/** How long a step runs before its row shows it as running (fewer writes for quick steps). */
export const RUNNING_ROW_AFTER_MS = 200;
/** How long a screenshot after a step may take before the run goes on without it. */
const SCREENSHOT_TIMEOUT_MS = 10_000;

function bounded(value: unknown, max = MAX_STORED_JSON): unknown {
  if (value === undefined) return undefined;
  const text = JSON.stringify(value);
  if (text === undefined) return null;
  if (text.length <= max) return JSON.parse(text) as unknown;
  return { truncated: true, json_chars: text.length, preview: text.slice(0, Math.min(2_000, max)) };
}

function reasonOf(signal: AbortSignal): StopReason {
  const r = signal.reason as unknown;
  return r === 'pause' || r === 'shutdown' || r === 'timeout' || r === 'cancel' ? r : 'cancel';
}

function abortError(reason: StopReason): ActionError {
  switch (reason) {
    case 'timeout':
      return new ActionError('RUN_TIMEOUT', 'the run timed out');
    case 'shutdown':
      return new ActionError('INTERRUPTED', 'interrupted: the app is shutting down; this step runs again when the run resumes', true);
    case 'pause':
      return new ActionError('PAUSED', 'paused');
    default:
      return new ActionError('CANCELLED', 'cancelled');
  }
}

/** `steps[2] assert_text: <message>`, without repeating the action when the message starts with it. */
function whereFailed(index: number, action: string, message: string): string {
  return `steps[${index}] ${message.startsWith(`${action}: `) ? message : `${action}: ${message}`}`;
}

function ownsTimeout(spec: ActionSpec): boolean {
  const shape = (spec.params as unknown as { _zod?: { def?: { shape?: Record<string, unknown> } } })._zod?.def?.shape;
  return Boolean(shape && 'timeout_ms' in shape);
}

/**
 * The engine: executes a run's steps in order against the runs table (SPEC sections 3 and 4).
 * It renders each step just before it runs, resolves secrets, runs the action (or its dry run),
 * and persists every step with the run's resume point. It implements the queue's RunExecutor.
 */
export class Engine implements RunExecutor {
  readonly store: RunStore;
  readonly registry: ActionRegistry;
  private readonly log: Logger;
  private readonly guardFor: (config: OrchestratorConfig) => PathGuard;
  private readonly cache = new Map<string, { ok: true; model: TemplateModel } | { ok: false; issues: Issue[] }>();

  constructor(private readonly o: EngineOptions) {
    this.store = new RunStore(o.db, o.writes, o.failures);
    this.registry = o.registry ?? new ActionRegistry();
    this.log = o.logger.child('Engine');
    this.guardFor = pathGuards({ ...o.dirs, artifactsDir: o.artifactsDir }, this.log);
  }

  /** RunExecutor for the queue. */
  execute(runId: string, signal: AbortSignal): Promise<EngineOutcome> {
    return this.executeRun(runId, { signal });
  }

  /** Crash recovery: was the step the run was in safe to run again? */
  interruptedStepIdempotent(runId: string): boolean {
    const run = this.store.load(runId);
    if (!run) return true;
    const compiled = this.compile(run.templateYaml, run.templateHash);
    const step = compiled.ok ? compiled.model.steps[run.nextStep] : undefined;
    return step ? this.stepIdempotent(step) : true;
  }

  /** Validates and compiles a template once per content hash. */
  compile(yaml: string, hash?: string): { ok: true; model: TemplateModel } | { ok: false; issues: Issue[] } {
    const key = hash || createHash('sha256').update(yaml).digest('hex');
    const hit = this.cache.get(key);
    if (hit) {
      this.cache.delete(key);
      this.cache.set(key, hit);
      return hit;
    }
    const report = validateTemplate(yaml);
    const entry = report.valid && report.template ? ({ ok: true, model: report.template } as const) : ({ ok: false, issues: report.errors } as const);
    this.cache.set(key, entry);
    if (this.cache.size > CACHE_SIZE) this.cache.delete(this.cache.keys().next().value!);
    return entry;
  }

  async executeRun(runId: string, options: ExecuteOptions = {}): Promise<EngineOutcome> {
    const run = this.store.load(runId);
    if (!run) return { status: 'failed', error: `Run ${runId} not found`, errorCode: 'RUN_NOT_FOUND', retryable: false };
    if (['succeeded', 'failed', 'cancelled'].includes(run.status)) {
      return { status: run.status as 'succeeded', error: `Run ${runId} already finished (${run.status})`, errorCode: 'RUN_FINISHED', retryable: false };
    }
    const compiled = this.compile(run.templateYaml, run.templateHash);
    if (!compiled.ok) {
      const first = compiled.issues.slice(0, 3).map((i) => `${i.path}${i.line ? ` (line ${i.line})` : ''}: ${i.message}`);
      return { status: 'failed', error: `The template is invalid: ${first.join('; ')}${compiled.issues.length > 3 ? ` (+${compiled.issues.length - 3} more)` : ''}`, errorCode: 'VALIDATION_ERROR', retryable: false };
    }
    const model = compiled.model;
    const missingActions = this.registry.missing(model);
    if (missingActions.length) {
      return { status: 'failed', error: `This build cannot run the action(s) ${missingActions.join(', ')} (their family is not installed)`, errorCode: 'ACTION_UNAVAILABLE', retryable: false };
    }
    const typed = typedVariables(model.variables, run.variables);
    if (typed.problems.length) {
      return {
        status: 'failed',
        error: `Variable${typed.problems.length > 1 ? 's' : ''} of the wrong type: ${typed.problems.map((p) => `${p.name}: ${p.message}`).join('; ')}`,
        errorCode: 'VARIABLE_INVALID',
        retryable: false,
      };
    }
    const variables = typed.variables;
    const required = Object.entries(model.variables).filter(([k, v]) => v === null && (variables[k] === null || variables[k] === undefined)).map(([k]) => k);
    if (required.length) {
      return {
        status: 'failed',
        error: `Missing value for variable${required.length > 1 ? 's' : ''} ${required.join(', ')}: give ${required.length > 1 ? 'them' : 'it'} with the run (--var ${required[0]}=…)`,
        errorCode: 'VARIABLE_MISSING',
        retryable: false,
      };
    }
    // Before the first step (and before a pre-run approval is asked for, PRE_RUN_STEP).
    if (run.nextStep <= 0) {
      const problems = preflightParams(model.steps, (a) => this.registry.spec(a), { ...this.scopeOf(run, variables), actions: model.steps.map((s) => s.action) });
      if (problems.length) return { status: 'failed', error: preflightMessage(problems), errorCode: 'INVALID_PARAMS', retryable: false };
    }
    const gate = this.preRunApproval(run, model);
    if (gate) return gate;

    const internal = new AbortController();
    const outer = options.signal;
    const onOuter = () => internal.abort(reasonOf(outer!));
    if (outer?.aborted) onOuter();
    outer?.addEventListener('abort', onOuter, { once: true });
    const runTimer = options.timeoutMs ? this.o.clock.setTimer(options.timeoutMs, () => internal.abort('timeout' satisfies StopReason)) : undefined;

    const state: RunState = { ...run.state, steps: [...run.state.steps] };
    const rc: RunContext = {
      run,
      model,
      state,
      scratch: new MapScratch(state.scratch),
      artifacts: new RunArtifacts(join(this.o.artifactsDir, run.id), this.o.redactor),
      variables,
      signal: internal.signal,
      cleanups: [],
      observer: options.observer,
      ids: new Map(),
      timeoutMs: options.timeoutMs,
      taint: secretTaint(this.o.redactor),
    };
    rc.cleanups.push(() => rc.taint.release());
    for (let i = 0; i < Math.min(run.nextStep, model.steps.length); i++) {
      const s = model.steps[i]!;
      const outcome = state.steps[i];
      if (s.id && outcome) rc.ids.set(s.id, { outcome, action: s.action });
    }
    try {
      return await this.runSteps(rc, run.nextStep);
    } finally {
      runTimer?.cancel();
      outer?.removeEventListener('abort', onOuter);
      for (const cleanup of rc.cleanups.reverse()) {
        try {
          await cleanup();
        } catch (e) {
          this.log.warn('A cleanup at the end of the run failed', { runId, error: e as Error });
        }
      }
    }
  }

  // ---- the step loop ---------------------------------------------------------------------

  private async runSteps(rc: RunContext, start: number): Promise<EngineOutcome> {
    const { run, model } = rc;
    for (let i = start; i < model.steps.length; i++) {
      if (rc.signal.aborted) return this.stopped(rc, i, reasonOf(rc.signal));
      const step = model.steps[i]!;
      const startedAt = this.o.clock.now();
      this.o.bus?.publish('step.started', { runId: run.id, index: i, action: step.action });
      rc.observer?.stepStarted?.({ runId: run.id, index: i, action: step.action, id: step.id });
      // A step that takes a while shows as running; a quick one is written once, when it ends.
      const showRunning = this.o.clock.setTimer(RUNNING_ROW_AFTER_MS, () =>
        this.store.recordStep({ runId: run.id, index: i, stepId: step.id ?? null, action: step.action, status: 'running', params: null, result: null, error: null, errorCode: null, attempt: 1, startedAt, finishedAt: null, durationMs: null, artifacts: [] }),
      );
      let r: StepResult;
      try {
        r = await this.execStep(step, rc, this.scopeAt(rc), i);
      } finally {
        showRunning.cancel();
      }
      const finishedAt = this.o.clock.now();
      const artifacts = rc.artifacts.take();
      const mask = <T>(v: T): T => this.o.redactor.maskDeep(v);
      const base = { runId: run.id, index: i, stepId: step.id ?? null, action: step.action, startedAt, artifacts };

      if (r.status === 'suspended') {
        rc.state.approval = { request: r.approval };
        this.store.recordStep(
          { ...base, status: 'running', params: mask(bounded(r.params)), result: mask({ waiting_for_approval: r.approval }), error: null, errorCode: null, attempt: 1, finishedAt: null, durationMs: null },
          { nextStep: i, state: this.persistable(rc) },
        );
        this.log.info('Run waits for an approval', { runId: run.id, step: i, expiresAt: r.approval.expires_at });
        rc.observer?.stepFinished?.({ runId: run.id, index: i, action: step.action, id: step.id, status: 'waiting_approval', durationMs: finishedAt - startedAt });
        this.store.afterCommit(() => this.o.bus?.publish('step.finished', { runId: run.id, index: i, action: step.action, status: 'waiting_approval' }));
        return { status: 'waiting_approval', approval: r.approval };
      }

      const durationMs = finishedAt - startedAt;
      const outcome: StepOutcome =
        r.status === 'succeeded'
          ? { status: 'succeeded', id: step.id, result: r.result }
          : r.status === 'skipped'
            ? { status: 'skipped', id: step.id }
            : { status: 'failed', id: step.id, error: r.error.message, ...(r.result ? { result: r.result } : {}) };
      const error = r.status === 'failed' ? this.o.redactor.mask(r.error.message) : null;
      const stop = r.status === 'failed' && (r.aborted || !step.reserved.continue_on_error);
      rc.state.steps[i] = outcome;
      if (step.id) rc.ids.set(step.id, { outcome, action: step.action });
      this.store.recordStep(
        {
          ...base,
          status: r.status,
          params: r.status === 'skipped' ? null : mask(bounded(r.params)),
          result: r.status === 'succeeded' || (r.status === 'failed' && r.result) ? mask(bounded((r as { result: unknown }).result)) : null,
          error,
          errorCode: r.status === 'failed' ? r.error.code : null,
          attempt: r.status === 'skipped' ? 1 : r.attempt,
          finishedAt,
          durationMs,
        },
        { nextStep: stop ? i : i + 1, state: this.persistable(rc) },
      );
      rc.observer?.stepFinished?.({ runId: run.id, index: i, action: step.action, id: step.id, status: r.status, error: error ?? undefined, durationMs, result: r.status === 'succeeded' ? mask(r.result) : undefined });
      const finished = { runId: run.id, index: i, action: step.action, status: r.status, duration_ms: durationMs, ...(error ? { error } : {}) };
      this.store.afterCommit(() => this.o.bus?.publish('step.finished', finished));

      if (r.status === 'failed') {
        if (r.aborted) return this.stopped(rc, i, r.aborted);
        this.log.warn(`Step failed: steps[${i}] ${step.action}`, { runId: run.id, code: r.error.code, error: r.error.message });
        if (!stop) continue;
        return {
          status: 'failed',
          error: this.o.redactor.mask(whereFailed(i, step.action, r.error.message)),
          errorCode: r.error.code,
          retryable: r.error.retryable,
          failedStepIdempotent: r.idempotent,
          failedStep: i,
        };
      }
    }
    return { status: 'succeeded' };
  }

  /** How a run stops when asked to (cancel, pause, shutdown, run timeout). */
  private stopped(rc: RunContext, index: number, reason: StopReason): EngineOutcome {
    this.store.saveProgress(rc.run.id, index, this.persistable(rc));
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

  /**
   * The state as stored: masked scratch, the pending approval and loop progress. Step results are
   * not repeated here: they are in run_steps, from which a resumed run reads them back.
   */
  private persistable(rc: RunContext): RunState {
    return {
      v: 1,
      steps: [],
      scratch: this.o.redactor.maskDeep(rc.scratch.toJSON()),
      ...(rc.state.approval ? { approval: this.o.redactor.maskDeep(rc.state.approval) } : {}),
      ...(rc.state.loop ? { loop: this.o.redactor.maskDeep(rc.state.loop) } : {}),
    };
  }

  private scopeAt(rc: RunContext): ScopeData {
    return { ...this.scopeOf(rc.run, rc.variables), steps: rc.state.steps, actions: rc.model.steps.map((s) => s.action), ids: rc.ids };
  }

  /** What a step can read that does not depend on earlier steps. */
  private scopeOf(run: ExecutableRun, variables: Record<string, unknown>) {
    return {
      variables,
      run: { id: run.id, template: run.template, dry_run: run.dryRun, attempt: run.attempts, trigger: run.trigger, requested_by: run.requestedBy },
      trigger: run.triggerData,
      now: this.o.clock.now(),
    };
  }

  private stepIdempotent(step: StepNode): boolean {
    if (step.reserved.idempotent !== undefined) return step.reserved.idempotent;
    if (step.body) return step.body.every((b) => this.stepIdempotent(b));
    return this.registry.get(step.action)?.idempotent ?? this.registry.spec(step.action)?.idempotent ?? true;
  }

  // ---- one step --------------------------------------------------------------------------

  private async execStep(step: StepNode, rc: RunContext, scope: ScopeData, top: number): Promise<StepResult> {
    const spec = this.registry.spec(step.action)!;
    const fail = (error: ActionError, params?: unknown): StepResult => ({ status: 'failed', error, params, idempotent: error.nothingDone || this.stepIdempotent(step), attempt: 1 });
    const lookup = makeLookup({ ...scope, now: this.o.clock.now() });

    if (step.when) {
      let go: boolean;
      try {
        go = truthy(evaluateWhen(step.when, lookup, rc.taint));
      } catch (e) {
        if (e instanceof ExpressionError) return fail(new ActionError('WHEN_ERROR', `when "${step.whenText?.trim()}": ${e.message}`));
        throw e;
      }
      if (!go) return { status: 'skipped' };
    }

    const secrets = new Map<string, string>();
    for (const [key, ref] of secretRefs(step.params)) {
      let got: Awaited<ReturnType<SecretResolver['resolve']>>;
      try {
        got = await this.o.secrets.resolve(ref, { runId: rc.run.id, step: top, user: rc.run.requestedBy });
      } catch (e) {
        return fail(new ActionError('SECRET_BACKEND_ERROR', `Secret '${key}' could not be read: ${(e as Error).message}`, true).beforeAnyEffect());
      }
      if (!got.found) return fail(new ActionError('SECRET_NOT_FOUND', got.message ?? notFound(ref)));
      // Registered before anything is stored, logged or sent.
      this.o.redactor.register(got.value);
      secrets.set(key, got.value);
    }

    let rendered: unknown;
    try {
      rendered = render(step.params, { lookup, secrets, taint: rc.taint });
    } catch (e) {
      if (e instanceof ExpressionError) return fail(new ActionError(e.code === 'UNDEFINED_VARIABLE' ? 'UNDEFINED_VARIABLE' : 'TEMPLATE_ERROR', e.message));
      throw e;
    }

    if (spec.control === 'for_each') return this.execForEach(step, rc, scope, top, rendered as Record<string, unknown>);
    if (spec.control === 'human_confirm') return this.execConfirm(step, rc, top, rendered);

    const parsed = spec.params.safeParse(rendered);
    if (!parsed.success) {
      const problems = parsed.error.issues.map((i) => `${i.path.length ? i.path.join('.') : '(params)'}: ${i.message}`).join('; ');
      return fail(new ActionError('INVALID_PARAMS', `invalid params after rendering: ${problems}`), rendered);
    }
    const def = this.registry.get(step.action)!;
    const params = parsed.data;
    const idempotent = step.reserved.idempotent ?? spec.idempotentFor?.(params as never) ?? def.idempotent;
    const dry = rc.run.dryRun && (spec.mutatingFor?.(params as never) ?? def.mutating);
    const attempts = step.reserved.retry?.max_attempts ?? 1;
    const wantsPicture = (params as { screenshot?: unknown }).screenshot === true;
    for (let attempt = 1; ; attempt++) {
      const r = await this.attempt(def, spec, params, dry, step, rc, top);
      if (r.ok) {
        if (wantsPicture) await this.screenshot(def, rc, top);
        return { status: 'succeeded', result: r.result, params: rendered, attempt };
      }
      if (r.aborted || !r.error.retryable || attempt >= attempts) {
        // What the robot saw when it failed (web and desktop actions).
        if (!r.aborted) await this.screenshot(def, rc, top);
        return { status: 'failed', error: r.error, params: rendered, idempotent: idempotent || r.error.nothingDone, aborted: r.aborted, attempt };
      }
      this.log.info(`Retrying steps[${top}] ${step.action} after a retryable failure`, { runId: rc.run.id, attempt, error: r.error.message });
      const waited = await this.sleep(step.reserved.retry?.backoff_ms ?? 1_000, rc.signal);
      if (!waited) return { status: 'failed', error: abortError(reasonOf(rc.signal)), params: rendered, idempotent, aborted: reasonOf(rc.signal), attempt };
    }
  }

  /** One call of an action, bounded by the step timeout and stopped by cancel/timeout/shutdown. */
  private async attempt(
    def: ActionDef,
    spec: ActionSpec,
    params: unknown,
    dry: boolean,
    step: StepNode,
    rc: RunContext,
    top: number,
  ): Promise<{ ok: true; result: ActionResult } | { ok: false; error: ActionError; aborted?: StopReason }> {
    const controller = new AbortController();
    const onRunAbort = () => {
      // A pause lets the running step finish; it stops before the next one.
      if (reasonOf(rc.signal) !== 'pause') controller.abort(reasonOf(rc.signal));
    };
    rc.signal.addEventListener('abort', onRunAbort);
    if (rc.signal.aborted) onRunAbort();
    const timeoutMs = step.reserved.timeout_ms !== undefined ? step.reserved.timeout_ms + (ownsTimeout(spec) ? OWN_TIMEOUT_GRACE_MS : 0) : undefined;
    const timer = timeoutMs !== undefined ? this.o.clock.setTimer(timeoutMs, () => controller.abort('step_timeout')) : undefined;
    const ctx = this.actionContext(rc, top, controller.signal);
    let work: Promise<ActionResult> | undefined;
    try {
      const stop = new Promise<never>((_, reject) => {
        if (controller.signal.aborted) reject(new StepAborted(String(controller.signal.reason)));
        controller.signal.addEventListener('abort', () => reject(new StepAborted(String(controller.signal.reason))), { once: true });
      });
      work = Promise.resolve().then(() => (dry ? def.dryRun!(params, ctx) : def.run(params, ctx)));
      const result = await Promise.race([work, stop]);
      if (!result || typeof result !== 'object' || Array.isArray(result)) return { ok: false, error: new ActionError('ACTION_ERROR', `${def.name} returned no result`) };
      return { ok: true, result };
    } catch (e) {
      if (controller.signal.aborted) {
        const reason = String(controller.signal.reason);
        if (reason === 'step_timeout') return { ok: false, error: new ActionError('STEP_TIMEOUT', `the step timed out after ${timeoutMs} ms`, true) };
        const stopReason = reasonOf(controller.signal);
        return { ok: false, error: abortError(stopReason), aborted: stopReason };
      }
      return { ok: false, error: toActionError(e) };
    } finally {
      timer?.cancel();
      rc.signal.removeEventListener('abort', onRunAbort);
      // An action that lost the race still settles later; its outcome no longer matters.
      work?.catch(() => undefined);
    }
  }

  private actionContext(rc: RunContext, top: number, signal: AbortSignal): ActionContext {
    const config = this.o.config();
    return {
      runId: rc.run.id,
      stepIndex: top,
      // The run's mode: read-only actions run in a dry run too and see what earlier steps would have done.
      dryRun: rc.run.dryRun,
      signal,
      logger: this.log,
      clock: this.o.clock,
      notifier: this.o.notifier,
      artifacts: rc.artifacts,
      scratch: rc.scratch,
      config,
      files: this.guardFor(config),
      browserPath: this.o.browserPath,
      registerSecret: (v) => this.o.redactor.register(v),
      onRunEnd: (fn) => rc.cleanups.push(fn),
      resolveSecret: async (reference) => {
        const body = reference.replace(/^\{\{\s*|\s*\}\}$/g, '').replace(/^secrets:\/\//, '');
        const [a, b] = body.split('/');
        const ref: SecretRefText = b === undefined ? { key: a! } : { service: a!, key: b };
        const got = await this.o.secrets.resolve(ref, { runId: rc.run.id, step: top, user: rc.run.requestedBy });
        if (!got.found) throw new ActionError('SECRET_NOT_FOUND', got.message ?? notFound(ref));
        this.o.redactor.register(got.value);
        return got.value;
      },
    };
  }

  /** Keeps a screenshot as an artifact of the step, when the action can take one; bounded, never throws. */
  private async screenshot(def: ActionDef, rc: RunContext, top: number): Promise<void> {
    if (!def.captureScreenshot) return;
    const controller = new AbortController();
    const ctx = this.actionContext(rc, top, controller.signal);
    let timer: { cancel(): void } | undefined;
    try {
      await Promise.race([
        def.captureScreenshot(ctx).catch(() => undefined),
        new Promise<void>((resolve) => {
          timer = this.o.clock.setTimer(SCREENSHOT_TIMEOUT_MS, () => {
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
  private sleep(ms: number, signal: AbortSignal): Promise<boolean> {
    return new Promise((resolve) => {
      if (signal.aborted && reasonOf(signal) !== 'pause') return resolve(false);
      const onAbort = () => {
        if (reasonOf(signal) === 'pause') return;
        timer.cancel();
        resolve(false);
      };
      const timer = this.o.clock.setTimer(ms, () => {
        signal.removeEventListener('abort', onAbort);
        resolve(true);
      });
      signal.addEventListener('abort', onAbort, { once: true });
    });
  }

  // ---- human_confirm ---------------------------------------------------------------------

  private execConfirm(step: StepNode, rc: RunContext, top: number, rendered: unknown): StepResult {
    const spec = this.registry.spec('human_confirm')!;
    const parsed = spec.params.safeParse(rendered);
    const fail = (error: ActionError): StepResult => ({ status: 'failed', error, params: rendered, idempotent: true, attempt: 1 });
    if (!parsed.success) return fail(new ActionError('INVALID_PARAMS', `invalid params after rendering: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`));
    const p = parsed.data as { message: string; timeout_minutes?: number; auto_action?: 'deny' | 'approve' | 'fail'; required_role?: string; risk_level: ApprovalRequest['risk_level']; details?: string };
    if (rc.run.dryRun) {
      return { status: 'succeeded', result: { would_ask: { message: p.message, risk_level: p.risk_level, required_role: p.required_role ?? 'Editor' } }, params: rendered, attempt: 1 };
    }
    const existing = rc.state.approval;
    if (existing && existing.request.step === top) {
      const d = existing.decision;
      if (!d) return { status: 'suspended', approval: existing.request, params: rendered };
      delete rc.state.approval;
      const minutes = Math.round((existing.request.timeout_ms / 60_000) * 10) / 10;
      const approved = (auto?: string): StepResult => ({
        status: 'succeeded',
        result: { approved: true, decided_by: d.by ?? null, comment: d.comment ?? null, decided_at: d.at, ...(auto ? { auto_action: auto } : {}) },
        params: rendered,
        attempt: 1,
      });
      if (d.outcome === 'approved') return approved();
      if (d.outcome === 'denied') return fail(new ActionError('HITL_DENIED', `denied by ${d.by ?? 'an approver'}${d.comment ? `: ${d.comment}` : ''}`));
      if (existing.request.auto_action === 'approve') return approved('approve');
      return fail(
        new ActionError(
          'HITL_TIMEOUT',
          existing.request.auto_action === 'deny'
            ? `approval timed out: no decision within ${minutes} minutes; denied automatically (auto_action: deny)`
            : `approval timed out after ${minutes} minutes (auto_action: fail)`,
        ),
      );
    }
    const cfg = this.o.config().hitl;
    const now = this.o.clock.now();
    const timeoutMs = p.timeout_minutes !== undefined ? Math.round(p.timeout_minutes * 60_000) : (step.reserved.timeout_ms ?? Math.round(cfg.default_timeout_minutes * 60_000));
    const request: ApprovalRequest = {
      step: top,
      ...(step.id ? { step_id: step.id } : {}),
      message: p.message,
      ...(p.details ? { details: p.details } : {}),
      risk_level: p.risk_level,
      required_role: p.required_role ?? 'Editor',
      // SPEC section 9: a timeout approves only when the template says so.
      auto_action: p.auto_action ?? (cfg.default_auto_action === 'approve' ? 'deny' : cfg.default_auto_action),
      timeout_ms: timeoutMs,
      requested_at: new Date(now).toISOString(),
      expires_at: new Date(now + timeoutMs).toISOString(),
    };
    return { status: 'suspended', approval: request, params: rendered };
  }

  // ---- the pre-run risk check (approval_policy) ----------------------------------------------

  /**
   * SPEC section 9: with `approval_policy.enabled`, a run whose template has steps at or above
   * `min_risk_level` waits for an approval before its first step (dry runs change nothing and
   * are not held). The request is an ordinary approval at step -1, so it is listed, notified,
   * decided and timed out like a human_confirm; a denial or a timeout fails the run unstarted.
   */
  private preRunApproval(run: ExecutableRun, model: TemplateModel): EngineOutcome | undefined {
    const asked = run.state.approval?.request.step === PRE_RUN_STEP ? run.state.approval : undefined;
    if (asked) {
      const d = asked.decision;
      if (!d) return { status: 'waiting_approval', approval: asked.request };
      if (d.outcome === 'approved') return undefined;
      if (d.outcome === 'denied') {
        return { status: 'failed', error: this.o.redactor.mask(`Not started: denied by ${d.by ?? 'an approver'}${d.comment ? `: ${d.comment}` : ''}`), errorCode: 'HITL_DENIED', retryable: false };
      }
      const minutes = Math.round((asked.request.timeout_ms / 60_000) * 10) / 10;
      return { status: 'failed', error: `Not started: approval timed out: no decision within ${minutes} minutes; denied automatically (auto_action: deny)`, errorCode: 'HITL_TIMEOUT', retryable: false };
    }
    const policy = this.o.config().approval_policy;
    if (!policy.enabled || run.dryRun || run.nextStep > 0) return undefined;
    const risk = assessTemplateRisk(model, (action) => this.registry.spec(action));
    if (!risk.level || riskRank(risk.level) < riskRank(policy.min_risk_level)) return undefined;
    const now = this.o.clock.now();
    const timeoutMs = Math.round(policy.timeout_minutes * 60_000);
    const request: ApprovalRequest = {
      step: PRE_RUN_STEP,
      message: `実行前の承認: 「${model.name}」には注意が必要な操作があります / Approval before start: "${model.name}" has risky steps`,
      details: risk.risks.map((r) => `- ${r.where} ${r.action} [${r.level}]: ${r.reason}`).join('\n'),
      risk_level: risk.level,
      required_role: policy.required_role,
      auto_action: 'deny',
      timeout_ms: timeoutMs,
      requested_at: new Date(now).toISOString(),
      expires_at: new Date(now + timeoutMs).toISOString(),
    };
    this.store.saveProgress(run.id, 0, { ...run.state, steps: [], approval: { request } });
    this.log.info('Run waits for an approval before it starts', { runId: run.id, risk: risk.level, risks: risk.risks.length });
    return { status: 'waiting_approval', approval: request };
  }

  // ---- for_each --------------------------------------------------------------------------

  private async execForEach(step: StepNode, rc: RunContext, scope: ScopeData, top: number, rendered: Record<string, unknown>): Promise<StepResult> {
    const spec = this.registry.spec('for_each')!;
    const parsed = spec.params.safeParse({ ...rendered, steps: step.body ?? [] });
    const fail = (error: ActionError, result?: ActionResult, aborted?: StopReason): StepResult => ({ status: 'failed', error, params: rendered, result, idempotent: this.stepIdempotent(step), attempt: 1, aborted });
    if (!parsed.success) return fail(new ActionError('INVALID_PARAMS', `invalid params after rendering: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`));
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
        const r = await this.execStep(b, rc, itemScope, top);
        if (r.status === 'suspended') return fail(new ActionError('INVALID_TEMPLATE', 'human_confirm cannot run inside for_each'));
        const entry: IterationSummary['steps'][number] = { ...(b.id ? { id: b.id } : {}), action: b.action, status: r.status };
        if (r.status === 'succeeded') entry.result = bounded(r.result, MAX_ITEM_JSON);
        if (r.status === 'failed') entry.error = this.o.redactor.mask(r.error.message);
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
        this.store.saveProgress(rc.run.id, top, this.persistable(rc));
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
}
