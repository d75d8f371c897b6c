/**
 * What the triggers need from the run queue: its public enqueue (RunQueue.enqueue satisfies it).
 * Triggers never touch the runs table; an idempotency key makes a repeated hand-over harmless.
 */
export interface TriggerEnqueueRequest {
  template: string;
  variables: Record<string, unknown>;
  queue: string;
  priority: number;
  idempotency_key: string;
}

export interface TriggerOrigin {
  /** `schedule:<id>`, `watcher:<id>`, `webhook:<id>` (SPEC section 4). */
  trigger: string;
  /** `trigger.*` in templates. */
  triggerData: Record<string, unknown>;
  requestedBy: string | null;
}

export interface TriggerQueue {
  enqueue(request: TriggerEnqueueRequest, origin: TriggerOrigin): { run_id: string };
}
