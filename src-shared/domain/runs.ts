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
