import type { Database } from 'better-sqlite3';

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
  /** Per hour of the window, oldest first: runs created, succeeded and failed (by finish time). */
  hourly: { created: number[]; succeeded: number[]; failed: number[] };
}

export const HOUR_MS = 3_600_000;
export const DAY_MS = 24 * HOUR_MS;
const round = (v: number, digits: number) => Math.round(v * 10 ** digits) / 10 ** digits;

/**
 * Reads the figures with prepared statements that use the indexes on created_at and finished_at,
 * so the cost follows the runs of the last 24 hours, not the size of the table; `total_runs` is a
 * count of the table plus the runs deleted so far (kept by a trigger, migration 0007).
 */
export function createRunFigures(db: Database) {
  const q = {
    total: db.prepare("select (select count(*) from runs) + coalesce((select cast(value as integer) from meta where key = 'runs_deleted'), 0)").pluck(),
    finished: db.prepare(`select
        coalesce(sum(status = 'succeeded'), 0) as succeeded,
        coalesce(sum(status = 'failed'), 0) as failed,
        coalesce(sum(status = 'cancelled'), 0) as cancelled,
        coalesce(sum(attempts > 1), 0) as retried
      from runs where finished_at >= ? and finished_at <= ? and status in ('succeeded', 'failed', 'cancelled')`),
    durations: db
      .prepare(
        `select finished_at - started_at from runs where finished_at >= ? and finished_at <= ?
         and status in ('succeeded', 'failed', 'cancelled') and started_at is not null order by 1`,
      )
      .pluck(),
    created: db.prepare(`select count(*) as n,
        coalesce(sum(trigger like 'schedule:%'), 0) as schedule,
        coalesce(sum(trigger like 'watcher:%'), 0) as watcher,
        coalesce(sum(trigger like 'webhook:%'), 0) as webhook
      from runs where created_at >= ? and created_at <= ?`),
    createdHourly: db.prepare('select (created_at - ?) / 3600000 as h, count(*) as n from runs where created_at >= ? and created_at <= ? group by h'),
    finishedHourly: db.prepare(`select (finished_at - ?) / 3600000 as h, coalesce(sum(status = 'succeeded'), 0) as ok, coalesce(sum(status = 'failed'), 0) as bad
      from runs where finished_at >= ? and finished_at <= ? and status in ('succeeded', 'failed') group by h`),
  };

  return (now: number): RunFigures => {
    const since = now - DAY_MS;
    const fin = q.finished.get(since, now) as { succeeded: number; failed: number; cancelled: number; retried: number };
    const done = fin.succeeded + fin.failed + fin.cancelled;
    const durations = q.durations.all(since, now) as number[];
    const created = q.created.get(since, now) as { n: number; schedule: number; watcher: number; webhook: number };
    const hourly = { created: new Array<number>(24).fill(0), succeeded: new Array<number>(24).fill(0), failed: new Array<number>(24).fill(0) };
    // Hour i covers [since + i h, since + (i+1) h); the last instant (now) belongs to the last hour.
    // (Bound numbers are doubles in SQLite, so the hour index arrives fractional: floor it.)
    const slot = (h: number) => Math.min(23, Math.max(0, Math.floor(h)));
    for (const r of q.createdHourly.all(since, since, now) as { h: number; n: number }[]) hourly.created[slot(r.h)]! += r.n;
    for (const r of q.finishedHourly.all(since, since, now) as { h: number; ok: number; bad: number }[]) {
      hourly.succeeded[slot(r.h)]! += r.ok;
      hourly.failed[slot(r.h)]! += r.bad;
    }
    return {
      total_runs: q.total.get() as number,
      succeeded_24h: fin.succeeded,
      failed_24h: fin.failed,
      cancelled_24h: fin.cancelled,
      success_rate_24h: fin.succeeded + fin.failed ? round(fin.succeeded / (fin.succeeded + fin.failed), 4) : null,
      median_duration_ms_24h: nearestRank(durations, 0.5),
      p95_duration_ms_24h: nearestRank(durations, 0.95),
      runs_per_hour_24h: round(created.n / 24, 3),
      retry_rate_24h: done ? round(fin.retried / done, 4) : null,
      scheduled_runs_24h: created.schedule,
      folder_triggers_24h: created.watcher,
      webhook_triggers_24h: created.webhook,
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
