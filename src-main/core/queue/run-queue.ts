import { hostname } from 'node:os';
import type { Database } from 'better-sqlite3';
import type { OrchestratorConfig, QueueConfig, RetryPolicy } from '@shared/config';
import { newId } from '@shared/domain/ids';
import type { RunStatus } from '@shared/domain/runs';
import { AppError } from '../kernel/errors';
import type { EventBus } from '../kernel/event-bus';
import type { Clock, Logger, TimerHandle } from '../kernel/ports';
import type { WriteBatcher } from '../db/write-batcher';
import type { Redactor } from '../security/redaction';
import { retryDelayMs, shouldRetry } from './backoff';
import type { ExecutionOutcome, RunExecutor, StopReason, TemplateCatalog } from './ports';
import { DepthSampler } from './depth-sampler';
import { QueueStore, parseHistory, parsePolicy, type AttemptRecord, type NewRunRow, type QueueRunRow } from './queue-store';

export interface EnqueueRequest {
  template?: string;
  template_yaml?: string;
  variables?: Record<string, unknown>;
  queue?: string;
  priority?: number;
  dry_run?: boolean;
  idempotency_key?: string;
}

export interface EnqueueOrigin {
  /** `manual | api | schedule:<id> | watcher:<id> | webhook:<id>` */
  trigger: string;
  /** `trigger.*` in templates (file path of a watcher, webhook payload fields, …). */
  triggerData?: Record<string, unknown>;
  requestedBy: string | null;
  retryOf?: string;
  /** The name to record when the request carries template_yaml (a re-run keeps the original name). */
  templateName?: string;
}

export interface Enqueued {
  run_id: string;
  status: RunStatus;
  queue: string;
  priority: number;
  duplicate: boolean;
}

export interface QueueSnapshot {
  name: string;
  depth: number;
  running: number;
  paused: boolean;
  max_concurrent: number;
  max_queued: number;
}

export interface RunQueueOptions {
  db: Database;
  clock: Clock;
  logger: Logger;
  bus: EventBus;
  redactor: Redactor;
  config: () => OrchestratorConfig;
  executor: RunExecutor;
  templates: TemplateCatalog;
  /** Group commit of run completions (the core's); without it each completion commits alone. */
  writes?: WriteBatcher;
  /** A running run's lease; a crashed owner's runs are recovered once it expires. */
  leaseMs?: number;
  heartbeatMs?: number;
  /** How long a graceful stop waits for running runs before asking them to stop. */
  stopGraceMs?: number;
  random?: () => number;
  /** Is a process with this pid alive on this host (lets a restart recover a dead owner's runs at once). */
  pidAlive?: (pid: number) => boolean;
  /** Told of each failed run inside the transaction that finishes it (failure clusters). */
  onRunFailed?: (runId: string, error: string | null, errorCode: string | null, at: number) => void;
}

interface Running {
  queue: string;
  tag: string | null;
  /** The run's row as claimed (attempts, history, retry policy): settle needs no second read. */
  row: QueueRunRow;
  controller: AbortController;
  done: Promise<void>;
  timeout?: TimerHandle;
}

const defaultPidAlive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
};

/**
 * The durable run queue on SQLite (SPEC section 5).
 *
 * Dispatch is event-driven: an enqueue, a finished run, a resumed queue or a due retry wakes the
 * dispatcher, which claims runs one transaction each while slots are free. There is no polling
 * loop for new work; the only timers are the lease heartbeat, the next retry due time and the
 * recovery sweep.
 *
 * Order: priority 1 first, FIFO within a priority. Aging: a waiting run counts one level higher
 * for every `global.aging_ms` it has waited (never above 1), so low priorities never starve. A run
 * whose concurrency tag is at its limit is passed over without blocking the runs behind it.
 */
export class RunQueue {
  readonly ownerId: string;
  private readonly store: QueueStore;
  private readonly log: Logger;
  private readonly running = new Map<string, Running>();
  private readonly depth = new Map<string, number>();
  private readonly pausedQueues = new Set<string>();
  /**
   * Priority levels that may hold queued runs, per queue: set whenever a run becomes queued at a
   * level, cleared when a look finds the level empty, rebuilt from the table every few seconds.
   * It spares the dispatcher nine index probes per queue on every pass.
   */
  private readonly levels = new Map<string, Set<number>>();
  private readonly sampler: DepthSampler;
  private wakeScheduled = false;
  private accepting = false;
  private dispatching = false;
  private readonly timers = new Map<string, TimerHandle>();
  private dueTimer: TimerHandle | undefined;
  private dueAt: number | undefined;
  private readonly leaseMs: number;
  private readonly heartbeatMs: number;

