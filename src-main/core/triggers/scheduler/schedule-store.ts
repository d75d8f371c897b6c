import type { Database, Statement } from 'better-sqlite3';
import type { Awaitable } from '../../kernel/awaitable';

/** The SQL of schedule_state and schedule_fires (migration 0008); the scheduler is their one owner. */

export type FireOutcome = 'fired' | 'caught_up' | 'missed' | 'skipped' | 'waiting' | 'failed';

export interface ScheduleStateRow {
  schedule_id: string;
  fingerprint: string;
  next_at: number | null;
  last_run_id: string | null;
  updated_at: number;
}

export interface FireRow {
  schedule_id: string;
  scheduled_at: number;
  outcome: FireOutcome;
  handled_at: number;
  run_id: string | null;
  error: string | null;
  folded_count: number;
  folded_until: number | null;
}

export interface FireCounts {
  schedule_id: string;
  fired: number;
  missed: number;
  failed: number;
  skipped: number;
}

export type FireUpdate = Pick<FireRow, 'schedule_id' | 'scheduled_at' | 'outcome' | 'handled_at' | 'run_id' | 'error'>;

/**
 * What the scheduler asks of its store (SQLite here, PostgreSQL in schedule-store-pg.ts). `recordFire`
 * is the claim: a time is recorded once per schedule, and only the caller whose record went in fires it.
 */
export interface ScheduleStorePort {
  state(id: string): Awaitable<ScheduleStateRow | undefined>;
  states(): Awaitable<ScheduleStateRow[]>;
  saveState(row: ScheduleStateRow): Awaitable<void>;
  deleteState(id: string): Awaitable<void>;
  /** False when the time is already in the ledger (another caller, or another node, has it). */
  recordFire(row: FireRow): Awaitable<boolean>;
  updateFire(row: FireUpdate): Awaitable<void>;
  oldestWaiting(id: string): Awaitable<FireRow | undefined>;
  history(id: string, limit: number): Awaitable<FireRow[]>;
  countsSince(since: number): Awaitable<FireCounts[]>;
  pruneBefore(time: number): Awaitable<number>;
}

export class ScheduleStore implements ScheduleStorePort {
  private readonly getState: Statement<[string], ScheduleStateRow>;
  private readonly allStates: Statement<[], ScheduleStateRow>;
  private readonly putState: Statement<[ScheduleStateRow]>;
  private readonly dropState: Statement<[string]>;
  private readonly addFire: Statement<[FireRow]>;
  private readonly setFire: Statement<FireUpdate>;
  private readonly firstWaiting: Statement<[string], FireRow>;
  private readonly recent: Statement<[string, number], FireRow>;
  private readonly counts: Statement<[number], FireCounts>;
  private readonly prune: Statement<[number]>;

  constructor(readonly db: Database) {
    this.getState = db.prepare('select * from schedule_state where schedule_id = ?');
    this.allStates = db.prepare('select * from schedule_state');
    this.putState = db.prepare(
      `insert into schedule_state(schedule_id, fingerprint, next_at, last_run_id, updated_at) values (@schedule_id, @fingerprint, @next_at, @last_run_id, @updated_at)
       on conflict(schedule_id) do update set fingerprint = excluded.fingerprint, next_at = excluded.next_at, last_run_id = excluded.last_run_id, updated_at = excluded.updated_at`,
    );
    this.dropState = db.prepare('delete from schedule_state where schedule_id = ?');
    // A time already in the ledger is never recorded (or fired) again.
    this.addFire = db.prepare(
      `insert into schedule_fires(schedule_id, scheduled_at, outcome, handled_at, run_id, error, folded_count, folded_until)
       values (@schedule_id, @scheduled_at, @outcome, @handled_at, @run_id, @error, @folded_count, @folded_until) on conflict(schedule_id, scheduled_at) do nothing`,
    );
    this.setFire = db.prepare(
      'update schedule_fires set outcome = @outcome, handled_at = @handled_at, run_id = @run_id, error = @error where schedule_id = @schedule_id and scheduled_at = @scheduled_at',
    );
    this.firstWaiting = db.prepare("select * from schedule_fires where schedule_id = ? and outcome = 'waiting' order by scheduled_at limit 1");
    this.recent = db.prepare('select * from schedule_fires where schedule_id = ? order by scheduled_at desc limit ?');
    this.counts = db.prepare(
      `select schedule_id,
              sum(case when outcome in ('fired', 'caught_up') then 1 else 0 end) as fired,
              sum(case when outcome = 'missed' then folded_count else 0 end) as missed,
              sum(case when outcome = 'failed' then 1 else 0 end) as failed,
              sum(case when outcome = 'skipped' then 1 else 0 end) as skipped
       from schedule_fires where handled_at >= ? group by schedule_id`,
    );
    this.prune = db.prepare('delete from schedule_fires where handled_at < ?');
  }

  state(id: string): ScheduleStateRow | undefined {
    return this.getState.get(id);
  }

  states(): ScheduleStateRow[] {
    return this.allStates.all();
  }

  saveState(row: ScheduleStateRow): void {
    this.putState.run(row);
  }

  deleteState(id: string): void {
    this.dropState.run(id);
  }

  /** False when the time is already in the ledger. */
  recordFire(row: FireRow): boolean {
    return this.addFire.run(row).changes === 1;
  }

  updateFire(row: FireUpdate): void {
    this.setFire.run(row);
  }

  oldestWaiting(id: string): FireRow | undefined {
    return this.firstWaiting.get(id);
  }

  history(id: string, limit: number): FireRow[] {
    return this.recent.all(id, limit);
  }

  countsSince(since: number): FireCounts[] {
    return this.counts.all(since);
  }

  pruneBefore(time: number): number {
    return this.prune.run(time).changes;
  }
}
