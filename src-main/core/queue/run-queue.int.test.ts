import { createHash } from 'node:crypto';
import { hostname } from 'node:os';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { orchestratorSchema, resolveOrchestrator } from '@shared/config';
import { validateShape } from '@shared/dsl/validate-shape';
import { FakeClock } from '../kernel/clock';
import { EventBus } from '../kernel/event-bus';
import { MemorySink, createLogger } from '../kernel/logger';
import { openDatabase, type Database } from '../db/database';
import { Redactor } from '../security/redaction';
import type { ExecutionOutcome, RunExecutor, TemplateCatalog } from './ports';
import { RunRepository } from '../runs';
import { DepthSampler } from './depth-sampler';
import { SqliteQueueState } from './queue-state-store';
import { RunQueue } from './run-queue';

/**
 * An executor whose runs finish when the test says so (or at once with a scripted outcome).
 * It records what ran and how many ran at the same time, as the engine would be observed.
 */
class ScriptedExecutor implements RunExecutor {
  started: string[] = [];
  concurrent = 0;
  maxConcurrent = 0;
  maxByTag = new Map<string, number>();
  private byTag = new Map<string, number>();
  private pending = new Map<string, (o: ExecutionOutcome) => void>();
  constructor(
    private readonly db: Database,
    public auto?: (runId: string) => ExecutionOutcome | undefined,
  ) {}
  async execute(runId: string, signal: AbortSignal): Promise<ExecutionOutcome> {
    this.started.push(runId);
    const tag = this.db.prepare('select concurrency_tag from runs where id = ?').pluck().get(runId) as string | null;
    this.concurrent++;
    this.maxConcurrent = Math.max(this.maxConcurrent, this.concurrent);
    if (tag) {
      this.byTag.set(tag, (this.byTag.get(tag) ?? 0) + 1);
      this.maxByTag.set(tag, Math.max(this.maxByTag.get(tag) ?? 0, this.byTag.get(tag)!));
    }
    try {
      const scripted = this.auto?.(runId);
      if (scripted) {
        await new Promise((r) => setImmediate(r));
        return scripted;
      }
      return await new Promise<ExecutionOutcome>((resolve) => {
        this.pending.set(runId, resolve);
        signal.addEventListener('abort', () => resolve({ status: 'cancelled', error: 'stopped at a safe point' }), { once: true });
      });
    } finally {
      this.concurrent--;
      if (tag) this.byTag.set(tag, this.byTag.get(tag)! - 1);
      this.pending.delete(runId);
    }
  }
  finish(runId: string, outcome: ExecutionOutcome = { status: 'succeeded' }): void {
    const f = this.pending.get(runId);
    if (!f) throw new Error(`run ${runId} is not running`);
    f(outcome);
  }
  isRunning(runId: string): boolean {
    return this.pending.has(runId);
  }
}

function yamlFor(name: string, execution = ''): string {
  return `dsl_version: "1.1"\nname: ${name}\n${execution}steps:\n  - log: { message: hi }\n`;
}

/** A catalog over in-memory templates, validated with the DSL's first pass. */
function catalog(templates: Record<string, string>): TemplateCatalog {
  return {
    load: (name) => templates[name],
    inspect: (yaml) => {
      const r = validateShape(yaml);
      if (r.errors.length) return { ok: false, issues: r.errors };
      const v = r.value!;
      return { ok: true, facts: { name: String(v.name), hash: createHash('sha256').update(yaml).digest('hex'), execution: (v.execution ?? {}) as never } };
    },
  };
}

interface Harness {
  db: Database;
  queue: RunQueue;
  exec: ScriptedExecutor;
  clock: FakeClock;
  bus: EventBus;
  status(id: string): string;
  settle(): Promise<void>;
}

const open: Harness[] = [];
afterEach(async () => {
  for (const h of open.splice(0)) {
    await h.queue.stop();
    h.db.close();
  }
});

