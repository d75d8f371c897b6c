import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import type { RuntimeInfo } from './runtime-file';

/**
 * One instance (serve or the desktop app) per data dir. The lock is SQLite's own exclusive lock
 * on `<data-dir>/instance.lock`, held by an open `BEGIN EXCLUSIVE` for the life of the process:
 * fcntl locks on Linux and macOS, LockFileEx on Windows, all released by the OS when the process
 * dies (kill -9 included), and no native module beyond the better-sqlite3 we already ship.
 * See docs/decisions/0021-one-instance-per-data-dir.md.
 */
export interface InstanceLock {
  readonly file: string;
  release(): void;
}

export interface LockOptions {
  /** The better-sqlite3 build for this runtime (db/native-binding.ts). */
  nativeBinding?: string;
  /** How long to wait for a holder to let go (a CLI's probe holds it for a moment). */
  waitMs?: number;
}

export const instanceLockFile = (dataDir: string) => join(dataDir, 'instance.lock');

function tryLock(file: string, options: LockOptions): BetterSqlite3.Database | undefined {
  const db = new BetterSqlite3(file, { timeout: options.waitMs ?? 1000, nativeBinding: options.nativeBinding });
  try {
    // No journal file: the lock database is never written.
    db.pragma('journal_mode = OFF');
    db.exec('BEGIN EXCLUSIVE');
    return db;
  } catch (e) {
    db.close();
    if ((e as { code?: string }).code === 'SQLITE_BUSY') return undefined;
    throw e;
  }
}

/** Takes the data dir's lock, or answers who holds it (runtime.json, when the holder has written it). */
export function acquireInstanceLock(dataDir: string, options: LockOptions = {}): { ok: true; lock: InstanceLock } | { ok: false; holder: RuntimeInfo | undefined } {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const file = instanceLockFile(dataDir);
  const db = tryLock(file, options);
  if (!db) return { ok: false, holder: readRuntimeInfo(dataDir) };
  let held = true;
  return {
    ok: true,
    lock: {
      file,
      release() {
        if (!held) return;
        held = false;
        db.close();
      },
    },
  };
}

/**
 * The running instance on a data dir, if any: its lock is held. runtime.json alone is not proof
 * (a killed instance leaves it behind); its URL is read only when the lock says someone is there.
 */
export function runningInstance(dataDir: string, options: LockOptions = {}): { running: false } | { running: true; info: RuntimeInfo | undefined } {
  if (!existsSync(instanceLockFile(dataDir))) return { running: false };
  const db = tryLock(instanceLockFile(dataDir), { ...options, waitMs: options.waitMs ?? 250 });
  if (!db) return { running: true, info: readRuntimeInfo(dataDir) };
  db.close();
  return { running: false };
}

export function readRuntimeInfo(dataDir: string): RuntimeInfo | undefined {
  try {
    const info = JSON.parse(readFileSync(join(dataDir, 'runtime.json'), 'utf8')) as RuntimeInfo;
    return typeof info.url === 'string' && typeof info.pid === 'number' ? info : undefined;
  } catch {
    return undefined;
  }
}

/** The one line a second `serve` or app prints. */
export function instanceRunningMessage(dataDir: string, holder: RuntimeInfo | undefined): string {
  const who = holder ? `pid ${holder.pid}, ${holder.url}` : 'it has not written runtime.json yet, or runs without its API';
  return `Desktop Agent is already running on ${dataDir} (${who}); use that one, stop it first, or start with another --data-dir`;
}

export class InstanceRunningError extends Error {
  constructor(
    readonly dataDir: string,
    readonly holder: RuntimeInfo | undefined,
  ) {
    super(instanceRunningMessage(dataDir, holder));
    this.name = 'InstanceRunningError';
  }
}
