import type { OrchestratorConfig } from '@shared/config';
import type { QueueHead } from '../runs';

export interface PickInput {
  config: OrchestratorConfig;
  now: number;
  /** What runs here now: queue and tag of each. */
  running: Iterable<{ queue: string; tag: string | null }>;
  runningCount: number;
  depth: (queue: string) => number;
  paused: (queue: string) => boolean;
  /** Priority levels that may hold queued runs, per queue (a level found empty is removed). */
  levels: Map<string, Set<number>>;
  /** blockedTagsJson: the tags at their limit (JSON array), or null when no tag has a limit. */
  heads: (queue: string, priority: number, blockedTagsJson: string | null, limit: number) => QueueHead[];
}

/** Queues that may start a run now (not paused, runs waiting, a free slot), with their free slots. */
export interface OpenQueues {
  globalFree: number;
  queueFree: Map<string, number>;
  tagRunning: Map<string, number>;
}

/** What pickBatch would look at, from memory alone: when no queue is open there is nothing to read. */
export function openQueues(p: Omit<PickInput, 'heads' | 'levels' | 'now'>): OpenQueues {
  const cfg = p.config;
  const globalFree = cfg.global.max_total_concurrent - p.runningCount;
  const queueFree = new Map<string, number>();
  const tagRunning = new Map<string, number>();
  if (globalFree <= 0) return { globalFree, queueFree, tagRunning };
  const queueRunning = new Map<string, number>();
  for (const r of p.running) {
    queueRunning.set(r.queue, (queueRunning.get(r.queue) ?? 0) + 1);
    if (r.tag) tagRunning.set(r.tag, (tagRunning.get(r.tag) ?? 0) + 1);
  }
  for (const [name, q] of Object.entries(cfg.queues)) {
    const free = Math.min(q.max_concurrent - (queueRunning.get(name) ?? 0), globalFree);
    if (p.paused(name) || free <= 0 || p.depth(name) === 0) continue;
    queueFree.set(name, free);
  }
  return { globalFree, queueFree, tagRunning };
}

/**
 * The runs that may start now, best first, as many as free slots allow: per queue the oldest
 * runs of each priority level, ranked by effective priority (aging: one level higher per
 * `global.aging_ms` waited, never above 1) then wait, within the queue, global and tag limits.
 * A run whose tag is at its limit is passed over without blocking the runs behind it. Returns
 * their rowids, which name them within the transaction that read the heads (claimNext).
 */
export function pickBatch(p: PickInput, open: OpenQueues = openQueues(p)): number[] {
  const cfg = p.config;
  const { queueFree, tagRunning } = open;
  let globalFree = open.globalFree;
  if (!queueFree.size) return [];
  const limits = Object.entries(cfg.concurrency_tags);
  const blocked = limits.length ? JSON.stringify(limits.filter(([tag, limit]) => (tagRunning.get(tag) ?? 0) >= limit).map(([tag]) => tag)) : null;
  const aging = cfg.global.aging_ms;
  const candidates: { rowid: number; queue: string; tag: string | null; effective: number; enqueued: number }[] = [];
  for (const [name, free] of queueFree) {
    const levels = p.levels.get(name);
    for (const priority of [...(levels ?? [])].sort((x, y) => x - y)) {
      const heads = p.heads(name, priority, blocked, free);
      if (!heads.length && (blocked === null || blocked === '[]')) levels!.delete(priority);
      for (const head of heads) {
        candidates.push({ rowid: head.rowid, queue: name, tag: head.concurrency_tag, effective: Math.max(1, priority - Math.floor((p.now - head.enqueued_at) / aging)), enqueued: head.enqueued_at });
      }
    }
  }
  candidates.sort((x, y) => x.effective - y.effective || x.enqueued - y.enqueued);
  const picked: number[] = [];
  for (const c of candidates) {
    if (globalFree <= 0) break;
    const free = queueFree.get(c.queue)!;
    if (free <= 0) continue;
    if (c.tag && c.tag in cfg.concurrency_tags && (tagRunning.get(c.tag) ?? 0) >= cfg.concurrency_tags[c.tag]!) continue;
    picked.push(c.rowid);
    globalFree--;
    queueFree.set(c.queue, free - 1);
    if (c.tag) tagRunning.set(c.tag, (tagRunning.get(c.tag) ?? 0) + 1);
  }
  return picked;
}
