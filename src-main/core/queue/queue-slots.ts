import type { OrchestratorConfig, QueueConfig } from '@shared/config';
import type { TimerHandle } from '../kernel/ports';
import type { RunsStorage } from '../runs';
import type { DepthSampler } from './depth-sampler';

export interface Running {
  queue: string;
  tag: string | null;
  controller: AbortController;
  done: Promise<void>;
  timeout?: TimerHandle;
}

export interface QueueSnapshot {
  name: string;
  depth: number;
  running: number;
  paused: boolean;
  max_concurrent: number;
  max_queued: number;
}

/** The runs executing here, with a count per queue kept as they come and go (read on every start). */
export class RunningRuns extends Map<string, Running> {
  private readonly perQueue = new Map<string, number>();

  override set(id: string, entry: Running): this {
    const before = this.get(id);
    if (before) this.count(before.queue, -1);
    this.count(entry.queue, +1);
    return super.set(id, entry);
  }

  override delete(id: string): boolean {
    const entry = this.get(id);
    if (entry) this.count(entry.queue, -1);
    return super.delete(id);
  }

  override clear(): void {
    this.perQueue.clear();
    super.clear();
  }

  in(queue: string): number {
    return this.perQueue.get(queue) ?? 0;
  }

  private count(queue: string, by: number): void {
    this.perQueue.set(queue, (this.perQueue.get(queue) ?? 0) + by);
  }
}

/**
 * The queue's bookkeeping in memory: what runs here, how many wait per queue, which priority
 * levels may hold queued runs, which queues a person paused. Every depth change is sampled for
 * queue_depth_peak_24h.
 */
export class QueueSlots {
  readonly running = new RunningRuns();
  readonly depth = new Map<string, number>();
  readonly pausedQueues = new Set<string>();
  /**
   * Priority levels that may hold queued runs, per queue: set whenever a run becomes queued at a
   * level, cleared when a look finds the level empty, rebuilt from the table every few seconds.
   * It spares the dispatcher nine index probes per queue on every pass.
   */
  readonly levels = new Map<string, Set<number>>();

  constructor(
    private readonly sampler: DepthSampler,
    private readonly config: () => OrchestratorConfig,
  ) {}

  recount(runs: RunsStorage): void {
    runs.flush();
    this.depth.clear();
    for (const [q, n] of runs.claim.depths()) this.depth.set(q, n);
    this.levels.clear();
    for (const { queue, priority } of runs.claim.queuedLevels()) this.markLevel(queue, priority);
  }

  markLevel(queue: string, priority: number): void {
    let set = this.levels.get(queue);
    if (!set) this.levels.set(queue, (set = new Set()));
    set.add(priority);
  }

  depthOf(queue: string): number {
    return this.depth.get(queue) ?? 0;
  }

  changeDepth(queue: string, by: number): void {
    this.depth.set(queue, Math.max(0, this.depthOf(queue) + by));
    // Samples one queue and the total over all queues (`*`).
    this.sampler.observe(queue, this.depthOf(queue), this.runningIn(queue));
    let total = 0;
    for (const n of this.depth.values()) total += n;
    this.sampler.observe('*', total, this.running.size);
  }

  runningIn(queue: string): number {
    return this.running.in(queue);
  }

  isPaused(name: string): boolean {
    return Boolean(this.config().queues[name]?.paused) || this.pausedQueues.has(name);
  }

  queueConfig(name: string): QueueConfig {
    const cfg = this.config();
    return cfg.queues[name] ?? cfg.queues.default!;
  }

  snapshot(name: string, q: QueueConfig): QueueSnapshot {
    return { name, depth: this.depthOf(name), running: this.runningIn(name), paused: this.isPaused(name), max_concurrent: q.max_concurrent, max_queued: q.max_queued };
  }
}
