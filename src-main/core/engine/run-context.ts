import { z } from 'zod';
import type { OrchestratorConfig } from '@shared/config';
import type { ActionSpec } from '@shared/dsl/action-spec';
import type { TemplateModel } from '@shared/dsl/template-model';
import type { EventBus } from '../kernel/event-bus';
import type { Clock, Logger, Notifier } from '../kernel/ports';
import type { ExecutionOutcome, StopReason } from '../queue';
import type { ApprovalRequest, ExecutableRun, RunRepository, RunRow, RunState, StepOutcome } from '../runs';
import type { Redactor } from '../security';
import { ActionError, type ActionResult } from './action-types';
import type { RunArtifacts } from './artifacts';
import type { PathGuard } from './path-guard';
import type { ActionRegistry } from './registry';
import type { MapScratch } from './scratch';
import type { RunTaint } from './secret-values';
import type { SecretResolver } from './step-secrets';
import type { SlowSteps } from './slow-steps';
import type { RunStops } from './attempt-stop';

/** The engine's types and small helpers shared by its modules (runner, step loop, one step, for_each, human_confirm). */

export interface EngineOptions {
  /** The runs repository (core/runs): every read and write of runs and steps. */
  runs: RunRepository;
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
  registry?: ActionRegistry;
  browserPath?: string;
}

/** What the engine's modules share: its options, the repository, the actions and the log. */
export interface EngineParts {
  o: EngineOptions;
  runs: RunRepository;
  registry: ActionRegistry;
  log: Logger;
  /** Shows steps that take a while as running (one timer for all). */
  slowSteps: SlowSteps;
  /** The path guard of the configuration in force (files.allowed_roots). */
  files: (config: OrchestratorConfig) => PathGuard;
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
  /** The run's row as the queue's claim read it (not read again). */
  claimed?: RunRow;
}

export interface EngineOutcome extends ExecutionOutcome {
  /** The approval a `waiting_approval` run waits for. */
  approval?: ApprovalRequest;
  /** Index of the top-level step that failed. */
  failedStep?: number;
}

export type StepResult =
  | { status: 'succeeded'; result: ActionResult; params?: unknown; attempt: number }
  | { status: 'skipped' }
  | { status: 'failed'; error: ActionError; params?: unknown; result?: ActionResult; idempotent: boolean; aborted?: StopReason; attempt: number }
  | { status: 'suspended'; approval: ApprovalRequest; params: unknown };

export interface RunContext {
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
  /** Top-level steps the journal marked as started with a possible side effect (step-exec.ts). */
  marked: Set<number>;
  /** Tells the attempt in flight that the run is stopped (one listener on `signal` per run). */
  stops: RunStops;
}

/** Stored params and results are bounded: a huge HTTP body or file list must not bloat the database. */
export const MAX_STORED_JSON = 256 * 1024;
export const MAX_ITEM_JSON = 2 * 1024;
/** How long a step runs before its row shows it as running (fewer writes for quick steps). */
export const RUNNING_ROW_AFTER_MS = 200;

export function bounded(value: unknown, max = MAX_STORED_JSON): unknown {
  if (value === undefined) return undefined;
  const text = JSON.stringify(value);
  if (text === undefined) return null;
  if (text.length <= max) return JSON.parse(text) as unknown;
  return { truncated: true, json_chars: text.length, preview: text.slice(0, Math.min(2_000, max)) };
}

/**
 * The JSON a step row stores for a value, as `JSON.stringify(mask(bounded(value)))` would give it,
 * in one serialisation: with no secret registered nothing needs masking, and the copy bounded()
 * makes is only parsed back when something does (issue 18: each step's params and result were
 * serialised twice and parsed once).
 */
export function storedJson(e: EngineParts, value: unknown, max = MAX_STORED_JSON): string {
  let text = JSON.stringify(value);
  if (text === undefined) return 'null';
  if (text.length > max) text = JSON.stringify({ truncated: true, json_chars: text.length, preview: text.slice(0, Math.min(2_000, max)) });
  return e.o.redactor.size ? JSON.stringify(e.o.redactor.maskDeep(JSON.parse(text) as unknown)) : text;
}

export function reasonOf(signal: AbortSignal): StopReason {
  const r = signal.reason as unknown;
  return r === 'pause' || r === 'shutdown' || r === 'timeout' || r === 'cancel' ? r : 'cancel';
}

export function abortError(reason: StopReason): ActionError {
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
export function whereFailed(index: number, action: string, message: string): string {
  return `steps[${index}] ${message.startsWith(`${action}: `) ? message : `${action}: ${message}`}`;
}

export function ownsTimeout(spec: ActionSpec): boolean {
  const params = spec.params;
  return params instanceof z.ZodObject && 'timeout_ms' in params.shape;
}

/** The error of params that do not fit the action's schema once rendered. */
export function invalidParams(issues: { path: PropertyKey[]; message: string }[]): ActionError {
  return new ActionError('INVALID_PARAMS', `invalid params after rendering: ${issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
}

/**
 * The state as stored: masked scratch, the pending approval and loop progress. Step results are
 * not repeated here: they are in run_steps, from which a resumed run reads them back.
 */
export function persistable(e: EngineParts, rc: RunContext): RunState {
  return {
    v: 1,
    steps: [],
    scratch: e.o.redactor.maskDeep(rc.scratch.toJSON()),
    ...(rc.state.approval ? { approval: e.o.redactor.maskDeep(rc.state.approval) } : {}),
    ...(rc.state.loop ? { loop: e.o.redactor.maskDeep(rc.state.loop) } : {}),
  };
}

const actionLists = new WeakMap<TemplateModel, readonly string[]>();

/** The actions of a template's top-level steps (for messages), made once per compiled template. */
export function actionsOf(model: TemplateModel): readonly string[] {
  let list = actionLists.get(model);
  if (!list) actionLists.set(model, (list = model.steps.map((s) => s.action)));
  return list;
}

/** What a step can read that does not depend on earlier steps. */
export function scopeOf(e: EngineParts, run: ExecutableRun, variables: Record<string, unknown>) {
  return {
    variables,
    run: { id: run.id, template: run.template, dry_run: run.dryRun, attempt: run.attempts, trigger: run.trigger, requested_by: run.requestedBy },
    trigger: run.triggerData,
    now: e.o.clock.now(),
  };
}
