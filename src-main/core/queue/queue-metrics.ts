import type { Database } from 'better-sqlite3';
import type { RunsStorage } from '../runs';
import { DepthSampler } from './depth-sampler';
import { DAY_MS } from '../kernel/clock';

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
export function queueMetrics(db: Database, runs: RunsStorage, now: number): QueueMetrics {
  const since = now - DAY_MS;
  const c = runs.read.countsSince(since);
  return {
    queue_depth_peak_24h: DepthSampler.peakSince(db, since, '*'),
    runs_per_hour_24h: Math.round((c.created / 24) * 1000) / 1000,
    retry_rate_24h: c.finished ? Math.round((c.retried / c.finished) * 10_000) / 10_000 : null,
  };
}
