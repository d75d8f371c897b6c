import type { Issue } from '@shared/contract/errors';
import type { RetryPolicy } from '@shared/config';
import type { RunRow } from '../runs';

/** Why a running run is asked to stop at its next safe point. */
export type StopReason = 'cancel' | 'pause' | 'shutdown' | 'timeout';

export interface ExecutionOutcome {
  status: 'succeeded' | 'failed' | 'cancelled' | 'waiting_approval' | 'paused' | 'interrupted';
  error?: string | null;
  errorCode?: string | null;
  /** A failure worth retrying (network, timeout, display not ready) as opposed to invalid input or not found. */
  retryable?: boolean;
  failedStepIdempotent?: boolean;
}

/**
 * Runs one attempt of a run (the engine). The signal's reason is a StopReason. `claimed` is the
 * run's row as the claim read it (so the executor need not read it again).
 */
export interface RunExecutor {
  execute(runId: string, signal: AbortSignal, claimed?: RunRow): Promise<ExecutionOutcome>;
}

/** What the queue needs to know about a template at enqueue time. */
export interface TemplateFacts {
  /** The template's storage name (what runs record as their template). */
  name: string;
  hash: string;
  execution: {
    queue?: string;
    priority?: number;
    concurrency_tag?: string;
    timeout_ms?: number;
    retry?: Partial<RetryPolicy>;
  };
}

/** Finds templates by name and validates template text (the engine's templates module). */
export interface TemplateCatalog {
  /** The YAML text of a named template, or undefined. */
  load(name: string): string | undefined;
  /** Validates and extracts execution defaults; cached by content. */
  inspect(yaml: string): { ok: true; facts: TemplateFacts } | { ok: false; issues: Issue[] };
}
