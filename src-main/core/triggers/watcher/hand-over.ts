import { basename, dirname } from 'node:path';
import type { WatchConfig } from '@shared/config';
import { AppError } from '../../kernel/errors';
import type { EventBus } from '../../kernel/event-bus';
import type { Clock, Logger } from '../../kernel/ports';
import type { TriggerQueue } from '../ports';
import { sameVersion, type FileSignature, type LedgerFileRow, type WatchEvent, type WatchLedger } from './watch-ledger';

export interface HandOverOptions {
  config: WatchConfig;
  root: string;
  clock: Clock;
  queue: TriggerQueue;
  ledger: WatchLedger;
  logger: Logger;
  bus: EventBus;
  /** Takes the ledger file recently unlinked with this inode, size and mtime (a new file like it is that file moved). */
  takeGone(sig: FileSignature): LedgerFileRow | undefined;
  /** Puts it back (the move could not be handed over now). */
  returnGone(row: LedgerFileRow): void;
}

export interface HandOver {
  /** Settled files: decides each one's event from the ledger and queues its run. Returns the files the queue had no room for. */
  files(files: { path: string; sig: FileSignature }[]): { path: string; sig: FileSignature }[];
  /** Ledger files that are gone for good: their `deleted` runs, and out of the ledger. */
  deleted(rows: LedgerFileRow[]): void;
}

interface Outcome {
  event: WatchEvent;
  path: string;
  from: string | null;
  runId: string | null;
  error: string | null;
}

/** The queue cannot take the run now, but will later: the file waits instead of failing. */
const isBackPressure = (e: unknown) => e instanceof AppError && (e.code === 'QUEUE_FULL' || e.code === 'UNAVAILABLE');

/**
 * The decision and the write of a watcher: which event a settled file is (created, modified, moved,
 * or already handled), the run it queues, and the ledger row and history entry, in one transaction.
 */
export function fileHandOver(o: HandOverOptions): HandOver {
  const c = o.config;
  const { ledger } = o;

  const enqueue = (event: WatchEvent, path: string, sig: FileSignature, from: string | null, now: number): string => {
    const time = new Date(now).toISOString();
    return o.queue.enqueue(
      {
        template: c.template,
        variables: { ...c.variables, trigger_file: path, trigger_event: event, trigger_time: time, trigger_filename: basename(path), trigger_dirname: dirname(path) },
        queue: c.queue,
        priority: c.priority,
        idempotency_key: `watcher:${c.id}:${event}:${path}:${sig.ino}:${sig.size}:${sig.mtime_ms}`,
      },
      { trigger: `watcher:${c.id}`, triggerData: { watcher_id: c.id, event, file: path, from, size: sig.size, time }, requestedBy: null },
    ).run_id;
  };

  /** One file in its own savepoint: a refused run leaves the others of the batch queued. */
  const one = (path: string, sig: FileSignature, now: number): Outcome | 'full' | undefined => {
    const row = ledger.file(c.id, path);
    if (row && row.status !== 'failed' && sameVersion(row, sig)) return undefined;
    const source = row ? undefined : o.takeGone(sig);
    const event: WatchEvent = source ? 'moved' : !row ? 'created' : row.status === 'failed' ? (row.event ?? 'created') : 'modified';
    const from = source?.path ?? null;
    const base = { watcher_id: c.id, path, ...sig, event, handled_at: now };
    if (!c.events.includes(event)) {
      ledger.db.transaction(() => {
        ledger.put({ ...base, status: 'ignored', run_id: null, error: null });
        if (from) ledger.remove(c.id, from);
      })();
      return undefined;
    }
    try {
      const runId = ledger.db.transaction(() => {
        const id = enqueue(event, path, sig, from, now);
        ledger.put({ ...base, status: 'queued', run_id: id, error: null });
        ledger.record({ watcher_id: c.id, event, path, from_path: from, at: now, outcome: 'queued', run_id: id, error: null });
        if (from) ledger.remove(c.id, from);
        return id;
      })();
      return { event, path, from, runId, error: null };
    } catch (e) {
      if (isBackPressure(e)) {
        if (source) o.returnGone(source);
        return 'full';
      }
      const error = (e as Error).message;
      ledger.put({ ...base, status: 'failed', run_id: null, error });
      ledger.record({ watcher_id: c.id, event, path, from_path: from, at: now, outcome: 'failed', run_id: null, error });
      return { event, path, from, runId: null, error };
    }
  };

  const announce = (done: Outcome[]) => {
    for (const d of done) {
      const fields = { watcherId: c.id, event: d.event, file: d.path, from: d.from, runId: d.runId };
      if (d.error) o.logger.error(`Watcher '${c.id}' could not queue a run for ${d.path}: ${d.error}`, fields);
      else o.logger.info(`Watcher '${c.id}' queued a run (${d.event})`, fields);
      o.bus.publish('watcher.event', { watcherId: c.id, event: d.event, file: d.path, runId: d.runId ?? undefined, outcome: d.error ? 'failed' : 'queued' });
    }
  };

  return {
    files(files) {
      const now = o.clock.now();
      const done: Outcome[] = [];
      const full: { path: string; sig: FileSignature }[] = [];
      ledger.db.transaction(() => {
        for (const f of files) {
          const r = one(f.path, f.sig, now);
          if (r === 'full') full.push(f);
          else if (r) done.push(r);
        }
      })();
      announce(done);
      return full;
    },
    deleted(rows) {
      const now = o.clock.now();
      const done: Outcome[] = [];
      ledger.db.transaction(() => {
        for (const row of rows) {
          const current = ledger.file(c.id, row.path);
          if (!current || !sameVersion(current, row)) continue;
          if (c.events.includes('deleted')) {
            try {
              const runId = ledger.db.transaction(() => enqueue('deleted', row.path, row, null, now))();
              ledger.record({ watcher_id: c.id, event: 'deleted', path: row.path, from_path: null, at: now, outcome: 'queued', run_id: runId, error: null });
              done.push({ event: 'deleted', path: row.path, from: null, runId, error: null });
            } catch (e) {
              const error = (e as Error).message;
              ledger.record({ watcher_id: c.id, event: 'deleted', path: row.path, from_path: null, at: now, outcome: 'failed', run_id: null, error });
              done.push({ event: 'deleted', path: row.path, from: null, runId: null, error });
            }
          }
          ledger.remove(c.id, row.path);
        }
      })();
      announce(done);
    },
  };
}
