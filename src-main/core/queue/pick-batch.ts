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
  heads: (queue: string, priority: number, blockedTagsJson: string, limit: number) => QueueHead[];
}

/**
 * The runs that may start now, best first, as many as free slots allow: per queue the oldest
 * runs of each priority level, ranked by effective priority (aging: one level higher per
 * `global.aging_ms` waited, never above 1) then wait, within the queue, global and tag limits.
 * A run whose tag is at its limit is passed over without blocking the runs behind it.
 */
export function pickBatch(p: PickInput): string[] {
  const cfg = p.config;
  let globalFree = cfg.global.max_total_concurrent - p.runningCount;
  if (globalFree <= 0) return [];
  const tagRunning = new Map<string, number>();
  const queueRunning = new Map<string, number>();
  for (const r of p.running) {
    queueRunning.set(r.queue, (queueRunning.get(r.queue) ?? 0) + 1);
    if (r.tag) tagRunning.set(r.tag, (tagRunning.get(r.tag) ?? 0) + 1);
  }
  const blocked = JSON.stringify(Object.entries(cfg.concurrency_tags).filter(([tag, limit]) => (tagRunning.get(tag) ?? 0) >= limit).map(([tag]) => tag));
  const aging = cfg.global.aging_ms;
  const candidates: { id: string; queue: string; tag: string | null; effective: number; enqueued: number }[] = [];
  const queueFree = new Map<string, number>();
  for (const [name, q] of Object.entries(cfg.queues)) {
    const free = Math.min(q.max_concurrent - (queueRunning.get(name) ?? 0), globalFree);
    if (p.paused(name) || free <= 0 || p.depth(name) === 0) continue;
    queueFree.set(name, free);
    const levels = p.levels.get(name);
    for (const priority of [...(levels ?? [])].sort((x, y) => x - y)) {
      const heads = p.heads(name, priority, blocked, free);
      if (!heads.length && blocked === '[]') levels!.delete(priority);
      for (const head of heads) {
        candidates.push({ id: head.id, queue: name, tag: head.concurrency_tag, effective: Math.max(1, priority - Math.floor((p.now - head.enqueued_at) / aging)), enqueued: head.enqueued_at });
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