function harness(config: Record<string, unknown> = {}, opts: { auto?: (id: string) => ExecutionOutcome | undefined; dbFile?: string; pidAlive?: (pid: number) => boolean } = {}): Harness {
  const db = openDatabase({ file: opts.dbFile ?? join(mkdtempSync(join(tmpdir(), 'da-queue-')), 'desktop-agent.db') });
  const clock = new FakeClock();
  const redactor = new Redactor();
  const bus = new EventBus(() => clock.now());
  const exec = new ScriptedExecutor(db, opts.auto);
  const cfg = resolveOrchestrator(orchestratorSchema.parse(config));
  const runs = new RunRepository(db);
  const queue = new RunQueue({
    runs,
    queueState: new SqliteQueueState(db),
    sampler: new DepthSampler(db, () => clock.now()),
    clock,
    logger: createLogger({ sinks: [new MemorySink()] }, 'Queue'),
    bus,
    redactor,
    config: () => cfg,
    executor: exec,
    templates: catalog({ t: yamlFor('t'), tagged: yamlFor('tagged', 'execution: { concurrency_tag: web-form }\n'), web: yamlFor('web', 'execution: { concurrency_tag: web-form }\n') }),
    random: () => 0.5,
    stopGraceMs: 50,
    pidAlive: opts.pidAlive,
  });
  queue.start();
  const h: Harness = {
    db,
    queue,
    exec,
    clock,
    bus,
    status: (id) => db.prepare('select status from runs where id = ?').pluck().get(id) as string,
    settle: async () => {
      for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r));
    },
  };
  open.push(h);
  return h;
}

const origin = { trigger: 'api', requestedBy: 'tester' };
const one = { default: { max_concurrent: 1 } };

