import { changesOf, rowsOf, type SqlExecutor } from '../../db/postgres/sql-executor';
import type { FireCounts, FireRow, FireUpdate, ScheduleStateRow, ScheduleStorePort } from './schedule-store';

const FIRE_COLUMNS = 'schedule_id, scheduled_at, outcome, handled_at, run_id, error, folded_count, folded_until';

/**
 * schedule_state and schedule_fires in PostgreSQL (fleet mode, SPEC section 16). `recordFire` is the
 * fleet-wide claim of one scheduled time: INSERT … ON CONFLICT DO NOTHING on (schedule_id,
 * scheduled_at), so of all nodes racing for a time exactly one gets `true` and fires it; no leader.
 * Built on a transaction's client, the claim commits or rolls back with the enqueue: a node that
 * dies between them leaves the time unclaimed, and a node waiting on its row then claims it.
 */
export class PgScheduleStore implements ScheduleStorePort {
  constructor(
    private readonly db: SqlExecutor,
    /** This node's id, kept with each time it handled. */
    private readonly nodeId: string,
  ) {}

  async state(id: string): Promise<ScheduleStateRow | undefined> {
    const [row] = await rowsOf<ScheduleStateRow>(this.db, 'select schedule_id, fingerprint, next_at, last_run_id, updated_at from schedule_state where schedule_id = $1', [id]);
    return row;
  }

  async states(): Promise<ScheduleStateRow[]> {
    return rowsOf<ScheduleStateRow>(this.db, 'select schedule_id, fingerprint, next_at, last_run_id, updated_at from schedule_state order by schedule_id');
  }

  async saveState(row: ScheduleStateRow): Promise<void> {
    await this.db.query(
      `insert into schedule_state(schedule_id, fingerprint, next_at, last_run_id, updated_at) values ($1, $2, $3, $4, $5)
       on conflict (schedule_id) do update set fingerprint = excluded.fingerprint, next_at = excluded.next_at, last_run_id = excluded.last_run_id, updated_at = excluded.updated_at`,
      [row.schedule_id, row.fingerprint, row.next_at, row.last_run_id, row.updated_at],
    );
  }

  async deleteState(id: string): Promise<void> {
    await this.db.query('delete from schedule_state where schedule_id = $1', [id]);
  }

  async recordFire(row: FireRow): Promise<boolean> {
    const inserted = await changesOf(
      this.db,
      `insert into schedule_fires(${FIRE_COLUMNS}, handled_by) values ($1, $2, $3, $4, $5, $6, $7, $8, $9)
       on conflict (schedule_id, scheduled_at) do nothing`,
      [row.schedule_id, row.scheduled_at, row.outcome, row.handled_at, row.run_id, row.error, row.folded_count, row.folded_until, this.nodeId],
    );
    return inserted === 1;
  }

  async updateFire(row: FireUpdate): Promise<void> {
    await this.db.query('update schedule_fires set outcome = $3, handled_at = $4, run_id = $5, error = $6, handled_by = $7 where schedule_id = $1 and scheduled_at = $2', [
      row.schedule_id,
      row.scheduled_at,
      row.outcome,
      row.handled_at,
      row.run_id,
      row.error,
      this.nodeId,
    ]);
  }

  async oldestWaiting(id: string): Promise<FireRow | undefined> {
    const [row] = await rowsOf<FireRow>(this.db, `select ${FIRE_COLUMNS} from schedule_fires where schedule_id = $1 and outcome = 'waiting' order by scheduled_at limit 1`, [id]);
    return row;
  }

  async history(id: string, limit: number): Promise<FireRow[]> {
    return rowsOf<FireRow>(this.db, `select ${FIRE_COLUMNS} from schedule_fires where schedule_id = $1 order by scheduled_at desc limit $2`, [id, limit]);
  }

  async countsSince(since: number): Promise<FireCounts[]> {
    return rowsOf<FireCounts>(
      this.db,
      `select schedule_id,
              count(*) filter (where outcome in ('fired', 'caught_up')) as fired,
              coalesce(sum(folded_count) filter (where outcome = 'missed'), 0)::bigint as missed,
              count(*) filter (where outcome = 'failed') as failed,
              count(*) filter (where outcome = 'skipped') as skipped
       from schedule_fires where handled_at >= $1 group by schedule_id order by schedule_id`,
      [since],
    );
  }

  async pruneBefore(time: number): Promise<number> {
    return changesOf(this.db, 'delete from schedule_fires where handled_at < $1', [time]);
  }

  /** Which node handled a time (PostgreSQL only: SQLite has one node). */
  async handledBy(scheduleId: string, scheduledAt: number): Promise<string | null | undefined> {
    const [row] = await rowsOf<{ handled_by: string | null }>(this.db, 'select handled_by from schedule_fires where schedule_id = $1 and scheduled_at = $2', [scheduleId, scheduledAt]);
    return row?.handled_by;
  }
}
