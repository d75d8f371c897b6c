/** Run and step states (SPEC section 4). */
export const RUN_STATUSES = ['queued', 'running', 'succeeded', 'failed', 'cancelled', 'paused', 'waiting_approval', 'retry_wait', 'interrupted'] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];

export const FINAL_STATUSES: readonly RunStatus[] = ['succeeded', 'failed', 'cancelled'];
/** States that count towards a queue's depth (and its max_queued). */
export const WAITING_STATUSES: readonly RunStatus[] = ['queued', 'retry_wait'];

export const STEP_STATUSES = ['pending', 'running', 'succeeded', 'failed', 'skipped'] as const;
export type StepStatus = (typeof STEP_STATUSES)[number];

export function isFinal(status: string): boolean {
  return (FINAL_STATUSES as readonly string[]).includes(status);
}

/** `manual | api | schedule:<id> | watcher:<id> | webhook:<id>` (plus `retry:<run>` for re-runs). */
export type RunTrigger = string;

/**
 * A desktop step found the screen locked (Electron's powerMonitor or the OS said so) before it
 * touched anything: the queue defers the run (retry_wait, rechecked every DESKTOP_LOCKED_RECHECK_MS)
 * whatever its retry policy; a locked screen never fails a run, and the deferred try is no attempt
 * (the count, the history and the run's start stay as they were).
 */
export const DESKTOP_LOCKED = 'DESKTOP_LOCKED';
export const DESKTOP_LOCKED_RECHECK_MS = 60_000;
