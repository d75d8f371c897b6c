import type { Database, Statement } from 'better-sqlite3';

/** The SQL of watcher_state, watcher_files and watcher_events (migration 0012); the watchers are their one owner. */

export type LedgerStatus = 'baseline' | 'queued' | 'ignored' | 'failed';
export type WatchEvent = 'created' | 'modified' | 'deleted' | 'moved';

/** What identifies one version of a file: a change of size or mtime is a new version; the inode follows a move. */
export interface FileSignature {
  size: number;
  mtime_ms: number;
  ino: string;
}

export interface LedgerFileRow extends FileSignature {
  watcher_id: string;
  path: string;
  status: LedgerStatus;
  event: WatchEvent | null;
  run_id: string | null;
  error: string | null;
  handled_at: number;
}

export interface WatcherEventRow {
  watcher_id: string;
  event: WatchEvent;
  path: string;
  from_path: string | null;
  at: number;
  outcome: 'queued' | 'failed';
  run_id: string | null;
  error: string | null;
}

export const sameVersion = (a: FileSignature, b: FileSignature): boolean => a.size === b.size && a.mtime_ms === b.mtime_ms && a.ino === b.ino;

export class WatchLedger {
  private readonly getFile: Statement<[string, string], LedgerFileRow>;
  private readonly filesOf: Statement<[string], LedgerFileRow>;
  private readonly putFile: Statement<[LedgerFileRow]>;
  private readonly dropFile: Statement<[string, string]>;
  private readonly dropFiles: Statement<[string]>;
  private readonly getFingerprint: Statement<[string], { fingerprint: string }>;
  private readonly putState: Statement<[string, string, number]>;
  private readonly dropState: Statement<[string]>;
  private readonly addEvent: Statement<[WatcherEventRow]>;
  private readonly recentEvents: Statement<[string, number], WatcherEventRow>;
  private readonly lastQueued: Statement<[string], number>;
  private readonly counts: Statement<[number], { watcher_id: string; queued: number; failed: number; last_at: number }>;
  private readonly prune: Statement<[number]>;

  constructor(readonly db: Database) {
    this.getFile = db.prepare('select * from watcher_files where watcher_id = ? and path = ?');
    this.filesOf = db.prepare('select * from watcher_files where watcher_id = ?');
    this.putFile = db.prepare(
      `insert into watcher_files(watcher_id, path, size, mtime_ms, ino, status, event, run_id, error, handled_at)
       values (@watcher_id, @path, @size, @mtime_ms, @ino, @status, @event, @run_id, @error, @handled_at)
       on conflict(watcher_id, path) do update set size = excluded.size, mtime_ms = excluded.mtime_ms, ino = excluded.ino, status = excluded.status,
         event = excluded.event, run_id = excluded.run_id, error = excluded.error, handled_at = excluded.handled_at`,
    );
    this.dropFile = db.prepare('delete from watcher_files where watcher_id = ? and path = ?');
    this.dropFiles = db.prepare('delete from watcher_files where watcher_id = ?');
    this.getFingerprint = db.prepare('select fingerprint from watcher_state where watcher_id = ?');
    this.putState = db.prepare(
      'insert into watcher_state(watcher_id, fingerprint, updated_at) values (?, ?, ?) on conflict(watcher_id) do update set fingerprint = excluded.fingerprint, updated_at = excluded.updated_at',
    );
    this.dropState = db.prepare('delete from watcher_state where watcher_id = ?');
    this.addEvent = db.prepare(
      'insert into watcher_events(watcher_id, event, path, from_path, at, outcome, run_id, error) values (@watcher_id, @event, @path, @from_path, @at, @outcome, @run_id, @error)',
    );
    this.recentEvents = db.prepare('select watcher_id, event, path, from_path, at, outcome, run_id, error from watcher_events where watcher_id = ? order by at desc, id desc limit ?');
    this.counts = db.prepare(
      `select watcher_id, sum(case when outcome = 'queued' then 1 else 0 end) as queued, sum(case when outcome = 'failed' then 1 else 0 end) as failed, max(at) as last_at
       from watcher_events indexed by watcher_events_at where at >= ? group by watcher_id`,
    );
    this.prune = db.prepare('delete from watcher_events where at < ?');
    // Walks watcher_events_recent newest first and stops at the first queued one.
    this.lastQueued = db.prepare<[string], number>("select at from watcher_events where watcher_id = ? and outcome = 'queued' order by at desc limit 1").pluck();
  }

  file(watcherId: string, path: string): LedgerFileRow | undefined {
    return this.getFile.get(watcherId, path);
  }

  files(watcherId: string): LedgerFileRow[] {
    return this.filesOf.all(watcherId);
  }

  put(row: LedgerFileRow): void {
    this.putFile.run(row);
  }

  remove(watcherId: string, path: string): void {
    this.dropFile.run(watcherId, path);
  }

  /** The folder and patterns the ledger was taken for (undefined: the watcher never ran). */
  fingerprint(watcherId: string): string | undefined {
    return this.getFingerprint.get(watcherId)?.fingerprint;
  }

  saveFingerprint(watcherId: string, fingerprint: string, now: number): void {
    this.putState.run(watcherId, fingerprint, now);
  }

  /** A watcher was deleted: a new one of the same id starts afresh. */
  forget(watcherId: string): void {
    this.db.transaction(() => {
      this.dropFiles.run(watcherId);
      this.dropState.run(watcherId);
    })();
  }

  record(event: WatcherEventRow): void {
    this.addEvent.run(event);
  }

  recent(watcherId: string, limit: number): WatcherEventRow[] {
    return this.recentEvents.all(watcherId, limit);
  }

  /** When this watcher last handed a file over (within the kept history). */
  lastQueuedAt(watcherId: string): number | undefined {
    return this.lastQueued.get(watcherId);
  }

  countsSince(since: number) {
    return this.counts.all(since);
  }

  pruneBefore(time: number): number {
    return this.prune.run(time).changes;
  }
}
