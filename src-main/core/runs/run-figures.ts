import type { Database } from 'better-sqlite3';
import { DAY_MS, HOUR_MS } from '../kernel/clock';

/** Figures over the runs table for GET /metrics (SPEC section 11); definitions in docs/metrics.md. */
export interface RunFigures {
  total_runs: number;
  succeeded_24h: number;
  failed_24h: number;
  cancelled_24h: number;
  success_rate_24h: number | null;
  median_duration_ms_24h: number | null;
  p95_duration_ms_24h: number | null;
  runs_per_hour_24h: number;
  retry_rate_24h: number | null;
  scheduled_runs_24h: number;
  folder_triggers_24h: number;
  webhook_triggers_24h: number;
  /** Runs that failed in the window, by trigger (`schedule:<id>`, ...), for the per-trigger figures. */
  failedByTrigger: Record<string, number>;
  /** Per hour of the window, oldest first: runs created, succeeded and failed (by finish time). */
  hourly: { created: number[]; succeeded: number[]; failed: number[] };
}

const round = (v: number, digits: number) => Math.round(v * 10 ** digits) / 10 ** digits;

/**
 * Reads the figures with two range scans over covering indexes (migration 0007): the runs created
 * in the window (created_at, trigger) and the runs finished in it (finished_at, status, started_at,
 * attempts), so the cost follows the runs of the last 24 hours, not the size of the table.
 * `total_runs` is a count of the table plus the runs deleted so far (kept by a trigger).
 */
export function createRunFigures(db: Database) {
  const total = db.prepare("select (select count(*) from runs) + coalesce((select cast(value as integer) from meta where key = 'runs_deleted'), 0)").pluck();
  const created = db.prepare('select created_at, trigger from runs where created_at >= ? and created_at <= ?').raw();
  const finished = db
    .prepare("select finished_at, status, started_at, attempts from runs where finished_at >= ? and finished_at <= ? and status in ('succeeded', 'failed', 'cancelled')")
    .raw();
  const failedByTrigger = db.prepare("select trigger, count(*) from runs where finished_at >= ? and finished_at <= ? and status = 'failed' and trigger like '%:%' group by trigger").raw();

  return (now: number): RunFigures => {
    const since = now - DAY_MS;
    // Hour i covers [since + i h, since + (i+1) h); the last instant (now) belongs to the last hour.
    const hour = (t: number) => Math.min(23, Math.floor((t - since) / HOUR_MS));
    const hourly = { created: new Array<number>(24).fill(0), succeeded: new Array<number>(24).fill(0), failed: new Array<number>(24).fill(0) };
    const byTrigger = { schedule: 0, watcher: 0, webhook: 0 };
    const createdRows = created.all(since, now) as [number, string][];
    for (const [at, trigger] of createdRows) {
      hourly.created[hour(at)]!++;
      const kind = trigger.slice(0, trigger.indexOf(':'));
      if (kind in byTrigger) byTrigger[kind as keyof typeof byTrigger]++;
    }
    let succeeded = 0;
    let failed = 0;
    let cancelled = 0;
    let retried = 0;
    const durations: number[] = [];
    for (const [at, status, started, attempts] of finished.all(since, now) as [number, string, number | null, number][]) {
      if (status === 'succeeded') {
        succeeded++;
        hourly.succeeded[hour(at)]!++;
      } else if (status === 'failed') {
        failed++;
        hourly.failed[hour(at)]!++;
      } else cancelled++;
      if (attempts > 1) retried++;
      if (started !== null) durations.push(at - started);
    }
    durations.sort((a, b) => a - b);
    const done = succeeded + failed + cancelled;
    return {
      total_runs: total.get() as number,
      succeeded_24h: succeeded,
      failed_24h: failed,
      cancelled_24h: cancelled,
      success_rate_24h: succeeded + failed ? round(succeeded / (succeeded + failed), 4) : null,
      median_duration_ms_24h: nearestRank(durations, 0.5),
      p95_duration_ms_24h: nearestRank(durations, 0.95),
      runs_per_hour_24h: round(createdRows.length / 24, 3),
      retry_rate_24h: done ? round(retried / done, 4) : null,
      scheduled_runs_24h: byTrigger.schedule,
      folder_triggers_24h: byTrigger.watcher,
      webhook_triggers_24h: byTrigger.webhook,
      failedByTrigger: Object.fromEntries(failedByTrigger.all(since, now) as [string, number][]),
      hourly,
    };
  };
}

/** The nearest-rank percentile of sorted values: the ⌈q·n⌉-th smallest; null for no values. */
export function nearestRank(sorted: readonly number[], q: number): number | null {
  if (!sorted.length) return null;
  const rank = Math.max(1, Math.ceil(q * sorted.length));
  return sorted[rank - 1]!;
}