  constructor(private readonly o: RunQueueOptions) {
    this.store = new QueueStore(o.db, o.onRunFailed);
    this.log = o.logger;
    this.leaseMs = o.leaseMs ?? 15_000;
    this.heartbeatMs = o.heartbeatMs ?? 5_000;
    this.ownerId = `${hostname()}/${process.pid}/${newId('q', o.clock.now()).slice(2)}`;
    this.sampler = new DepthSampler(o.db, () => o.clock.now());
  }

  // ---- lifecycle -------------------------------------------------------------------------

  start(): void {
    for (const row of this.o.db.prepare('select name from queue_state where paused = 1').pluck().all() as string[]) this.pausedQueues.add(row);
    this.recountDepth();
    this.recover(true);
    this.armDueTimer();
    this.accepting = true;
    this.every('heartbeat', this.heartbeatMs, () => this.heartbeat());
    this.every('samples', 5_000, () => {
      this.recountDepth();
      this.sampler.flush();
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
    this.sampler.flush();
    this.log.info('Queue stopped');
  }

  // ---- enqueue ---------------------------------------------------------------------------

  enqueue(request: EnqueueRequest, origin: EnqueueOrigin): Enqueued {
    return this.enqueueMany([request], origin)[0]!;
  }

  /** All or none, in one transaction (bulk enqueue). */
  enqueueMany(requests: EnqueueRequest[], origin: EnqueueOrigin): Enqueued[] {
    if (!this.accepting) throw new AppError('UNAVAILABLE', 'The queue is not accepting runs (starting up or shutting down); try again shortly', { retry_after_s: 2 });
    const cfg = this.o.config();
    const now = this.o.clock.now();
    const rows: NewRunRow[] = [];
    const results: Enqueued[] = [];
    const added = new Map<string, number>();
    for (const [i, req] of requests.entries()) {
      const prefix = requests.length > 1 ? `runs[${i}].` : '';
      if (req.idempotency_key) {
        const existing = this.store.findByIdempotencyKey(req.idempotency_key) ?? rows.find((r) => r.idempotency_key === req.idempotency_key);
        if (existing) {
          results.push({ run_id: existing.id, status: existing.status, queue: existing.queue, priority: existing.priority, duplicate: true });
          continue;
        }
      }
      const yaml = req.template_yaml ?? this.o.templates.load(req.template!);
      if (yaml === undefined) throw new AppError('NOT_FOUND', `Template '${req.template}' not found`, { field: `${prefix}template` });
      const inspected = this.o.templates.inspect(yaml);
      if (!inspected.ok) {
        throw new AppError('VALIDATION_ERROR', `Template ${req.template ? `'${req.template}' ` : ''}is invalid: ${inspected.issues.map((x) => `${x.path}: ${x.message}`).join('; ')}`, {
          issues: inspected.issues.map((x) => ({ ...x, path: `${prefix}template.${x.path}` })),
        });
      }
      const facts = inspected.facts;
      const queueName = req.queue ?? facts.execution.queue ?? 'default';
      const queue = cfg.queues[queueName];
      if (!queue) {
        throw new AppError('VALIDATION_ERROR', `Unknown queue '${queueName}' (queues: ${Object.keys(cfg.queues).join(', ')})`, { issues: [{ path: `${prefix}queue`, message: 'unknown queue' }] });
      }
      const priority = req.priority ?? facts.execution.priority ?? 5;
      if (priority > queue.priority_levels) {
        throw new AppError('VALIDATION_ERROR', `Queue '${queueName}' has ${queue.priority_levels} priority levels; priority ${priority} is out of range`, {
          issues: [{ path: `${prefix}priority`, message: `1 to ${queue.priority_levels}` }],
        });
      }
      const depth = (this.depth.get(queueName) ?? 0) + (added.get(queueName) ?? 0);
      if (depth >= queue.max_queued) {
        throw new AppError('QUEUE_FULL', `Queue '${queueName}' is full: ${depth} runs waiting (max_queued ${queue.max_queued}). Try again later or raise max_queued in orchestrator.yaml.`, {
          queue: queueName,
          depth,
          max_queued: queue.max_queued,
          retry_after_s: 5,
        });
      }
      const policy: RetryPolicy = { ...queue.retry_policy, ...facts.execution.retry };
      const id = newId('run', now);
      rows.push({
        id,
        template: req.template ?? origin.templateName ?? facts.name,
        template_hash: facts.hash,
        template_yaml: yaml,
        variables_json: JSON.stringify(this.o.redactor.maskDeep(req.variables ?? {})),
        trigger: origin.trigger,
        trigger_json: JSON.stringify(this.o.redactor.maskDeep({ type: origin.trigger.split(':')[0], ...origin.triggerData })),
        requested_by: origin.requestedBy,
        queue: queueName,
        priority,
        concurrency_tag: facts.execution.concurrency_tag ?? null,
        dry_run: req.dry_run ? 1 : 0,
        idempotency_key: req.idempotency_key ?? null,
        status: 'queued',
        available_at: now,
        enqueued_at: now,
        created_at: now,
        retry_json: JSON.stringify(policy),
        timeout_ms: facts.execution.timeout_ms ?? null,
        retry_of: origin.retryOf ?? null,
      });
      added.set(queueName, (added.get(queueName) ?? 0) + 1);
      results.push({ run_id: id, status: 'queued', queue: queueName, priority, duplicate: false });
    }
    // Committed before anyone is told the run exists.
    this.o.db.transaction(() => {
      for (const row of rows) this.store.insert(row);
    })();
    for (const [q, n] of added) this.depth.set(q, (this.depth.get(q) ?? 0) + n);
    for (const q of added.keys()) this.observe(q);
    for (const row of rows) this.markLevel(row.queue, row.priority);
    for (const row of rows) {
      this.o.bus.publish('run.queued', { runId: row.id, template: row.template, queue: row.queue, priority: row.priority });
    }
    if (rows.length) this.wake();
    return results;
  }

  // ---- operations ------------------------------------------------------------------------

  cancel(id: string): RunStatus {
    const run = this.mustGet(id);
    if (run.status === 'running') {
      const mine = this.running.get(id);
      if (mine) mine.controller.abort('cancel' satisfies StopReason);
      else this.store.requestCancel(id);
      this.log.info('Cancel requested for a running run', { runId: id });
      return 'running';
    }
    if (['succeeded', 'failed', 'cancelled'].includes(run.status)) throw new AppError('CONFLICT', `Run ${id} already finished (${run.status}); nothing to cancel`);
    const history = parseHistory(run.attempt_history_json);
    this.o.db.transaction(() => this.store.finish(id, 'cancelled', this.o.clock.now(), 'cancelled by a person', 'CANCELLED', history))();
    if (run.status === 'queued' || run.status === 'retry_wait') this.changeDepth(run.queue, -1);
    this.o.bus.publish('run.cancelled', { runId: id, queue: run.queue, template: run.template });
    this.o.bus.publish('run.finished', { runId: id, queue: run.queue, template: run.template, status: 'cancelled', error: 'cancelled by a person' });
    return 'cancelled';
  }

  pause(id: string): RunStatus {
    const run = this.mustGet(id);
    if (run.status === 'running') {
      const mine = this.running.get(id);
      if (!mine) throw new AppError('CONFLICT', `Run ${id} is running in another process (${run.lease_owner}); pause it there`);
      mine.controller.abort('pause' satisfies StopReason);
      return 'running';
    }
    if (run.status === 'paused') return 'paused';
    if (run.status !== 'queued' && run.status !== 'retry_wait') throw new AppError('CONFLICT', `Run ${id} is ${run.status}; only queued, waiting or running runs can be paused`);
    this.store.setStatus(id, 'paused', { pausedFrom: run.status });
    this.changeDepth(run.queue, -1);
    this.o.bus.publish('run.paused', { runId: id, queue: run.queue, template: run.template });
    return 'paused';
  }

  resume(id: string): RunStatus {
    const run = this.mustGet(id);
    if (run.status !== 'paused') throw new AppError('CONFLICT', `Run ${id} is ${run.status}, not paused`);
    this.store.requeue(id, this.o.clock.now(), run.attempts, { enqueuedAt: run.enqueued_at });
    this.changeDepth(run.queue, +1);
    this.markLevel(run.queue, run.priority);
    this.o.bus.publish('run.resumed', { runId: id, queue: run.queue, template: run.template });
    this.wake();
    return 'queued';
  }

  /** Puts a run that waited (approval granted) back in line, keeping its place. */
  requeueWaiting(id: string): void {
    const run = this.mustGet(id);
    if (run.status !== 'waiting_approval') throw new AppError('CONFLICT', `Run ${id} is ${run.status}, not waiting for approval`);
    this.store.requeue(id, this.o.clock.now(), run.attempts, { enqueuedAt: run.enqueued_at });
    this.changeDepth(run.queue, +1);
    this.markLevel(run.queue, run.priority);
    this.o.bus.publish('run.queued', { runId: id, queue: run.queue, template: run.template, priority: run.priority });
    this.wake();
  }

  /** Ends a run that waited (approval denied or expired) as failed. */
  failWaiting(id: string, error: string, errorCode: string): void {
    const run = this.mustGet(id);
    if (run.status !== 'waiting_approval') throw new AppError('CONFLICT', `Run ${id} is ${run.status}, not waiting for approval`);
    this.store.finish(id, 'failed', this.o.clock.now(), error, errorCode, parseHistory(run.attempt_history_json));
    this.o.bus.publish('run.finished', { runId: id, queue: run.queue, template: run.template, status: 'failed', error });
  }

  pauseQueue(name: string, by: string | null): QueueSnapshot {
    this.mustQueue(name);
    this.o.db.prepare('insert into queue_state(name, paused, paused_by, paused_at) values (?, 1, ?, ?) on conflict(name) do update set paused = 1, paused_by = excluded.paused_by, paused_at = excluded.paused_at').run(name, by, this.o.clock.now());
    this.pausedQueues.add(name);
    this.log.info(`Queue ${name} paused`, { by });
    this.o.bus.publish('queue.paused', { queue: name, by });
    return this.snapshot(name);
  }

  resumeQueue(name: string, by: string | null): QueueSnapshot {
    this.mustQueue(name);
    this.o.db.prepare('update queue_state set paused = 0, paused_by = ?, paused_at = ? where name = ?').run(by, this.o.clock.now(), name);
    this.pausedQueues.delete(name);
    this.log.info(`Queue ${name} resumed`, { by });
    this.o.bus.publish('queue.resumed', { queue: name, by });
    this.wake();
    return this.snapshot(name);
  }

  queues(): QueueSnapshot[] {
    return Object.keys(this.o.config().queues).map((n) => this.snapshot(n));
  }

  snapshot(name: string): QueueSnapshot {
    const q = this.mustQueue(name);
    return {
      name,
      depth: this.depth.get(name) ?? 0,
      running: this.runningIn(name),
      paused: this.isPaused(name, q),
      max_concurrent: q.max_concurrent,
      max_queued: q.max_queued,
    };
  }

  /** Retention deleted unreferenced template contents; the next enqueue stores its content again. */
  templateContentsPruned(): void {
    this.store.forgetContents();
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
        const picked = this.pickBatch();
        if (!picked.length) break;
        const now = this.o.clock.now();
        // One transaction claims the whole batch.
        const claimed = this.o.db.transaction(() =>
          picked.map((id) => this.store.claim(id, this.ownerId, now + this.leaseMs, now)).filter((r): r is QueueRunRow => r !== undefined),
        )();
        for (const row of claimed) this.startRun(row);
        if (claimed.length < picked.length) continue; // some were taken by another process: look again
        break;
      }
    } catch (e) {
      this.log.error('Dispatch failed; will retry on the next event', { error: e as Error });
    } finally {
      this.dispatching = false;
    }
  }

