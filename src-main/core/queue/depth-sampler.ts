import type { Database, Statement } from 'better-sqlite3';

/**
 * Keeps the highest depth and running count per queue per minute, and writes them to
 * `queue_samples` every few seconds (and at stop) — the stored data behind queue_depth_peak_24h
 * and the queue charts, without a write per enqueue.
 */
export class DepthSampler {
  private readonly pending = new Map<string, { minute: number; queue: string; depth: number; running: number }>();
  private readonly upsert: Statement;
  /** The pending keys of the current minute per queue, so an observation builds no string. */
  private keys = new Map<string, string>();
  private keysMinute = NaN;

  constructor(
    private readonly db: Database,
    private readonly now: () => number,
  ) {
    this.upsert = db.prepare(`insert into queue_samples(minute, queue, depth_max, running_max) values (@minute, @queue, @depth, @running)
      on conflict(minute, queue) do update set depth_max = max(depth_max, excluded.depth_max), running_max = max(running_max, excluded.running_max)`);
  }

  observe(queue: string, depth: number, running: number): void {
    const minute = Math.floor(this.now() / 60_000);
    if (minute !== this.keysMinute) {
      this.keys = new Map();
      this.keysMinute = minute;
    }
    let key = this.keys.get(queue);
    if (key === undefined) this.keys.set(queue, (key = `${minute}|${queue}`));
    const cur = this.pending.get(key);
    if (cur) {
      cur.depth = Math.max(cur.depth, depth);
      cur.running = Math.max(cur.running, running);
    } else {
      this.pending.set(key, { minute, queue, depth, running });
    }
  }

  flush(): void {
    if (!this.pending.size) return;
    const rows = [...this.pending.values()];
    this.pending.clear();
    this.db.transaction(() => {
      for (const r of rows) this.upsert.run(r);
    })();
  }

  /** The highest depth of any queue (or one queue) since `since` (epoch ms). */
  static peakSince(db: Database, since: number, queue?: string): number {
    const minute = Math.floor(since / 60_000);
    const sql = queue
      ? 'select coalesce(max(depth_max), 0) from queue_samples where minute >= ? and queue = ?'
      : 'select coalesce(max(depth_max), 0) from queue_samples where minute >= ?';
    return (queue ? db.prepare(sql).pluck().get(minute, queue) : db.prepare(sql).pluck().get(minute)) as number;
  }
}
