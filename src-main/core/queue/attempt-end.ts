import type { RetryPolicy } from '@shared/config';
import { isoAt } from '../kernel/clock';
import type { EventBus } from '../kernel/event-bus';
import type { Logger } from '../kernel/ports';
import { DESKTOP_LOCKED, DESKTOP_LOCKED_RECHECK_MS, type RunStatus } from '@shared/domain/runs';
import type { AttemptRecord, RunRow, Settlement } from '../runs';
import { parseHistory } from '../runs';
import { retryDelayMs, shouldRetry } from './backoff';
import type { ExecutionOutcome, StopReason } from './ports';

export interface AttemptEnd {
  /** The run's state once this is recorded. */
  next: RunStatus;
  settlement: Settlement;
  /** The attempt as recorded in the history (error masked); a deferral records none (this is what it would have been). */
  attempt: AttemptRecord;
  /** When a retry is due (retry_wait). */
  due: number;
}

/**
 * Decides how an attempt ends from the engine's outcome and why we stopped it (if we did): the
 * state, the retry, and the history entry. Pure: the queue records the result with one
 * `runs.settle`. Waiting for an approval is not an attempt: the attempt that asked goes on when
 * the run resumes, so its history entry is replaced, keeping its start, and the resume does not
 * count again (see `requeueWaiting`).
 */
export function decideAttemptEnd(
  run: RunRow,
  startedAt: number,
  outcome: ExecutionOutcome,
  stop: StopReason | undefined,
  /** `policy`: the run's retry policy, read only when a failure may be retried. */
  deps: { now: number; policy: () => RetryPolicy; mask: (s: string) => string; random?: () => number },
): AttemptEnd {
  const { now } = deps;
  const history = parseHistory(run.attempt_history_json);
  let status = outcome.status;
  let error = outcome.error ?? null;
  let errorCode = outcome.errorCode ?? null;
  // The engine stopped because we asked it to: the reason decides the state.
  if (stop === 'timeout' && status !== 'succeeded') {
    status = 'failed';
    error = `Run timed out after ${run.timeout_ms} ms`;
    errorCode = 'RUN_TIMEOUT';
  } else if (stop === 'cancel' && status !== 'succeeded') {
    status = 'cancelled';
  } else if (stop === 'pause' && status !== 'succeeded' && status !== 'failed') {
    status = 'paused';
  } else if (stop === 'shutdown' && status !== 'succeeded' && status !== 'failed') {
    status = 'interrupted';
  }
  const last = history[history.length - 1];
  const continued = last && last.attempt === run.attempts && last.status === 'waiting_approval' ? last : undefined;
  const attempt: AttemptRecord = {
    attempt: run.attempts,
    started_at: continued?.started_at ?? isoAt(startedAt),
    finished_at: isoAt(now),
    status,
    error: error ? deps.mask(error) : null,
    error_code: errorCode,
  };

  // A locked screen defers the run, whatever its retry policy: it is not the run's failure, and
  // the try is no attempt (nothing was touched), so the count and the history stay as they were.
  if (status === 'failed' && errorCode === DESKTOP_LOCKED && stop === undefined) {
    const due = now + DESKTOP_LOCKED_RECHECK_MS;
    return { next: 'retry_wait', attempt, due, settlement: { kind: 'defer', due, attempts: Math.max(0, run.attempts - 1), error, errorCode } };
  }
  if (continued) history.pop();
  history.push(attempt);

  switch (status) {
    case 'succeeded':
      return { next: 'succeeded', attempt, due: 0, settlement: { kind: 'finish', status, now, error: null, errorCode: null, history } };
    case 'cancelled':
      return { next: 'cancelled', attempt, due: 0, settlement: { kind: 'finish', status, now, error: error ?? 'cancelled by a person', errorCode: 'CANCELLED', history } };
    case 'failed': {
      const policy = deps.policy();
      const decision = shouldRetry({ policy, attempts: run.attempts, retryable: outcome.retryable ?? false, failedStepIdempotent: outcome.failedStepIdempotent ?? true });
      if (decision.retry && stop !== 'timeout') {
        const due = now + retryDelayMs(policy, run.attempts, deps.random);
        return { next: 'retry_wait', attempt, due, settlement: { kind: 'retry_wait', due, error, errorCode, history } };
      }
      return { next: 'failed', attempt, due: 0, settlement: { kind: 'finish', status: 'failed', now, error, errorCode, history } };
    }
    case 'waiting_approval':
      return { next: 'waiting_approval', attempt, due: 0, settlement: { kind: 'park', status: 'waiting_approval', history } };
    case 'paused':
      return { next: 'paused', attempt, due: 0, settlement: { kind: 'park', status: 'paused', history, pausedFrom: 'running' } };
    default:
      // Stopped for shutdown at a safe point: back in line, and the attempt does not count.
      return {
        next: 'queued',
        attempt,
        due: 0,
        settlement: { kind: 'requeue', now, attempts: Math.max(0, run.attempts - 1), history, enqueuedAt: run.enqueued_at, error: 'interrupted by shutdown; re-queued', errorCode: 'INTERRUPTED' },
      };
  }
}

/** Tells the app how an attempt ended, once it is on disk. */
export function announceAttemptEnd(end: AttemptEnd, run: RunRow, bus: EventBus, log: Logger): void {
  const base = { runId: run.id, queue: run.queue, template: run.template };
  switch (end.next) {
    case 'retry_wait': {
      // A deferral gave its attempt back: the next try is the same attempt again.
      const deferred = end.settlement.kind === 'defer';
      if (deferred) log.info('Run deferred: the screen is locked', { runId: run.id, dueAt: new Date(end.due).toISOString() });
      else log.info('Run will be retried', { runId: run.id, attempt: run.attempts, dueAt: new Date(end.due).toISOString() });
      bus.publish('run.retrying', { ...base, attempt: deferred ? run.attempts : run.attempts + 1, dueAt: new Date(end.due).toISOString(), error: end.attempt.error });
      break;
    }
    case 'queued':
      bus.publish('run.interrupted', { ...base, reason: 'shutdown' });
      break;
    case 'paused':
      bus.publish('run.paused', base);
      break;
    case 'waiting_approval':
      bus.publish('run.updated', { ...base, status: 'waiting_approval' });
      break;
    default:
      bus.publish('run.finished', { ...base, status: end.next, error: end.attempt.error });
  }
}