  /**
   * The runs that may start now, best first, as many as free slots allow: per queue the oldest
   * runs of each priority level, ranked by effective priority (aging) then wait, within the
   * queue, global and tag limits.
   */
  private pickBatch(): string[] {
    const cfg = this.o.config();
    let globalFree = cfg.global.max_total_concurrent - this.running.size;
    if (globalFree <= 0) return [];
    const tagRunning = new Map<string, number>();
    for (const r of this.running.values()) if (r.tag) tagRunning.set(r.tag, (tagRunning.get(r.tag) ?? 0) + 1);
    const blocked = JSON.stringify(Object.entries(cfg.concurrency_tags).filter(([tag, limit]) => (tagRunning.get(tag) ?? 0) >= limit).map(([tag]) => tag));
    const now = this.o.clock.now();
    const aging = cfg.global.aging_ms;
    const candidates: { id: string; queue: string; tag: string | null; effective: number; enqueued: number }[] = [];
    const queueFree = new Map<string, number>();
    for (const [name, q] of Object.entries(cfg.queues)) {
      const free = Math.min(q.max_concurrent - this.runningIn(name), globalFree);
      if (this.isPaused(name, q) || free <= 0 || (this.depth.get(name) ?? 0) === 0) continue;
      queueFree.set(name, free);
      const levels = this.levels.get(name);
      for (const p of [...(levels ?? [])].sort((x, y) => x - y)) {
        const heads = this.store.heads(name, p, blocked, free);
        if (!heads.length && blocked === '[]') levels!.delete(p);
        for (const head of heads) {
          candidates.push({ id: head.id, queue: name, tag: head.concurrency_tag, effective: Math.max(1, p - Math.floor((now - head.enqueued_at) / aging)), enqueued: head.enqueued_at });
        }
      }
    }
    candidates.sort((x, y) => x.effective - y.effective || x.enqueued - y.enqueued);
    const picked: string[] = [];
    for (const c of candidates) {
      if (globalFree <= 0) break;
      const free = queueFree.get(c.queue)!;
      if (free <= 0) continue;
      if (c.tag && c.tag in cfg.concurrency_tags && (tagRunning.get(c.tag) ?? 0) >= cfg.concurrency_tags[c.tag]!) continue;
      picked.push(c.id);
      globalFree--;
      queueFree.set(c.queue, free - 1);
      if (c.tag) tagRunning.set(c.tag, (tagRunning.get(c.tag) ?? 0) + 1);
    }
    return picked;
  }

