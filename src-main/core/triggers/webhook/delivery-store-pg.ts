import { changesOf, rowsOf, type SqlExecutor } from '../../db/postgres/sql-executor';
import type { AcceptedDelivery, DeliveryCounts, DeliveryRow, DeliveryStorePort } from './delivery-store';

const COLUMNS = 'webhook_id, delivery_id, received_at, status, run_id, error, ip';

/**
 * webhook_deliveries in PostgreSQL (fleet mode, SPEC section 16): the one replay store every node
 * checks. `recordAccepted` inserts with ON CONFLICT DO NOTHING on the accepted-id index, so when the
 * same delivery reaches two nodes at once exactly one records it; the other gets false (409).
 */
export class PgDeliveryStore implements DeliveryStorePort {
  constructor(private readonly db: SqlExecutor) {}

  async record(row: DeliveryRow): Promise<void> {
    await this.db.query(`insert into webhook_deliveries(${COLUMNS}) values ($1, $2, $3, $4, $5, $6, $7)`, [
      row.webhook_id,
      row.delivery_id,
      row.received_at,
      row.status,
      row.run_id,
      row.error,
      row.ip,
    ]);
  }

  async recordAccepted(row: AcceptedDelivery): Promise<boolean> {
    const inserted = await changesOf(
      this.db,
      `insert into webhook_deliveries(${COLUMNS}) values ($1, $2, $3, 202, $4, null, $5)
       on conflict (webhook_id, delivery_id) where status = 202 and delivery_id is not null do nothing`,
      [row.webhook_id, row.delivery_id, row.received_at, row.run_id, row.ip],
    );
    return inserted === 1;
  }

  async acceptedRun(webhookId: string, deliveryId: string): Promise<{ run_id: string | null } | undefined> {
    const [row] = await rowsOf<{ run_id: string | null }>(this.db, 'select run_id from webhook_deliveries where webhook_id = $1 and delivery_id = $2 and status = 202', [webhookId, deliveryId]);
    return row;
  }

  async recent(webhookId: string, limit: number): Promise<DeliveryRow[]> {
    return rowsOf<DeliveryRow>(this.db, `select ${COLUMNS} from webhook_deliveries where webhook_id = $1 order by received_at desc, id desc limit $2`, [webhookId, limit]);
  }

  async countsSince(since: number): Promise<DeliveryCounts[]> {
    return rowsOf<DeliveryCounts>(
      this.db,
      `select webhook_id, count(*) filter (where status = 202) as accepted, count(*) filter (where status <> 202) as refused,
         count(*) filter (where status = 429 or status >= 500) as unqueued, max(received_at) as last_at
       from webhook_deliveries where received_at >= $1 group by webhook_id order by webhook_id`,
      [since],
    );
  }

  async lastAcceptedAt(webhookId: string): Promise<number | undefined> {
    const [row] = await rowsOf<{ received_at: number }>(this.db, 'select received_at from webhook_deliveries where webhook_id = $1 and status = 202 order by received_at desc limit 1', [webhookId]);
    return row?.received_at;
  }

  async pruneBefore(time: number): Promise<number> {
    return changesOf(this.db, 'delete from webhook_deliveries where received_at < $1', [time]);
  }
}
