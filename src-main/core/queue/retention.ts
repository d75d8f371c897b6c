import { rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Database } from 'better-sqlite3';
import type { Logger } from '../kernel/ports';
import type { RunsStorage } from '../runs';
import { DAY_MS, MINUTE_MS } from '../kernel/clock';

export interface RetentionOptions {
  /** For the database's own housekeeping (samples, audit, page counts, checkpoint). */
  db: Database;
  runs: RunsStorage;
  dbFile: string;
  artifactsDir: string;
  logger: Logger;
  now: () => number;
  runsDays: number;
  maxDbMb: number;
  auditDays: number;
  batchSize?: number;
}

export interface RetentionReport {
  runsDeleted: number;
  bytesBefore: number;
  bytesAfter: number;
}

/** Size of the database file plus its WAL. */
export function databaseBytes(dbFile: string): number {
  let total = 0;
  for (const f of [dbFile, `${dbFile}-wal`]) {
    try {
      total += statSync(f).size;
    } catch {
      // not there
    }
  }
  return total;
}

/**
 * Prunes finished runs older than runs_days, then the oldest finished runs while the database is
 * over max_db_mb, in small batches (each its own transaction, so the queue keeps moving), with
 * their artifacts; then trims old samples and audit entries, checkpoints the WAL and gives free
 * pages back to the file system.
 */
export function pruneOnce(o: RetentionOptions): RetentionReport {
  const batch = o.batchSize ?? 500;
  const bytesBefore = databaseBytes(o.dbFile);
  const deleteBatch = (ids: string[]) => {
    o.runs.retention.deleteMany(ids);
    for (const id of ids) rmSync(join(o.artifactsDir, id), { recursive: true, force: true });
  };

  let runsDeleted = 0;
  const cutoff = o.now() - o.runsDays * DAY_MS;
  for (;;) {
    const ids = o.runs.retention.finishedBefore(cutoff, batch);
    if (!ids.length) break;
    deleteBatch(ids);
    runsDeleted += ids.length;
  }

  const limit = o.maxDbMb * 1024 * 1024;
  const usedBytes = () => {
    const pages = o.db.pragma('page_count', { simple: true }) as number;
    const free = o.db.pragma('freelist_count', { simple: true }) as number;
    return (pages - free) * (o.db.pragma('page_size', { simple: true }) as number);
  };
  while (usedBytes() > limit) {
    const ids = o.runs.retention.oldestFinished(batch);
    if (!ids.length) break;
    deleteBatch(ids);
    runsDeleted += ids.length;
  }

  if (runsDeleted) o.runs.retention.pruneTemplateContents();
  o.db.prepare('delete from queue_samples where minute < ?').run(Math.floor((o.now() - 8 * DAY_MS) / MINUTE_MS));
  o.db.prepare('delete from audit_log where time < ?').run(o.now() - o.auditDays * DAY_MS);
  // Free pages go back to the file system, then the WAL is folded in so the file really shrinks.
  // Nothing freed, nothing to shrink: no checkpoint here, where it blocks the event loop for as
  // long as copying the WAL takes (the checkpoint worker folds it in meanwhile, off the loop).
  if ((o.db.pragma('freelist_count', { simple: true }) as number) > 0) {
    o.db.pragma('incremental_vacuum');
    o.db.pragma('wal_checkpoint(TRUNCATE)');
  }
  if (runsDeleted) o.logger.info(`Retention pruned ${runsDeleted} finished run(s)`, { runsDeleted });
  return { runsDeleted, bytesBefore, bytesAfter: databaseBytes(o.dbFile) };
}
