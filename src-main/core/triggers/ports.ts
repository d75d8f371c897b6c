import type { Database } from 'better-sqlite3';
import type { ConfigStore } from '../config';
import type { EventBus } from '../kernel/event-bus';
import type { Clock, Logger } from '../kernel/ports';

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

/** A run checked and counted now, inserted by the caller's own transaction (RunQueue.stage). */
export interface StagedTriggerRun {
  run_id: string;
  /** Inserts the run in the caller's open transaction (SQL only). */
  write(): void;
  /** Once that transaction committed. */
  announce(): void;
  /** When it was not written after all (a replay, a failed commit). */
  release(): void;
}

/** The webhooks' queue: a run staged to share the commit of its delivery record (and of the deliveries that arrived with it). */
export interface StagingQueue extends TriggerQueue {
  stage(request: Omit<TriggerEnqueueRequest, 'idempotency_key'>, origin: TriggerOrigin): StagedTriggerRun;
}

/** The ports every trigger module is built from (schedules, webhooks, watchers). */
export interface TriggerModulePorts {
  db: Database;
  clock: Clock;
  logger: Logger;
  bus: EventBus;
  /** Its file (schedules.yaml, webhooks.yaml, …): read, hot-reloaded and written back. */
  config: ConfigStore;
  queue: TriggerQueue;
  /** Does a template of this name exist (checked when a trigger is saved)? */
  templateExists(name: string): boolean;
  queueNames(): string[];
}