  private startRun(row: QueueRunRow): void {
    const { id, queue } = row;
    const controller = new AbortController();
    const entry: Running = { queue, tag: row.concurrency_tag, row, controller, done: Promise.resolve() };
    this.running.set(id, entry);
    this.changeDepth(queue, -1);
    if (row.timeout_ms) entry.timeout = this.o.clock.setTimer(row.timeout_ms, () => controller.abort('timeout' satisfies StopReason));
    this.o.bus.publish('run.started', { runId: id, queue, template: row.template, attempt: row.attempts });
    const startedAt = this.o.clock.now();
    entry.done = this.o.executor
      .execute(id, controller.signal)
      .catch((e: unknown): ExecutionOutcome => ({ status: 'failed', error: `Engine error: ${(e as Error).message}`, errorCode: 'ENGINE_ERROR', retryable: false }))
      .then((outcome) => this.settle(row, startedAt, outcome, controller.signal.reason as StopReason | undefined))
      .catch((e: unknown) => this.log.error('Could not record the end of a run', { runId: id, error: e as Error }))
      .finally(() => {
        entry.timeout?.cancel();
        this.running.delete(id);
        this.wake();
      });
  }

  /**
   * Records how an attempt ended and decides what happens next. The write is group-committed
   * with other runs finishing in the same turn; events and follow-ups happen once it is on disk.
   */
  private settle(run: QueueRunRow, startedAt: number, outcome: ExecutionOutcome, stop: StopReason | undefined): void {
    const id = run.id;
    const now = this.o.clock.now();
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
    const attempt: AttemptRecord = {
      attempt: run.attempts,
      started_at: new Date(startedAt).toISOString(),
      finished_at: new Date(now).toISOString(),
      status,
      error: error ? this.o.redactor.mask(error) : null,
      error_code: errorCode,
    };
    history.push(attempt);
    const base = { runId: id, queue: run.queue, template: run.template };

    let next: RunStatus;
    let write: () => void;
    let due = 0;
    switch (status) {
      case 'succeeded':
      case 'cancelled': {
        next = status;
        const err = status === 'cancelled' ? (error ?? 'cancelled by a person') : null;
        write = () => this.store.finish(id, status as 'succeeded' | 'cancelled', now, err, status === 'cancelled' ? 'CANCELLED' : null, history);
        break;
      }
      case 'failed': {
        const policy = parsePolicy(run.retry_json, this.queueConfig(run.queue).retry_policy);
        const decision = shouldRetry({ policy, attempts: run.attempts, retryable: outcome.retryable ?? false, failedStepIdempotent: outcome.failedStepIdempotent ?? true });
        if (decision.retry && stop !== 'timeout') {
          next = 'retry_wait';
          due = now + retryDelayMs(policy, run.attempts, this.o.random);
          write = () => this.store.retryWait(id, due, error, errorCode, history);
        } else {
          next = 'failed';
          write = () => this.store.finish(id, 'failed', now, error, errorCode, history);
        }
        break;
      }
      case 'waiting_approval':
        next = 'waiting_approval';
        write = () => this.store.setStatus(id, 'waiting_approval', { history });
        break;
      case 'paused':
        next = 'paused';
        write = () => this.store.setStatus(id, 'paused', { history, pausedFrom: 'running' });
        break;
      default:
        // Stopped for shutdown at a safe point: back in line, and the attempt does not count.
        next = 'queued';
        write = () => this.store.requeue(id, now, Math.max(0, run.attempts - 1), { history, enqueuedAt: run.enqueued_at, error: 'interrupted by shutdown; re-queued', errorCode: 'INTERRUPTED' });
    }
    if (next === 'retry_wait' || next === 'queued') this.changeDepth(run.queue, +1);
    if (next === 'queued') this.markLevel(run.queue, run.priority);
    const announce = () => {
      switch (next) {
        case 'retry_wait':
          this.armDueTimer();
          this.log.info('Run will be retried', { runId: id, attempt: run.attempts, dueAt: new Date(due).toISOString() });
          this.o.bus.publish('run.retrying', { ...base, attempt: run.attempts + 1, dueAt: new Date(due).toISOString(), error: attempt.error });
          break;
        case 'queued':
          this.o.bus.publish('run.interrupted', { ...base, reason: 'shutdown' });
          break;
        case 'paused':
          this.o.bus.publish('run.paused', base);
          break;
        case 'waiting_approval':
          this.o.bus.publish('run.updated', { ...base, status: 'waiting_approval' });
          break;
        default:
          this.o.bus.publish('run.finished', { ...base, status: next, error: attempt.error });
      }
    };
    if (this.o.writes) {
      this.o.writes.defer(write, id);
      this.o.writes.afterCommit(announce);
    } else {
      this.o.db.transaction(write)();
      announce();
    }
  }

