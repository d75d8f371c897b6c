// size: the queue's lifecycle, dispatch loop and attempt ends share one state (slots, timers, leases); the parts with their own job are split out (pick-batch, attempt-end, recovery, run-operations, staged-run, unsettled-ends).
import { hostname } from 'node:os';
import type { OrchestratorConfig, QueueConfig } from '@shared/config';
import { newId } from '@shared/domain/ids';
import type { RunStatus } from '@shared/domain/runs';
import { AppError } from '../kernel/errors';
import type { EventBus } from '../kernel/event-bus';
import { Listeners } from '../kernel/listeners';
import type { Clock, Logger, TimerHandle } from '../kernel/ports';
import { parsePolicy, type NewRun, type RunRow, type RunsStorage } from '../runs';
import type { Redactor } from '../security';
import { announceAttemptEnd, decideAttemptEnd } from './attempt-end';
import type { DepthSampler } from './depth-sampler';
import { prepareEnqueue, type EnqueueOrigin, type EnqueueRequest, type Enqueued, type StagedRun } from './enqueue';
import { openQueues, pickBatch, type PickInput } from './pick-batch';
import type { ExecutionOutcome, RunExecutor, StopReason, TemplateCatalog } from './ports';
import type { QueueStateStorage } from './queue-state-store';
import { QueueSlots, type QueueSnapshot, type Running } from './queue-slots';
import { cancelRun, failWaitingRun, pauseRun, requeueWaitingRun, resumeRun, setQueuePaused, type OperationsContext } from './run-operations';
import { defaultPidAlive, recoverOrphans } from './recovery';
import { announceQueued, stagedRun } from './staged-run';
import { UnsettledEnds } from './unsettled-ends';

export type { EnqueueOrigin, EnqueueRequest, Enqueued, StagedRun } from './enqueue';
export type { QueueSnapshot } from './queue-slots';

export interface RunQueueOptions {
  runs: RunsStorage;
  queueState: QueueStateStorage;
  sampler: DepthSampler;
  clock: Clock;
  logger: Logger;
  bus: EventBus;
  redactor: Redactor;
  config: () => OrchestratorConfig;
  executor: RunExecutor;
  templates: TemplateCatalog;
  /** A running run's lease; a crashed owner's runs are recovered once it expires. */
  leaseMs?: number;
  heartbeatMs?: number;
  /** How long a graceful stop waits for running runs before asking them to stop. */
  stopGraceMs?: number;
  random?: () => number;
  /** Is a process with this pid alive on this host (lets a restart recover a dead owner's runs at once). */
  pidAlive?: (pid: number) => boolean;
}

/**
 * The durable run queue (SPEC section 5) over the runs storage port.
 *
 * Dispatch is event-driven: an enqueue, a finished run, a resumed queue or a due retry wakes the
 * dispatcher, which claims every run that fits the free slots in one `claimNext`. There is no
 * polling loop for new work; the only timers are the lease heartbeat, the next retry due time
 * and the recovery sweep. Order and aging: pick-batch.ts; how an attempt ends: attempt-end.ts;
 * crash recovery: recovery.ts; ends that could not be written: unsettled-ends.ts; a person's
 * operations on a run: run-operations.ts.
 */
export class RunQueue {
  readonly ownerId: string;
  private readonly runs: RunsStorage;
  private readonly log: Logger;
  /** Ends of runs that could not be recorded (disk full, read-only): tried again every heartbeat. */
  private readonly unsettled: UnsettledEnds;
  private readonly waitingApproval: Listeners<string>;
  private readonly slots: QueueSlots;
  private readonly ops: OperationsContext;
  private wakeScheduled = false;
  private accepting = false;
  private dispatching = false;
  private readonly timers = new Map<string, TimerHandle>();
  private dueTimer: TimerHandle | undefined;
  private dueAt: number | undefined;
  private readonly leaseMs: number;
  private readonly heartbeatMs: number;

  constructor(private readonly o: RunQueueOptions) {
    this.runs = o.runs;
    this.log = o.logger;
    this.leaseMs = o.leaseMs ?? 15_000;
    this.heartbeatMs = o.heartbeatMs ?? 5_000;
    this.ownerId = `${hostname()}/${process.pid}/${newId('q', o.clock.now()).slice(2)}`;
    this.slots = new QueueSlots(o.sampler, o.config);
    this.unsettled = new UnsettledEnds(o.runs, o.logger, this.heartbeatMs);
    this.waitingApproval = new Listeners(o.logger, "the queue's waiting-approval port", (runId) => ({ runId }));
    this.ops = { runs: o.runs, queueState: o.queueState, slots: this.slots, clock: o.clock, bus: o.bus, log: o.logger, wake: () => this.wake() };
  }

