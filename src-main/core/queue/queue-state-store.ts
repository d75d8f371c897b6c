import type { Database, Statement } from 'better-sqlite3';

/**
 * The queue-state storage port: which queues a person paused (survives restarts). One statement
 * per method, so a PostgreSQL implementation satisfies it the same way (SPEC section 16).
 */
export interface QueueStateStorage {
  pausedQueues(): string[];
  setPaused(name: string, paused: boolean, by: string | null, at: number): void;
}

export class SqliteQueueState implements QueueStateStorage {
  private readonly pausedStmt: Statement<[]>;
  private readonly setStmt: Statement;

  constructor(db: Database) {
    this.pausedStmt = db.prepare('select name from queue_state where paused = 1');
    this.setStmt = db.prepare(`insert into queue_state(name, paused, paused_by, paused_at) values (@name, @paused, @by, @at)
      on conflict(name) do update set paused = excluded.paused, paused_by = excluded.paused_by, paused_at = excluded.paused_at`);
  }

  pausedQueues(): string[] {
    return this.pausedStmt.pluck().all() as string[];
  }

  setPaused(name: string, paused: boolean, by: string | null, at: number): void {
    this.setStmt.run({ name, paused: paused ? 1 : 0, by, at });
  }
}