  // ---- leases, recovery, retries ---------------------------------------------------------

  private heartbeat(): void {
    try {
      const now = this.o.clock.now();
      if (this.running.size) this.store.renewLeases(this.ownerId, now + this.leaseMs);
      // A cancel asked through another process (the CLI, a second instance) reaches us here.
      for (const id of this.store.cancelRequested(this.ownerId)) this.running.get(id)?.controller.abort('cancel' satisfies StopReason);
      this.recover(false);
    } catch (e) {
      this.log.error('Heartbeat failed', { error: e as Error });
    }
  }

  /**
   * Runs whose owner is gone become `interrupted`, then are re-queued (retry policy permitting)
   * or failed with the reason. At start, an owner on this host whose process is dead is gone at
   * once; otherwise its lease must have expired.
   */
  recover(atStart: boolean): number {
    this.o.writes?.flush();
    const now = this.o.clock.now();
    const host = hostname();
    const alive = this.o.pidAlive ?? defaultPidAlive;
    const candidates = atStart
      ? (this.o.db.prepare("select id, lease_owner, lease_expires_at from runs where status = 'running'").all() as { id: string; lease_owner: string | null; lease_expires_at: number | null }[]).filter(
          (r) => {
            if (r.lease_owner === this.ownerId) return false;
            const [h, pid] = (r.lease_owner ?? '').split('/');
            const deadHere = h === host && pid !== undefined && !alive(Number(pid));
            return deadHere || (r.lease_expires_at ?? 0) < now;
          },
        )
      : this.store.expiredLeases(now).filter((r) => r.lease_owner !== this.ownerId);
    let n = 0;
    for (const c of candidates) {
      const run = this.store.get(c.id);
      if (!run || run.status !== 'running') continue;
      const history = parseHistory(run.attempt_history_json);
      const reason = `The process running it (${c.lease_owner ?? 'unknown'}) stopped without finishing (crash or kill)`;
      history.push({ attempt: run.attempts, started_at: run.started_at ? new Date(run.started_at).toISOString() : null, finished_at: new Date(now).toISOString(), status: 'interrupted', error: reason, error_code: 'INTERRUPTED' });
      const policy = parsePolicy(run.retry_json, this.queueConfig(run.queue).retry_policy);
      const idempotent = this.o.executor.interruptedStepIdempotent?.(c.id) ?? true;
      const decision = shouldRetry({ policy, attempts: run.attempts, retryable: true, failedStepIdempotent: idempotent });
      this.o.db.transaction(() => {
        this.store.setStatus(c.id, 'interrupted', { error: reason, errorCode: 'INTERRUPTED', history });
        if (decision.retry) this.store.requeue(c.id, now, run.attempts, { enqueuedAt: run.enqueued_at, error: reason, errorCode: 'INTERRUPTED' });
        else this.store.finish(c.id, 'failed', now, `${reason}; not re-queued: ${decision.reason}`, 'INTERRUPTED', history);
      })();
      n++;
      this.log.warn(decision.retry ? 'Recovered an interrupted run; re-queued' : 'Recovered an interrupted run; failed', { runId: c.id, owner: c.lease_owner });
      this.o.bus.publish('run.interrupted', { runId: c.id, queue: run.queue, template: run.template, reason });
      if (decision.retry) this.changeDepth(run.queue, +1);
      if (decision.retry) this.markLevel(run.queue, run.priority);
      else this.o.bus.publish('run.finished', { runId: c.id, queue: run.queue, template: run.template, status: 'failed', error: reason });
    }
    if (n) this.wake();
    return n;
  }