  private get running() {
    return this.slots.running;
  }

  // ---- lifecycle -------------------------------------------------------------------------

  start(): void {
    for (const name of this.o.queueState.pausedQueues()) this.slots.pausedQueues.add(name);
    this.slots.recount(this.runs);
    this.recover(true);
    this.armDueTimer();
    this.accepting = true;
    this.every('heartbeat', this.heartbeatMs, () => this.heartbeat());
    this.every('samples', 5_000, () => {
      this.slots.recount(this.runs);
      this.o.sampler.flush();
    });
    this.log.info('Queue started', { owner: this.ownerId, queues: Object.keys(this.o.config().queues) });
    this.wake();
  }

  /** Stop accepting; let running runs finish (up to the grace period), then stop them at a safe point. */
  async stop(): Promise<void> {
    this.accepting = false;
    for (const t of this.timers.values()) t.cancel();
    this.timers.clear();
    this.dueTimer?.cancel();
    // SPEC section 14: the process exits within 5 s of SIGTERM; what is still running then is
    // stopped at a safe point and continues after the restart.
    const grace = this.o.stopGraceMs ?? 3_000;
    if (this.running.size) {
      this.log.info(`Waiting for ${this.running.size} running run(s) to finish`, { graceMs: grace });
      const all = Promise.all([...this.running.values()].map((r) => r.done));
      const timedOut = await Promise.race([all.then(() => false), delay(grace).then(() => true)]);
      if (timedOut) {
        for (const [id, r] of this.running) {
          this.log.warn('Stopping a running run for shutdown; it will continue after restart', { runId: id });
          r.controller.abort('shutdown' satisfies StopReason);
        }
        await all;
      }
    }
    this.runs.flush();
    this.unsettled.retry();
    this.o.sampler.flush();
    this.log.info('Queue stopped');
  }

  /** HITL's port: a run stopped to wait for an approval (told once on disk, after the UI's run.updated). */
  onWaitingApproval(listener: (runId: string) => void): () => void {
    return this.waitingApproval.add(listener);
  }

  // ---- enqueue ---------------------------------------------------------------------------

  enqueue(request: EnqueueRequest, origin: EnqueueOrigin): Enqueued {
    return this.enqueueMany([request], origin)[0]!;
  }

  /** All or none, in one transaction (bulk enqueue); committed before anyone is told the run exists. */
  enqueueMany(requests: EnqueueRequest[], origin: EnqueueOrigin): Enqueued[] {
    const { rows, results } = this.prepare(requests, origin);
    this.runs.insert.insertMany(rows);
    const added = new Map<string, number>();
    for (const row of rows) added.set(row.queue, (added.get(row.queue) ?? 0) + 1);
    for (const [q, n] of added) this.slots.changeDepth(q, n);
    this.announceQueued(rows);
    return results;
  }

  /** One enqueue in halves, its run written by the caller's transaction (see StagedRun). */
  stage(request: EnqueueRequest, origin: EnqueueOrigin): StagedRun {
    const { rows, results } = this.prepare([request], origin);
    return stagedRun(rows[0], results[0]!.run_id, { runs: this.runs, slots: this.slots, announce: (r) => this.announceQueued(r) });
  }

  private prepare(requests: readonly EnqueueRequest[], origin: EnqueueOrigin) {
    if (!this.accepting) throw new AppError('UNAVAILABLE', 'The queue is not accepting runs (starting up or shutting down); try again shortly', { retry_after_s: 2 });
    const depth = (q: string) => this.slots.depthOf(q);
    return prepareEnqueue(requests, origin, { config: this.o.config(), now: this.o.clock.now(), depth, runs: this.runs, templates: this.o.templates, redactor: this.o.redactor });
  }

  private readonly announceQueued = (rows: readonly NewRun[]) => announceQueued(rows, { slots: this.slots, bus: this.o.bus, wake: () => this.wake() });

  // ---- operations (run-operations.ts) -----------------------------------------------------

