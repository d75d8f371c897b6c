import type { EventBus } from '../kernel/event-bus';
import type { NewRun, RunsStorage } from '../runs';
import type { StagedRun } from './enqueue';
import type { QueueSlots } from './queue-slots';

/** The halves of a staged enqueue (RunQueue.stage): `row` undefined when an idempotency key found `runId` already queued. */
export function stagedRun(row: NewRun | undefined, runId: string, q: { runs: RunsStorage; slots: QueueSlots; announce(rows: readonly NewRun[]): void }): StagedRun {
  if (!row) return { run_id: runId, write: () => undefined, announce: () => undefined, release: () => undefined };
  // Counted at once, so max_queued holds across the deliveries of one group commit.
  q.slots.changeDepth(row.queue, 1);
  let committed: (() => void) | undefined;
  return {
    run_id: row.id,
    write: () => {
      const insert = q.runs.insert;
      if (insert.insertInTransaction) committed = insert.insertInTransaction(row);
      else insert.insertMany([row]);
    },
    announce: () => {
      committed?.();
      q.announce([row]);
    },
    release: () => q.slots.changeDepth(row.queue, -1),
  };
}

/** Runs now on disk: their priority levels have work, the UI hears of them, dispatch looks. */
export function announceQueued(rows: readonly NewRun[], q: { slots: QueueSlots; bus: EventBus; wake(): void }): void {
  for (const row of rows) {
    q.slots.markLevel(row.queue, row.priority);
    q.bus.publish('run.queued', { runId: row.id, template: row.template, queue: row.queue, priority: row.priority });
  }
  if (rows.length) q.wake();
}