describe('RunQueue', () => {
  it('starts runs by priority, FIFO within a priority', async () => {
    const h = harness({ queues: one });
    h.queue.pauseQueue('default', 'tester');
    const ids = [5, 1, 9, 1, 5].map((priority) => h.queue.enqueue({ template: 't', priority }, origin).run_id);
    h.queue.resumeQueue('default', 'tester');
    for (let i = 0; i < ids.length; i++) {
      await h.settle();
      h.exec.finish(h.exec.started[i]!);
    }
    await h.settle();
    expect(h.exec.started).toEqual([ids[1], ids[3], ids[0], ids[4], ids[2]]);
    expect(ids.map(h.status)).toEqual(Array(5).fill('succeeded'));
  });

  it('never exceeds max_concurrent or max_total_concurrent while 200 runs flow', async () => {
    const h = harness({ queues: { default: { max_concurrent: 3 }, background: { max_concurrent: 4 } }, global: { max_total_concurrent: 5 } }, {
      auto: () => ({ status: 'succeeded' }),
    });
    const perQueue = new Map<string, number>();
    let maxDefault = 0;
    h.bus.subscribe((e) => {
      const q = (e.data as { queue?: string }).queue ?? '';
      if (e.type === 'run.started') perQueue.set(q, (perQueue.get(q) ?? 0) + 1);
      if (e.type === 'run.finished') perQueue.set(q, (perQueue.get(q) ?? 0) - 1);
      maxDefault = Math.max(maxDefault, perQueue.get('default') ?? 0);
    });
    const ids = Array.from({ length: 200 }, (_, i) => h.queue.enqueue({ template: 't', queue: i % 2 ? 'background' : 'default' }, origin).run_id);
    for (let i = 0; i < 400 && ids.some((id) => h.status(id) !== 'succeeded'); i++) await h.settle();
    expect(ids.every((id) => h.status(id) === 'succeeded')).toBe(true);
    expect(h.exec.maxConcurrent).toBeLessThanOrEqual(5);
    expect(h.exec.maxConcurrent).toBeGreaterThan(1);
    expect(maxDefault).toBeLessThanOrEqual(3);
    expect(h.exec.started.length).toBe(200);
  });

  it('limits a concurrency tag across queues', async () => {
    const h = harness({ queues: { default: { max_concurrent: 5 }, high_priority: { max_concurrent: 5 } }, concurrency_tags: { 'web-form': 1 } });
    const a = h.queue.enqueue({ template: 'tagged', queue: 'default' }, origin).run_id;
    const b = h.queue.enqueue({ template: 'web', queue: 'high_priority' }, origin).run_id;
    await h.settle();
    expect(h.exec.started).toEqual([a]);
    expect(h.status(b)).toBe('queued');
    h.exec.finish(a);
    await h.settle();
    expect(h.exec.started).toEqual([a, b]);
    expect(h.exec.maxByTag.get('web-form')).toBe(1);
  });

  it('does not let a run blocked by its tag hold up the runs behind it', async () => {
    const h = harness({ queues: { default: { max_concurrent: 3 } }, concurrency_tags: { 'web-form': 1 } });
    const first = h.queue.enqueue({ template: 'tagged', priority: 1 }, origin).run_id;
    const blocked = h.queue.enqueue({ template: 'tagged', priority: 1 }, origin).run_id;
    const behind = h.queue.enqueue({ template: 't', priority: 9 }, origin).run_id;
    await h.settle();
    expect(h.exec.started).toEqual([first, behind]);
    expect(h.status(blocked)).toBe('queued');
  });

  it('lifts long-waiting runs by aging so low priorities never starve', async () => {
    const h = harness({ queues: one, global: { aging_ms: 60_000 } });
    const busy = h.queue.enqueue({ template: 't' }, origin).run_id;
    await h.settle();
    const old = h.queue.enqueue({ template: 't', priority: 9 }, origin).run_id;
    h.clock.advance(8 * 60_000); // waited 8 levels' worth: now counts as priority 1
    const fresh = h.queue.enqueue({ template: 't', priority: 1 }, origin).run_id;
    h.exec.finish(busy);
    await h.settle();
    expect(h.exec.started[1]).toBe(old);
    h.exec.finish(old);
    await h.settle();
    expect(h.exec.started[2]).toBe(fresh);
  });

  it('retries a retryable failure after backoff_ms × multiplier^(n-1), on the fake clock', async () => {
    const h = harness({ queues: { default: { max_concurrent: 1, retry_policy: { max_attempts: 3, backoff_ms: 1000, backoff_multiplier: 2, jitter: 0 } } } });
    const id = h.queue.enqueue({ template: 't' }, origin).run_id;
    await h.settle();
    h.exec.finish(id, { status: 'failed', error: 'connection reset', errorCode: 'NETWORK_ERROR', retryable: true });
    await h.settle();
    expect(h.status(id)).toBe('retry_wait');
    h.clock.advance(999);
    await h.settle();
    expect(h.exec.started).toHaveLength(1);
    h.clock.advance(1);
    await h.settle();
    expect(h.exec.started).toHaveLength(2);
    h.exec.finish(id, { status: 'failed', error: 'connection reset', errorCode: 'NETWORK_ERROR', retryable: true });
    await h.settle();
    h.clock.advance(1999);
    await h.settle();
    expect(h.exec.started).toHaveLength(2);
    h.clock.advance(1);
    await h.settle();
    expect(h.exec.started).toHaveLength(3);
    h.exec.finish(id, { status: 'failed', error: 'connection reset', errorCode: 'NETWORK_ERROR', retryable: true });
    await h.settle();
    expect(h.status(id)).toBe('failed');
    const run = h.db.prepare('select attempts, attempt_history_json from runs where id = ?').get(id) as { attempts: number; attempt_history_json: string };
    expect(run.attempts).toBe(3);
    expect(JSON.parse(run.attempt_history_json).map((a: { status: string }) => a.status)).toEqual(['failed', 'failed', 'failed']);
  });

  it('does not retry a permanent failure or a non-idempotent step under only_idempotent', async () => {
    const h = harness({ queues: one });
    const permanent = h.queue.enqueue({ template: 't' }, origin).run_id;
    await h.settle();
    h.exec.finish(permanent, { status: 'failed', error: "Template variable 'x' is undefined", errorCode: 'UNDEFINED_VARIABLE', retryable: false });
    await h.settle();
    expect(h.status(permanent)).toBe('failed');
    const unsafe = h.queue.enqueue({ template: 't' }, origin).run_id;
    await h.settle();
    h.exec.finish(unsafe, { status: 'failed', error: 'timeout', retryable: true, failedStepIdempotent: false });
    await h.settle();
    expect(h.status(unsafe)).toBe('failed');
  });

  it('pauses, resumes and cancels queued, waiting and running runs', async () => {
    const h = harness({ queues: one, });
    const running = h.queue.enqueue({ template: 't' }, origin).run_id;
    const queued = h.queue.enqueue({ template: 't' }, origin).run_id;
    const other = h.queue.enqueue({ template: 't' }, origin).run_id;
    await h.settle();
    expect(h.queue.pause(queued)).toBe('paused');
    expect(h.queue.snapshot('default').depth).toBe(1);
    expect(h.queue.cancel(other)).toBe('cancelled');
    // Cancel reaches the running engine, which stops at its next safe point.
    expect(h.queue.cancel(running)).toBe('running');
    await h.settle();
    expect(h.status(running)).toBe('cancelled');
    expect(h.exec.started).toEqual([running]); // the paused run did not start
    expect(h.queue.resume(queued)).toBe('queued');
    await h.settle();
    expect(h.exec.started).toEqual([running, queued]);
    // Pausing a running run stops it at a safe point; resuming puts it back in line.
    expect(h.queue.pause(queued)).toBe('running');
    await h.settle();
    expect(h.status(queued)).toBe('paused');
    h.queue.resume(queued);
    await h.settle();
    expect(h.exec.started).toEqual([running, queued, queued]);
    // A run waiting for its retry can be cancelled too.
    h.exec.finish(queued, { status: 'failed', error: 'flaky', retryable: true });
    await h.settle();
    expect(h.status(queued)).toBe('retry_wait');
    expect(h.queue.cancel(queued)).toBe('cancelled');
    expect(() => h.queue.cancel(queued)).toThrow(/already finished/);
  });

  it('starts nothing from a paused queue, and remembers the pause across restarts', async () => {
    const dbFile = join(mkdtempSync(join(tmpdir(), 'da-queue-')), 'desktop-agent.db');
    const cfg = { queues: { default: {}, background: { max_concurrent: 1 } } };
    const h = harness(cfg, { dbFile });
    h.queue.pauseQueue('background', 'admin');
    const id = h.queue.enqueue({ template: 't', queue: 'background' }, origin).run_id;
    await h.settle();
    expect(h.status(id)).toBe('queued');
    await h.queue.stop();
    h.db.close();
    open.pop();
    const again = harness(cfg, { dbFile });
    await again.settle();
    expect(again.queue.snapshot('background')).toMatchObject({ paused: true, depth: 1 });
    again.queue.resumeQueue('background', 'admin');
    await again.settle();
    expect(again.exec.started).toEqual([id]);
  });

  it('refuses new runs at max_queued with QUEUE_FULL and a clear message', async () => {
    const h = harness({ queues: { default: { max_concurrent: 1, max_queued: 2 } } });
    h.queue.pauseQueue('default', null);
    h.queue.enqueue({ template: 't' }, origin);
    h.queue.enqueue({ template: 't' }, origin);
    expect(() => h.queue.enqueue({ template: 't' }, origin)).toThrow(
      "Queue 'default' is full: 2 runs waiting (max_queued 2). Try again later or raise max_queued in orchestrator.yaml.",
    );
    expect(h.db.prepare('select count(*) from runs').pluck().get()).toBe(2);
  });

  it('returns the same run for a repeated idempotency key', async () => {
    const h = harness();
    const a = h.queue.enqueue({ template: 't', idempotency_key: 'order-42' }, origin);
    const b = h.queue.enqueue({ template: 't', idempotency_key: 'order-42' }, origin);
    expect(b).toMatchObject({ run_id: a.run_id, duplicate: true });
    expect(h.db.prepare('select count(*) from runs').pluck().get()).toBe(1);
  });

  it('validates before queueing: unknown template, unknown queue, bad priority, invalid YAML', () => {
    const h = harness({ queues: { default: { priority_levels: 3 } } });
    expect(() => h.queue.enqueue({ template: 'nope' }, origin)).toThrow("Template 'nope' not found");
    expect(() => h.queue.enqueue({ template: 't', queue: 'nope' }, origin)).toThrow("Unknown queue 'nope' (queues: default)");
    expect(() => h.queue.enqueue({ template: 't', priority: 5 }, origin)).toThrow("Queue 'default' has 3 priority levels");
    expect(() => h.queue.enqueue({ template_yaml: 'name: [' }, origin)).toThrow(/is invalid: \(root\): YAML/);
    expect(h.db.prepare('select count(*) from runs').pluck().get()).toBe(0);
  });

  it('enqueues in bulk all-or-none', () => {
    const h = harness({ queues: { default: { max_queued: 10 } } });
    h.queue.pauseQueue('default', null);
    expect(() => h.queue.enqueueMany(Array.from({ length: 11 }, () => ({ template: 't' })), origin)).toThrow(/is full/);
    expect(h.db.prepare('select count(*) from runs').pluck().get()).toBe(0);
    expect(h.queue.enqueueMany(Array.from({ length: 10 }, () => ({ template: 't' })), origin)).toHaveLength(10);
  });

  it('recovers runs of a dead process at start: re-queued when attempts remain, failed when not', async () => {
    const dbFile = join(mkdtempSync(join(tmpdir(), 'da-queue-')), 'desktop-agent.db');
    const first = harness({ queues: { default: { max_concurrent: 2, retry_policy: { max_attempts: 2 } } } }, { dbFile });
    const a = first.queue.enqueue({ template: 't' }, origin).run_id;
    const b = first.queue.enqueue({ template: 't' }, origin).run_id;
    await first.settle();
    // Simulate a crash: the rows say running, owned by a process that no longer exists.
    first.db.prepare("update runs set lease_owner = ?, lease_expires_at = ? where status = 'running'").run(`${hostname()}/999999/x`, first.clock.now() + 60_000);
    first.db.prepare('update runs set attempts = 2 where id = ?').run(b);
    open.pop();
    first.db.close();
    const second = harness({ queues: { default: { max_concurrent: 2, retry_policy: { max_attempts: 2 } } } }, { dbFile, auto: () => ({ status: 'succeeded' }), pidAlive: () => false });
    for (let i = 0; i < 5; i++) await second.settle();
    expect(second.status(a)).toBe('succeeded');
    expect(second.status(b)).toBe('failed');
    const rowB = second.db.prepare('select error, attempt_history_json from runs where id = ?').get(b) as { error: string; attempt_history_json: string };
    expect(rowB.error).toMatch(/stopped without finishing.*not re-queued: all 2 attempts used/);
    expect(JSON.parse(rowB.attempt_history_json).at(-1).status).toBe('interrupted');
  });

  it('recovers runs whose lease expired while the owner looked alive', async () => {
    const h = harness({}, { pidAlive: () => true });
    const id = h.queue.enqueue({ template: 't' }, origin).run_id;
    h.queue.pauseQueue('default', null);
    h.db.prepare("update runs set status = 'running', lease_owner = 'other-host/1/x', lease_expires_at = ? where id = ?").run(h.clock.now() + 15_000, id);
    h.clock.advance(10_000);
    expect(h.status(id)).toBe('running');
    h.clock.advance(10_000); // lease expired; the next heartbeat sweep recovers it
    expect(h.status(id)).toBe('queued');
  });

  it('re-queues a run stopped for shutdown without counting the attempt', async () => {
    const h = harness();
    const id = h.queue.enqueue({ template: 't' }, origin).run_id;
    await h.settle();
    expect(h.exec.isRunning(id)).toBe(true);
    await h.queue.stop();
    expect(h.status(id)).toBe('queued');
    expect(h.db.prepare('select attempts from runs where id = ?').pluck().get(id)).toBe(0);
  });

  it('records queue depth samples for the 24 h peak', async () => {
    const h = harness({ queues: one });
    h.queue.pauseQueue('default', null);
    for (let i = 0; i < 7; i++) h.queue.enqueue({ template: 't' }, origin);
    h.clock.advance(5_000); // the sampler flushes every 5 s
    const { DepthSampler } = await import('./depth-sampler');
    expect(DepthSampler.peakSince(h.db, h.clock.now() - 86_400_000, 'default')).toBe(7);
    expect(DepthSampler.peakSince(h.db, h.clock.now() - 86_400_000, '*')).toBe(7);
  });
});