  private armDueTimer(): void {
    this.o.writes?.flush();
    const due = this.store.nextDue();
    if (due === null) return;
    if (this.dueTimer && this.dueAt !== undefined && this.dueAt <= due) return;
    this.dueTimer?.cancel();
    this.dueAt = due;
    this.dueTimer = this.o.clock.setTimer(due - this.o.clock.now(), () => {
      this.dueTimer = undefined;
      this.dueAt = undefined;
      const promoted = this.store.promoteDue(this.o.clock.now());
      for (const p of promoted) this.markLevel(p.queue, p.priority);
      if (promoted.length) this.wake();
      this.armDueTimer();
    });
  }

  // ---- bookkeeping -----------------------------------------------------------------------

  private recountDepth(): void {
    this.o.writes?.flush();
    const counted = this.store.depths();
    this.depth.clear();
    for (const [q, n] of counted) this.depth.set(q, n);
    this.levels.clear();
    for (const { queue, priority } of this.store.queuedLevels()) this.markLevel(queue, priority);
  }

  private markLevel(queue: string, priority: number): void {
    let set = this.levels.get(queue);
    if (!set) this.levels.set(queue, (set = new Set()));
    set.add(priority);
  }

  private changeDepth(queue: string, by: number): void {
    this.depth.set(queue, Math.max(0, (this.depth.get(queue) ?? 0) + by));
    this.observe(queue);
  }

