import type { Database } from 'better-sqlite3';
import { HOUR_MS, MINUTE_MS } from '../kernel/clock';


/**
 * The total queue depth (queued + retry_wait over every queue, the `*` row the sampler keeps per
 * minute) at its highest in the last 24 h and in each of its hours, oldest first.
 */
export function createDepthFigures(db: Database) {
  const hourly = db.prepare("select (minute * 60000 - ?) / 3600000 as h, max(depth_max) as d from queue_samples where queue = '*' and minute >= ? and minute <= ? group by h");
  return (now: number): { peak24h: number; hourly: number[] } => {
    const since = now - 24 * HOUR_MS;
    const out = new Array<number>(24).fill(0);
    // A minute counts when it starts inside the window (the sampler stores whole minutes).
    const rows = hourly.all(since, Math.ceil(since / MINUTE_MS), Math.floor(now / MINUTE_MS)) as { h: number; d: number }[];
    for (const r of rows) {
      const i = Math.min(23, Math.max(0, Math.floor(r.h)));
      out[i] = Math.max(out[i]!, r.d);
    }
    return { peak24h: Math.max(0, ...out), hourly: out };
  };
}