describe('queue metrics', () => {
  it('computes depth peak, runs per hour and retry rate from stored data over 24 h', async () => {
    const { queueMetrics } = await import('./queue-metrics');
    const h = harness({ queues: { default: { max_concurrent: 1, retry_policy: { max_attempts: 2, backoff_ms: 10, jitter: 0 } } } });
    expect(queueMetrics(h.db, new RunRepository(h.db), h.clock.now())).toEqual({ queue_depth_peak_24h: 0, runs_per_hour_24h: 0, retry_rate_24h: null });
    h.queue.pauseQueue('default', null);
    const ids = Array.from({ length: 4 }, () => h.queue.enqueue({ template: 't' }, origin).run_id);
    h.queue.resumeQueue('default', null);
    await h.settle();
    h.exec.finish(ids[0]!, { status: 'failed', error: 'flaky', retryable: true });
    await h.settle();
    for (const id of ids.slice(1)) {
      await h.settle();
      h.exec.finish(id);
    }
    h.clock.advance(10);
    await h.settle();
    h.exec.finish(ids[0]!);
    await h.settle();
    h.clock.advance(5_000);
    expect(ids.map(h.status)).toEqual(['succeeded', 'succeeded', 'succeeded', 'succeeded']);
    expect(queueMetrics(h.db, new RunRepository(h.db), h.clock.now())).toEqual({ queue_depth_peak_24h: 4, runs_per_hour_24h: 0.167, retry_rate_24h: 0.25 });
    // A day later the window is empty again.
    h.clock.advance(86_400_000 + 60_000);
    expect(queueMetrics(h.db, new RunRepository(h.db), h.clock.now())).toEqual({ queue_depth_peak_24h: 0, runs_per_hour_24h: 0, retry_rate_24h: null });
  });
});
