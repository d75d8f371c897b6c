import type { z } from 'zod';
import type { RiskLevel } from '@shared/config';
import type { OrchestratorConfig } from '@shared/config';
import type { Clock, Logger, Notifier } from '../kernel/ports';
import type { ArtifactRef } from '../runs';
import type { PathGuard } from './path-guard';

/**
 * What every action is built against. One module per family (files, pdf, mail, http, web,
 * desktop, control) exports ActionDefs; the registry holds them all, so validation, dry runs,
 * retries (idempotency) and the pre-run risk check read the same table.
 */

export type { ArtifactRef };

export interface ArtifactSink {
  /** `<data-dir>/artifacts/<run_id>/` (created on first use). */
  readonly dir: string;
  /** Stores bytes as an artifact of the current step; the name is made unique if taken. */
  write(name: string, data: Buffer | string, contentType: string, kind: string): Promise<ArtifactRef>;
  /** Moves or copies an existing file in as an artifact. */
  adopt(path: string, name: string, contentType: string, kind: string, move?: boolean): Promise<ArtifactRef>;
  /**
   * The run's Redactor. write and adopt mask textual artifacts themselves; an action that
   * encodes text before storing it (a mail draft) masks the text first with this.
   */
  mask(text: string): string;
}

/** Per-run state shared between steps (rename previews, a mail draft, browser contexts). */
export interface RunScratch {
  get<T>(key: string): T | undefined;
  set<T>(key: string, value: T): void;
  delete(key: string): void;
}

export interface ActionContext {
  runId: string;
  stepIndex: number;
  dryRun: boolean;
  /** Aborted on cancel or step timeout; long actions check it at safe points. */
  signal: AbortSignal;
  logger: Logger;
  clock: Clock;
  notifier: Notifier;
  artifacts: ArtifactSink;
  scratch: RunScratch;
  config: OrchestratorConfig;
  /** Every path a template names passes here before it is read or written (files.allowed_roots). */
  files: PathGuard;
  /** The browser for web actions (SPEC --browser / DESKTOP_AGENT_BROWSER_PATH). */
  browserPath?: string;
  /** Registers a value to mask everywhere (a secret typed or sent by the action). */
  registerSecret(value: string): void;
  /**
   * Reads a secret named in configuration (`secrets://key` or `secrets://service/key`, e.g. the
   * SMTP password_secret); the value is registered for masking. Throws ActionError
   * SECRET_NOT_FOUND when no backend has it.
   */
  resolveSecret?(reference: string): Promise<string>;
  /** Runs when the run ends, fails or is cancelled (close browsers, kill child processes). */
  onRunEnd(cleanup: () => Promise<void> | void): void;
}

/** A JSON-serialisable result: the fields later steps read as `steps[i].field`. */
export type ActionResult = Record<string, unknown>;

export type ActionFamily = 'files' | 'pdf' | 'mail' | 'http' | 'web' | 'desktop' | 'control';

export interface ActionDef<P extends z.ZodType = z.ZodType> {
  name: string;
  family: ActionFamily;
  summary: string;
  /** Params without the reserved step params (when, id, timeout_ms, retry, idempotent, continue_on_error). */
  params: P;
  /** Safe to run twice (retries of non-idempotent steps need only_idempotent: false). */
  idempotent: boolean;
  /** Changes something outside the run; in a dry run it reports `would_*` instead. */
  mutating: boolean;
  /** Risk of a step with these params, for the pre-run approval check (undefined: none). */
  risk?(params: z.output<P>): { level: RiskLevel; reason: string } | undefined;
  run(params: z.output<P>, ctx: ActionContext): Promise<ActionResult>;
  /** What a mutating action would do (dry run); required when `mutating`. */
  dryRun?(params: z.output<P>, ctx: ActionContext): Promise<ActionResult>;
  /** Web and desktop actions: capture what the robot saw (on failure, or `screenshot: true`). */
  captureScreenshot?(ctx: ActionContext): Promise<ArtifactRef | undefined>;
}

/** An error from an action, with a code the failure clusters and the retry policy read. */
export class ActionError extends Error {
  constructor(
    readonly code: string,
    message: string,
    /** Worth retrying later (network, display not ready) vs. never (not found, invalid). */
    readonly retryable = false,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = 'ActionError';
  }

  /**
   * The action failed before it changed anything (a desktop step with no display, a secret that
   * could not be read): running the step again is safe whatever its idempotency, so a retry
   * policy with only_idempotent retries it too.
   */
  nothingDone = false;

  /** Marks the error as raised before the action changed anything (see nothingDone). */
  beforeAnyEffect(): this {
    this.nothingDone = true;
    return this;
  }
}

export function defineAction<P extends z.ZodType>(def: ActionDef<P>): ActionDef<P> {
  return def;
}
