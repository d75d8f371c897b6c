import type { Database } from 'better-sqlite3';
import { DepthSampler } from './depth-sampler';

export interface QueueMetrics {
  /** Highest total depth (queued + retry_wait over all queues) seen in any minute of the window. */
  queue_depth_peak_24h: number;
  /** Runs created in the window divided by 24. */
  runs_per_hour_24h: number;
  /**
   * Runs finished in the window that needed more than one attempt, divided by all runs finished in
   * the window; null when none finished.
   */
  retry_rate_24h: number | null;
}

/** Queue figures over a rolling 24 h window, computed from stored data only. */
export function queueMetrics(db: Database, now: number): QueueMetrics {
  const since = now - 86_400_000;
  const created = db.prepare('select count(*) from runs where created_at >= ?').pluck().get(since) as number;
  const finished = db
    .prepare("select count(*) as n, coalesce(sum(attempts > 1), 0) as retried from runs where finished_at >= ? and status in ('succeeded', 'failed', 'cancelled')")
    .get(since) as { n: number; retried: number };
  return {
    queue_depth_peak_24h: DepthSampler.peakSince(db, since, '*'),
    runs_per_hour_24h: Math.round((created / 24) * 1000) / 1000,
    retry_rate_24h: finished.n ? Math.round((finished.retried / finished.n) * 10_000) / 10_000 : null,
  };
}
