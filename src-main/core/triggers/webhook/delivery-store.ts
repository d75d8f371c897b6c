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
  private readonly counts: Statement<[number], { webhook_id: string; accepted: number; refused: number; last_at: number }>;
  private readonly prune: Statement<[number]>;

  constructor(db: Database) {
    this.insert = db.prepare('insert into webhook_deliveries(webhook_id, delivery_id, received_at, status, run_id, error, ip) values (@webhook_id, @delivery_id, @received_at, @status, @run_id, @error, @ip)');
    this.accepted = db.prepare('select run_id from webhook_deliveries where webhook_id = ? and delivery_id = ? and status = 202');
    this.recentRows = db.prepare('select * from webhook_deliveries where webhook_id = ? order by received_at desc, id desc limit ?');
    this.counts = db.prepare(
      `select webhook_id, sum(case when status = 202 then 1 else 0 end) as accepted, sum(case when status <> 202 then 1 else 0 end) as refused, max(received_at) as last_at
       from webhook_deliveries where received_at >= ? group by webhook_id`,
    );
    this.prune = db.prepare('delete from webhook_deliveries where received_at < ?');
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

  countsSince(since: number) {
    return this.counts.all(since);
  }

  pruneBefore(time: number): number {
    return this.prune.run(time).changes;
  }
}
