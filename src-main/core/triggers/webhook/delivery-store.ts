import type { Database, Statement } from 'better-sqlite3';
import type { Awaitable } from '../../kernel/awaitable';

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

export type AcceptedDelivery = Omit<DeliveryRow, 'status' | 'error'>;

export interface DeliveryCounts {
  webhook_id: string;
  accepted: number;
  refused: number;
  unqueued: number;
  last_at: number;
}

/**
 * What the webhook service asks of its store (SQLite here, PostgreSQL in delivery-store-pg.ts). The
 * replay store is its accepted rows: a delivery id is accepted once per webhook, by whichever node.
 */
export interface DeliveryStorePort {
  record(row: DeliveryRow): Awaitable<void>;
  /** Records an accepted (202) delivery; false, and nothing recorded, when its id was accepted before. */
  recordAccepted(row: AcceptedDelivery): Awaitable<boolean>;
  acceptedRun(webhookId: string, deliveryId: string): Awaitable<{ run_id: string | null } | undefined>;
  recent(webhookId: string, limit: number): Awaitable<DeliveryRow[]>;
  countsSince(since: number): Awaitable<DeliveryCounts[]>;
  lastAcceptedAt(webhookId: string): Awaitable<number | undefined>;
  /** Forgets deliveries received before then (their ids with them: the replay window is the kept history). */
  pruneBefore(time: number): Awaitable<number>;
}

export class DeliveryStore implements DeliveryStorePort {
  private readonly insert: Statement<[DeliveryRow]>;
  private readonly insertAccepted: Statement<[string, string | null, number, string | null, string | null]>;
  private readonly accepted: Statement<[string, string], { run_id: string | null }>;
  private readonly recentRows: Statement<[string, number], DeliveryRow>;
  private readonly counts: Statement<[number], DeliveryCounts>;
  private readonly lastAccepted: Statement<[string], number>;
  private readonly prune: Statement<[number]>;

  constructor(db: Database) {
    this.insert = db.prepare('insert into webhook_deliveries(webhook_id, delivery_id, received_at, status, run_id, error, ip) values (@webhook_id, @delivery_id, @received_at, @status, @run_id, @error, @ip)');
    this.insertAccepted = db.prepare(
      `insert into webhook_deliveries(webhook_id, delivery_id, received_at, status, run_id, error, ip) values (?, ?, ?, 202, ?, null, ?)
       on conflict (webhook_id, delivery_id) where status = 202 and delivery_id is not null do nothing`,
    );
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

  recordAccepted(row: AcceptedDelivery): boolean {
    // Positional: binding an object looks every name up on it, on every delivery.
    return this.insertAccepted.run(row.webhook_id, row.delivery_id, row.received_at, row.run_id, row.ip).changes === 1;
  }

  /** The run of an accepted delivery with this id, if one was accepted (a replay). */
  acceptedRun(webhookId: string, deliveryId: string): { run_id: string | null } | undefined {
    return this.accepted.get(webhookId, deliveryId);
  }

  recent(webhookId: string, limit: number): DeliveryRow[] {
    return this.recentRows.all(webhookId, limit);
  }

  /** Per webhook since then: accepted, refused (any other answer), unqueued (429/5xx: refused by us, not the sender's fault). */
  countsSince(since: number): DeliveryCounts[] {
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
