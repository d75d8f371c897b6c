import type { RunStatus } from '@shared/domain/runs';
import { AppError } from '../kernel/errors';
import type { EventBus } from '../kernel/event-bus';
import type { Clock, Logger } from '../kernel/ports';
import { parseHistory, type RunRow, type RunsStorage } from '../runs';
import type { StopReason } from './ports';
import type { QueueSlots } from './queue-slots';
import type { QueueStateStorage } from './queue-state-store';

/** What a person's operations on a run or a whole queue need from the queue. */
export interface OperationsContext {
  runs: RunsStorage;
  queueState: QueueStateStorage;
  slots: QueueSlots;
  clock: Clock;
  bus: EventBus;
  log: Logger;
  wake(): void;
}

function mustGet(c: OperationsContext, id: string): RunRow {
  c.runs.flush();
  return c.runs.read.mustRow(id);
}

/** Cancel: a running run stops at its next safe point (here or, through the database, in its process). */
export function cancelRun(c: OperationsContext, id: string): RunStatus {
  const run = mustGet(c, id);
  if (run.status === 'running') {
    const mine = c.slots.running.get(id);
    if (mine) mine.controller.abort('cancel' satisfies StopReason);
    else c.runs.lease.requestCancel(id);
    c.log.info('Cancel requested for a running run', { runId: id });
    return 'running';
  }
  if (['succeeded', 'failed', 'cancelled'].includes(run.status)) throw new AppError('CONFLICT', `Run ${id} already finished (${run.status}); nothing to cancel`);
  const history = parseHistory(run.attempt_history_json);
  c.runs.settleNow(id, { kind: 'finish', status: 'cancelled', now: c.clock.now(), error: 'cancelled by a person', errorCode: 'CANCELLED', history });
  if (run.status === 'queued' || run.status === 'retry_wait') c.slots.changeDepth(run.queue, -1);
  c.bus.publish('run.cancelled', { runId: id, queue: run.queue, template: run.template });
  c.bus.publish('run.finished', { runId: id, queue: run.queue, template: run.template, status: 'cancelled', error: 'cancelled by a person' });
  return 'cancelled';
}

export function pauseRun(c: OperationsContext, id: string): RunStatus {
  const run = mustGet(c, id);
  if (run.status === 'running') {
    const mine = c.slots.running.get(id);
    if (!mine) throw new AppError('CONFLICT', `Run ${id} is running in another process (${run.lease_owner}); pause it there`);
    mine.controller.abort('pause' satisfies StopReason);
    return 'running';
  }
  if (run.status === 'paused') return 'paused';
  if (run.status !== 'queued' && run.status !== 'retry_wait') throw new AppError('CONFLICT', `Run ${id} is ${run.status}; only queued, waiting or running runs can be paused`);
  c.runs.settleNow(id, { kind: 'park', status: 'paused', pausedFrom: run.status });
  c.slots.changeDepth(run.queue, -1);
  c.bus.publish('run.paused', { runId: id, queue: run.queue, template: run.template });
  return 'paused';
}

export function resumeRun(c: OperationsContext, id: string): RunStatus {
  const run = mustGet(c, id);
  if (run.status !== 'paused') throw new AppError('CONFLICT', `Run ${id} is ${run.status}, not paused`);
  backInLine(c, run, run.attempts);
  c.bus.publish('run.resumed', { runId: id, queue: run.queue, template: run.template });
  return 'queued';
}

/**
 * Puts a run that waited (approval granted) back in line, keeping its place. Waiting is not an
 * attempt: the claim that resumes it does not count one more.
 */
export function requeueWaitingRun(c: OperationsContext, id: string): void {
  const run = mustGet(c, id);
  if (run.status !== 'waiting_approval') throw new AppError('CONFLICT', `Run ${id} is ${run.status}, not waiting for approval`);
  backInLine(c, run, Math.max(0, run.attempts - 1));
  c.bus.publish('run.queued', { runId: id, queue: run.queue, template: run.template, priority: run.priority });
}

function backInLine(c: OperationsContext, run: RunRow, attempts: number): void {
  c.runs.settleNow(run.id, { kind: 'requeue', now: c.clock.now(), attempts, enqueuedAt: run.enqueued_at });
  c.slots.changeDepth(run.queue, +1);
  c.slots.markLevel(run.queue, run.priority);
  c.wake();
}

/** Ends a run that waited (approval denied or expired) as failed. */
export function failWaitingRun(c: OperationsContext, id: string, error: string, errorCode: string): void {
  const run = mustGet(c, id);
  if (run.status !== 'waiting_approval') throw new AppError('CONFLICT', `Run ${id} is ${run.status}, not waiting for approval`);
  c.runs.settleNow(id, { kind: 'finish', status: 'failed', now: c.clock.now(), error, errorCode, history: parseHistory(run.attempt_history_json) });
  c.bus.publish('run.finished', { runId: id, queue: run.queue, template: run.template, status: 'failed', error });
}

/** Pause or resume a whole queue (kept across restarts): a paused queue starts nothing new. */
export function setQueuePaused(c: OperationsContext, name: string, paused: boolean, by: string | null): void {
  c.queueState.setPaused(name, paused, by, c.clock.now());
  if (paused) c.slots.pausedQueues.add(name);
  else c.slots.pausedQueues.delete(name);
  c.log.info(`Queue ${name} ${paused ? 'paused' : 'resumed'}`, { by });
  c.bus.publish(paused ? 'queue.paused' : 'queue.resumed', { queue: name, by });
  if (!paused) c.wake();
}
