import { hostname } from 'node:os';
import type { RetryPolicy } from '@shared/config';
import type { RunRow, RunsStorage, Settlement } from '../runs';
import { parseHistory, parsePolicy } from '../runs';
import { shouldRetry } from './backoff';
import type { OperationsContext } from './run-operations';

export interface Recovered {
  run: RunRow;
  requeued: boolean;
  reason: string;
  /** The run's error when it is failed. */
  error?: string;
}

export const defaultPidAlive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
};

/**
 * What recovery does with a run whose process is gone (SPEC section 5 and 14), from the step
 * journal: a step that started and may have had its side effect (not idempotent as rendered) is
 * never repeated silently — the run fails with `interrupted during steps[i] <action>` and an
 * operator can run it again; otherwise (no step started, or the started step is safe to repeat)
 * the run is re-queued while attempts remain.
 */
export function recoverySettlement(run: RunRow, runs: RunsStorage, deps: { now: number; policy: RetryPolicy; owner: string | null }): { settlement: Settlement; requeued: boolean; reason: string; error?: string } {
  const { now } = deps;
  const reason = `The process running it (${deps.owner ?? 'unknown'}) stopped without finishing (crash or kill)`;
  const started = runs.interruptedStep(run.id);
  const history = parseHistory(run.attempt_history_json);
  const during = started ? `steps[${started.index}] ${started.action}${started.stepId ? ` (${started.stepId})` : ''}` : undefined;
  history.push({
    attempt: run.attempts,
    started_at: run.started_at ? new Date(run.started_at).toISOString() : null,
    finished_at: new Date(now).toISOString(),
    status: 'interrupted',
    error: during ? `${reason}, during ${during}` : reason,
    error_code: 'INTERRUPTED',
  });
  if (started && started.idempotent === false) {
    const error = `interrupted during ${during}: the step may have had its effect, so it is not repeated; run the template again once you have checked (${reason})`;
    return { settlement: { kind: 'interrupt', now, reason, history, then: { requeue: false, error } }, requeued: false, reason, error };
  }
  const decision = shouldRetry({ policy: deps.policy, attempts: run.attempts, retryable: true, failedStepIdempotent: true });
  if (decision.retry) return { settlement: { kind: 'interrupt', now, reason, history, then: { requeue: true, attempts: run.attempts, enqueuedAt: run.enqueued_at } }, requeued: true, reason };
  const error = `${reason}; not re-queued: ${decision.reason}`;
  return { settlement: { kind: 'interrupt', now, reason, history, then: { requeue: false, error } }, requeued: false, reason, error };
}

/**
 * The running runs whose owner is gone: at start, an owner on this host whose process is dead is
 * gone at once; otherwise its lease must have expired. Runs this process executes are skipped.
 */
export function orphanedRuns(runs: RunsStorage, o: { atStart: boolean; now: number; ownerId: string; mine: (id: string) => boolean; pidAlive: (pid: number) => boolean }) {
  const host = hostname();
  const candidates = o.atStart
    ? runs.lease.running().filter((r) => {
        const [h, pid] = (r.lease_owner ?? '').split('/');
        const deadHere = r.lease_owner !== o.ownerId && h === host && pid !== undefined && !o.pidAlive(Number(pid));
        return deadHere || (r.lease_expires_at ?? 0) < o.now;
      })
    : runs.lease.expired(o.now);
  // Our own run whose lease expired is orphaned only when we no longer execute it (its end could not be recorded).
  return candidates.filter((r) => !o.mine(r.id));
}

/**
 * The recovery sweep (at start and every heartbeat): runs whose owner is gone become `interrupted`,
 * then are re-queued or failed from the step journal, each in one transaction. Returns how many.
 */
export function recoverOrphans(c: OperationsContext, o: { atStart: boolean; ownerId: string; mine: (id: string) => boolean; pidAlive: (pid: number) => boolean }): number {
  c.runs.flush();
  const now = c.clock.now();
  const orphans = orphanedRuns(c.runs, { atStart: o.atStart, now, ownerId: o.ownerId, mine: o.mine, pidAlive: o.pidAlive });
  let n = 0;
  for (const orphan of orphans) {
    const run = c.runs.read.row(orphan.id);
    if (!run || run.status !== 'running') continue;
    const r = recoverySettlement(run, c.runs, { now, owner: orphan.lease_owner, policy: parsePolicy(run.retry_json, c.slots.queueConfig(run.queue).retry_policy) });
    c.runs.settleNow(orphan.id, r.settlement);
    n++;
    c.log.warn(r.requeued ? 'Recovered an interrupted run; re-queued' : `Recovered an interrupted run; failed: ${r.error}`, { runId: orphan.id, owner: orphan.lease_owner });
    c.bus.publish('run.interrupted', { runId: orphan.id, queue: run.queue, template: run.template, reason: r.reason });
    if (r.requeued) {
      c.slots.changeDepth(run.queue, +1);
      c.slots.markLevel(run.queue, run.priority);
    } else c.bus.publish('run.finished', { runId: orphan.id, queue: run.queue, template: run.template, status: 'failed', error: r.error ?? r.reason });
  }
  if (n) c.wake();
  return n;
}
