import type { Database, Statement } from 'better-sqlite3';

/** The SQL of webhook_deliveries (migration 0009); the webhook service is its one owner. */
export interface DeliveryRow {
  webhook_id: string;
  delivery_id: string | null;
  received_at: number;
  status: number;
  run_id: string | null;
  error: string | null;
  ip: string | null;
}

export class DeliveryStore {
  private readonly insert: Statement<[DeliveryRow]>;
  private readonly accepted: Statement<[string, string], { run_id: string | null }>;
  private readonly recentRows: Statement<[string, number], DeliveryRow>;
  private readonly counts: Statement<[number], { webhook_id: string; accepted: number; refused: number; unqueued: number; last_at: number }>;
  private readonly lastAccepted: Statement<[string], number>;
  private readonly prune: Statement<[number]>;

  constructor(db: Database) {
    this.insert = db.prepare('insert into webhook_deliveries(webhook_id, delivery_id, received_at, status, run_id, error, ip) values (@webhook_id, @delivery_id, @received_at, @status, @run_id, @error, @ip)');
    this.accepted = db.prepare('select run_id from webhook_deliveries where webhook_id = ? and delivery_id = ? and status = 202');
    this.recentRows = db.prepare('select * from webhook_deliveries where webhook_id = ? order by received_at desc, id desc limit ?');
    this.counts = db.prepare(
      `select webhook_id, sum(case when status = 202 then 1 else 0 end) as accepted, sum(case when status <> 202 then 1 else 0 end) as refused,
         sum(case when status = 429 or status >= 500 then 1 else 0 end) as unqueued, max(received_at) as last_at
       from webhook_deliveries indexed by webhook_deliveries_received where received_at >= ? group by webhook_id`,
    );
    this.prune = db.prepare('delete from webhook_deliveries where received_at < ?');
    // Walks webhook_deliveries_recent newest first and stops at the first accepted one.
    this.lastAccepted = db.prepare<[string], number>('select received_at from webhook_deliveries where webhook_id = ? and status = 202 order by received_at desc limit 1').pluck();
  }

  record(row: DeliveryRow): void {
    this.insert.run(row);
  }

  /** The run of an accepted delivery with this id, if one was accepted (a replay). */
  acceptedRun(webhookId: string, deliveryId: string): { run_id: string | null } | undefined {
    return this.accepted.get(webhookId, deliveryId);
  }

  recent(webhookId: string, limit: number): DeliveryRow[] {
    return this.recentRows.all(webhookId, limit);
  }

  /** Per webhook since then: accepted, refused (any other answer), unqueued (429/5xx: refused by us, not the sender's fault). */
  countsSince(since: number) {
    return this.counts.all(since);
  }

  /** When a delivery to this webhook was last accepted (within the kept history). */
  lastAcceptedAt(webhookId: string): number | undefined {
    return this.lastAccepted.get(webhookId);
  }

  pruneBefore(time: number): number {
    return this.prune.run(time).changes;
  }
}