  cancel(id: string): RunStatus {
    return cancelRun(this.ops, id);
  }

  pause(id: string): RunStatus {
    return pauseRun(this.ops, id);
  }

  resume(id: string): RunStatus {
    return resumeRun(this.ops, id);
  }

  /** Puts a run that waited (approval granted) back in line; waiting is not an attempt. */
  requeueWaiting(id: string): void {
    requeueWaitingRun(this.ops, id);
  }

  /** Ends a run that waited (approval denied or expired) as failed. */
  failWaiting(id: string, error: string, errorCode: string): void {
    failWaitingRun(this.ops, id, error, errorCode);
  }

  pauseQueue(name: string, by: string | null): QueueSnapshot {
    this.mustQueue(name);
    setQueuePaused(this.ops, name, true, by);
    return this.snapshot(name);
  }

  resumeQueue(name: string, by: string | null): QueueSnapshot {
    this.mustQueue(name);
    setQueuePaused(this.ops, name, false, by);
    return this.snapshot(name);
  }

  queues(): QueueSnapshot[] {
    return Object.keys(this.o.config().queues).map((n) => this.snapshot(n));
  }

  snapshot(name: string): QueueSnapshot {
    return this.slots.snapshot(name, this.mustQueue(name));
  }

  /** Runs executing in this process right now. */
  get runningCount(): number {
    return this.running.size;
  }

  // ---- dispatch --------------------------------------------------------------------------

  /** Asks for a dispatch pass soon (coalesced). */
  wake(): void {
    if (this.wakeScheduled || !this.accepting) return;
    this.wakeScheduled = true;
    setImmediate(() => {
      this.wakeScheduled = false;
      this.dispatch();
    });
  }

  private dispatch(): void {
    if (this.dispatching || !this.accepting) return;
    this.dispatching = true;
    try {
      // Slots are counted in memory, so finished runs' deferred writes need not be committed first.
      for (;;) {
        const now = this.o.clock.now();
        const input: PickInput = {
          config: this.o.config(),
          now,
          running: this.running.values(),
          runningCount: this.running.size,
          depth: (q) => this.slots.depthOf(q),
          paused: (q) => this.slots.isPaused(q),
          levels: this.slots.levels,
          heads: (q, p, blocked, limit) => this.runs.claim.heads(q, p, blocked, limit),
        };
        // Nothing can start (no free slot, nothing waiting, queues paused): no transaction at all.
        const open = openQueues(input);
        if (!open.queueFree.size) break;
        let picked = 0;
        // Reading the heads, claiming and committing the finished runs' writes: one transaction.
        const claimed = this.runs.claimNext(
          () => {
            // The open queues counted above: nothing starts or ends between there and here.
            const ids = pickBatch(input, open);
            picked = ids.length;
            return ids;
          },
          this.ownerId,
          now + this.leaseMs,
          now,
        );
        for (const row of claimed) this.startRun(row, now);
        if (picked && claimed.length < picked) continue; // some were taken by another process: look again
        break;
      }
    } catch (e) {
      this.log.error('Dispatch failed; will retry on the next event', { error: e as Error });
    } finally {
      this.dispatching = false;
    }
  }

  /** Starts executing a claimed run; `claimedAt` is when this attempt began (the claim). */
  private startRun(row: RunRow, claimedAt: number): void {
    const { id, queue } = row;
    const controller = new AbortController();
    const entry: Running = { queue, tag: row.concurrency_tag, controller, done: Promise.resolve() };
    this.running.set(id, entry);
    this.slots.changeDepth(queue, -1);
    if (row.timeout_ms) entry.timeout = this.o.clock.setTimer(row.timeout_ms, () => controller.abort('timeout' satisfies StopReason));
    this.o.bus.publish('run.started', { runId: id, queue, template: row.template, attempt: row.attempts });
    entry.done = this.attempt(row, entry, claimedAt);
  }

  /** Executes the claimed run and records how the attempt ended; one async frame per run (issue 18). */
  private async attempt(row: RunRow, entry: Running, startedAt: number): Promise<void> {
    const signal = entry.controller.signal;
    try {
      let outcome: ExecutionOutcome;
      try {
        outcome = await this.o.executor.execute(row.id, signal, row);
      } catch (e) {
        outcome = { status: 'failed', error: `Engine error: ${(e as Error).message}`, errorCode: 'ENGINE_ERROR', retryable: false };
      }
      this.settle(row, startedAt, outcome, signal.reason as StopReason | undefined);
    } catch (e) {
      this.log.error('Could not record the end of a run', { runId: row.id, error: e as Error });
    } finally {
      entry.timeout?.cancel();
      this.running.delete(row.id);
      this.wake();
    }
  }