  /** Samples one queue and the total over all queues (`*`). */
  private observe(queue: string): void {
    this.sampler.observe(queue, this.depth.get(queue) ?? 0, this.runningIn(queue));
    let total = 0;
    for (const n of this.depth.values()) total += n;
    this.sampler.observe('*', total, this.running.size);
  }

  private runningIn(queue: string): number {
    let n = 0;
    for (const r of this.running.values()) if (r.queue === queue) n++;
    return n;
  }

  private runningWithTag(tag: string): number {
    let n = 0;
    for (const r of this.running.values()) if (r.tag === tag) n++;
    return n;
  }

  private isPaused(name: string, q: QueueConfig): boolean {
    return q.paused || this.pausedQueues.has(name);
  }

  private queueConfig(name: string): QueueConfig {
    const cfg = this.o.config();
    return cfg.queues[name] ?? cfg.queues.default!;
  }

  private mustQueue(name: string): QueueConfig {
    const q = this.o.config().queues[name];
    if (!q) throw new AppError('NOT_FOUND', `Queue '${name}' not found (queues: ${Object.keys(this.o.config().queues).join(', ')})`);
    return q;
  }

  private mustGet(id: string) {
    this.o.writes?.flush();
    const run = this.store.get(id);
    if (!run) throw new AppError('NOT_FOUND', `Run ${id} not found`);
    return run;
  }

  private every(name: string, ms: number, fn: () => void): void {
    const tick = () => {
      fn();
      if (this.accepting) this.timers.set(name, this.o.clock.setTimer(ms, tick));
    };
    this.timers.set(name, this.o.clock.setTimer(ms, tick));
  }
}

function delay(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms).unref?.());
}
