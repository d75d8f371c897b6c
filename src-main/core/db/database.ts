import BetterSqlite3, { type Database } from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { migrate } from './migrate';
import type { Migration } from './migrations';

export type { Database };

export interface OpenDatabaseOptions {
  file: string;
  /** A side-by-side native build (see native-binding.ts). */
  nativeBinding?: string;
  migrations?: readonly Migration[];
  busyTimeoutMs?: number;
}

export class DatabaseCorruptError extends Error {
  constructor(file: string, problems: string[]) {
    super(`The database ${file} failed its integrity check: ${problems.slice(0, 5).join('; ')}. Restore a backup or move the file away.`);
    this.name = 'DatabaseCorruptError';
  }
}

/**
 * Opens the one SQLite database: WAL, a busy timeout so a second process waits instead of
 * failing, foreign keys on, migrations applied, and a quick integrity check.
 *
 * synchronous=NORMAL in WAL mode: a commit survives a crash or kill -9 of the process (the
 * WAL is in the OS), while a power cut may lose the last transactions. See docs/decisions.
 */
/** The WAL file's size after a restart of the log (it may grow past it under load until then). */
export const WAL_SIZE_LIMIT_BYTES = 64 * 1024 * 1024;

export function openDatabase(options: OpenDatabaseOptions): Database {
  mkdirSync(dirname(options.file), { recursive: true });
  const db = new BetterSqlite3(options.file, options.nativeBinding ? { nativeBinding: options.nativeBinding } : {});
  try {
    db.pragma(`busy_timeout = ${options.busyTimeoutMs ?? 5000}`);
    // Retention gives pages back with incremental_vacuum; this must be chosen before the first table.
    const isNew = (db.prepare("select count(*) from sqlite_master").pluck().get() as number) === 0;
    if (isNew) db.pragma('auto_vacuum = INCREMENTAL');
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    // When a commit restarts a fully checkpointed WAL, the file is cut back to this size (the
    // checkpoint worker only runs PASSIVE checkpoints, which never shrink it: see checkpointer.ts).
    db.pragma(`journal_size_limit = ${WAL_SIZE_LIMIT_BYTES}`);
    db.pragma('foreign_keys = ON');
    const check = db.pragma('quick_check', { simple: false }) as { quick_check: string }[];
    const problems = check.map((r) => r.quick_check).filter((m) => m !== 'ok');
    if (problems.length) throw new DatabaseCorruptError(options.file, problems);
    migrate(db, options.file, options.migrations);
    return db;
  } catch (e) {
    db.close();
    throw e;
  }
}

/** Folds the WAL back into the main file (called periodically and at shutdown). */
export function checkpoint(db: Database, mode: 'PASSIVE' | 'TRUNCATE' = 'PASSIVE'): void {
  db.pragma(`wal_checkpoint(${mode})`);
}