  /**
   * Records how an attempt ended (one `runs.settle`, group-committed with other runs finishing in
   * the same turn); events and follow-ups happen once it is on disk. When it cannot be written,
   * the run is kept and the write tried again every heartbeat, with the cause in the log.
   */
  private settle(run: RunRow, startedAt: number, outcome: ExecutionOutcome, stop: StopReason | undefined): void {
    const id = run.id;
    const end = decideAttemptEnd(run, startedAt, outcome, stop, {
      now: this.o.clock.now(),
      policy: () => parsePolicy(run.retry_json, this.slots.queueConfig(run.queue).retry_policy),
      mask: (s) => this.o.redactor.mask(s),
      random: this.o.random,
    });
    const announce = () => {
      if (end.next === 'retry_wait' || end.next === 'queued') this.slots.changeDepth(run.queue, +1);
      if (end.next === 'queued') this.slots.markLevel(run.queue, run.priority);
      if (end.next === 'retry_wait') this.armDueTimer();
      announceAttemptEnd(end, run, this.o.bus, this.log);
      if (end.next === 'waiting_approval') this.waitingApproval.tell(run.id);
    };
    let failed = false;
    this.runs.settle(id, end.settlement, (e) => {
      failed = true;
      this.unsettled.add(id, end.next, end.settlement, announce, e);
    });
    this.runs.afterCommit(() => {
      if (!failed) announce();
    });
  }

  // ---- leases, recovery, retries ---------------------------------------------------------

  private heartbeat(): void {
    try {
      this.unsettled.retry();
      const now = this.o.clock.now();
      this.runs.lease.renew([...this.running.keys()], this.ownerId, now + this.leaseMs);
      // A cancel asked through another process (the CLI, a second instance) reaches us here.
      for (const id of this.runs.lease.cancelRequested(this.ownerId)) this.running.get(id)?.controller.abort('cancel' satisfies StopReason);
      this.recover(false);
    } catch (e) {
      this.log.error(`Heartbeat failed: ${(e as Error).message}`, { error: e as Error });
    }
  }

  /**
   * Runs whose owner is gone become `interrupted`, then are re-queued or failed from the step
   * journal (recovery.ts), each in one transaction.
   */
  recover(atStart: boolean): number {
    return recoverOrphans(this.ops, { atStart, ownerId: this.ownerId, mine: (id) => this.running.has(id) || this.unsettled.has(id), pidAlive: this.o.pidAlive ?? defaultPidAlive });
  }

  private armDueTimer(): void {
    this.runs.flush();
    const due = this.runs.claim.nextDue();
    if (due === null) return;
    if (this.dueTimer && this.dueAt !== undefined && this.dueAt <= due) return;
    this.dueTimer?.cancel();
    this.dueAt = due;
    this.dueTimer = this.o.clock.setTimer(due - this.o.clock.now(), () => {
      this.dueTimer = undefined;
      this.dueAt = undefined;
      const promoted = this.runs.claim.promoteDue(this.o.clock.now());
      for (const p of promoted) this.slots.markLevel(p.queue, p.priority);
      if (promoted.length) this.wake();
      this.armDueTimer();
    });
  }

  // ---- bookkeeping ----------------------------------------------------------------------

  private mustQueue(name: string): QueueConfig {
    const q = this.o.config().queues[name];
    if (!q) throw new AppError('NOT_FOUND', `Queue '${name}' not found (queues: ${Object.keys(this.o.config().queues).join(', ')})`);
    return q;
  }

  private every(name: string, ms: number, fn: () => void): void {
    const tick = () => {
      try {
        fn();
      } catch (e) {
        // A failed tick (the database refusing writes) must not end the timer.
        this.log.error(`Queue ${name} failed: ${(e as Error).message}`, { error: e as Error });
      }
      if (this.accepting) this.timers.set(name, this.o.clock.setTimer(ms, tick));
    };
    this.timers.set(name, this.o.clock.setTimer(ms, tick));
  }
}

function delay(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms).unref?.());
}
