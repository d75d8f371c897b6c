import { join, sep } from 'node:path';
import type { ExecutableRun, RunRepository, RunRow, RunState } from '../runs';
import type { Logger } from '../kernel/ports';
import type { RunExecutor, StopReason } from '../queue';
import { RunArtifacts } from './artifacts';
import { RunStops } from './attempt-stop';
import { CompileCache, type Compiled } from './compile-cache';
import { preRunCheck } from './pre-run-gate';
import { ActionRegistry } from './registry';
import { RUNNING_ROW_AFTER_MS, reasonOf, type EngineOptions, type EngineOutcome, type EngineParts, type ExecuteOptions, type RunContext } from './run-context';
import { MapScratch } from './scratch';
import { secretTaint } from './secret-values';
import { SlowSteps } from './slow-steps';
import { runSteps } from './step-loop';
import { pathGuards } from './path-guard';

const SAFE_ID = /^[A-Za-z0-9_-]+$/;

export type { EngineOptions, EngineOutcome, ExecuteOptions, RunObserver } from './run-context';
export { RUNNING_ROW_AFTER_MS } from './run-context';
export type { SecretResolver } from './step-secrets';

/**
 * The engine: executes a run's steps in order against the runs repository (SPEC sections 3 and
 * 4). Its parts: compile-cache.ts (templates validated once per content), pre-run-gate.ts
 * (checks and approval_policy before the first step), step-loop.ts (steps and their
 * persistence), step-exec.ts (one step: rendering, timeouts, retries, screenshots, the journal's
 * started mark), step-secrets.ts, human-confirm.ts and for-each.ts. It implements the queue's
 * RunExecutor.
 */
export class Engine implements RunExecutor {
  readonly registry: ActionRegistry;
  private readonly runs: RunRepository;
  private readonly log: Logger;
  private readonly compiler = new CompileCache();
  private readonly parts: EngineParts;
  /** `<artifacts dir>/`, normalised once: a run's folder is this and its id (see artifactsDirOf). */
  private readonly artifactsPrefix: string;

  constructor(private readonly o: EngineOptions) {
    this.runs = o.runs;
    this.registry = o.registry ?? new ActionRegistry();
    this.log = o.logger.child('Engine');
    const root = join(o.artifactsDir);
    this.artifactsPrefix = root.endsWith(sep) ? root : root + sep;
    this.parts = {
      o,
      runs: this.runs,
      registry: this.registry,
      log: this.log,
      slowSteps: new SlowSteps(o.clock, RUNNING_ROW_AFTER_MS),
      files: pathGuards({ ...o.dirs, artifactsDir: o.artifactsDir }, this.log),
    };
  }

  /** RunExecutor for the queue. */
  execute(runId: string, signal: AbortSignal, claimed?: RunRow): Promise<EngineOutcome> {
    return this.executeRun(runId, { signal, claimed });
  }

  /** Validates and compiles a template once per content hash. */
  compile(yaml: string, hash?: string): Compiled {
    return this.compiler.compile(yaml, hash);
  }

  async executeRun(runId: string, options: ExecuteOptions = {}): Promise<EngineOutcome> {
    const run = this.runs.load(runId, options.claimed);
    if (!run) return { status: 'failed', error: `Run ${runId} not found`, errorCode: 'RUN_NOT_FOUND', retryable: false };
    const checked = preRunCheck(this.parts, run, this.compile(run.templateYaml, run.templateHash));
    if (!checked.ok) return checked.outcome;

    // The caller's signal as it is, unless the engine enforces a run timeout of its own (the CLI).
    const outer = options.signal;
    const internal = outer && !options.timeoutMs ? undefined : new AbortController();
    const onOuter = () => internal!.abort(reasonOf(outer!));
    if (internal && outer) {
      if (outer.aborted) onOuter();
      outer.addEventListener('abort', onOuter, { once: true });
    }
    const runTimer = options.timeoutMs ? this.o.clock.setTimer(options.timeoutMs, () => internal!.abort('timeout' satisfies StopReason)) : undefined;
    const rc = this.context(run, checked, internal?.signal ?? outer!, options);
    try {
      return await runSteps(this.parts, rc, run.nextStep);
    } finally {
      runTimer?.cancel();
      if (internal) outer?.removeEventListener('abort', onOuter);
      for (const cleanup of rc.cleanups.reverse()) {
        try {
          // Most cleanups are synchronous (the taint's release): awaited only when they return a promise.
          const pending = cleanup();
          if (pending) await pending;
        } catch (e) {
          this.log.warn('A cleanup at the end of the run failed', { runId, error: e as Error });
        }
      }
    }
  }

  /** A run's artifact folder without path.join's normalisation on every run (a run id is [A-Za-z0-9_-]). */
  private artifactsDirOf(runId: string): string {
    return SAFE_ID.test(runId) ? this.artifactsPrefix + runId : join(this.o.artifactsDir, runId);
  }

  private context(run: ExecutableRun, checked: { model: RunContext['model']; variables: Record<string, unknown> }, signal: AbortSignal, options: ExecuteOptions): RunContext {
    const { model } = checked;
    const state: RunState = { ...run.state, steps: [...run.state.steps] };
    const rc: RunContext = {
      run,
      model,
      state,
      scratch: new MapScratch(state.scratch),
      artifacts: new RunArtifacts(this.artifactsDirOf(run.id), this.o.redactor),
      variables: checked.variables,
      signal,
      cleanups: [],
      observer: options.observer,
      ids: new Map(),
      timeoutMs: options.timeoutMs,
      marked: new Set(),
      stops: new RunStops(signal),
      taint: secretTaint(this.o.redactor),
    };
    rc.cleanups.push(() => rc.taint.release());
    for (let i = 0; i < Math.min(run.nextStep, model.steps.length); i++) {
      const s = model.steps[i]!;
      const outcome = state.steps[i];
      if (s.id && outcome) rc.ids.set(s.id, { outcome, action: s.action });
    }
    return rc;
  }
}
