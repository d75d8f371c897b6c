import { mkdtempSync, openSync, readSync, closeSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { until } from '../../../test-support/temp-core';
import { startCheckpointer, type Checkpointer } from './checkpointer';
import { openDatabase, WAL_SIZE_LIMIT_BYTES, type Database } from './database';

/**
 * The checkpoint worker beside the app's connection (issue 15: webhook deliveries answered 500
 * now and then under load). A checkpoint that takes SQLite's writer lock (RESTART, TRUNCATE) makes
 * the app's deferred transactions that read before they write fail at once with SQLITE_BUSY: SQLite
 * does not wait (no busy handler) when a reader asks to become the writer.
 */

const cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c();
});

/** How many WAL frames checkpoints have copied into the database (nBackfill in the -shm file's header). */
function backfilled(file: string): number {
  const fd = openSync(`${file}-shm`, 'r');
  try {
    const b = Buffer.alloc(4);
    readSync(fd, b, 0, 4, 96);
    return b.readUInt32LE(0);
  } finally {
    closeSync(fd);
  }
}

async function setUp(): Promise<{ db: Database; file: string; worker: Checkpointer }> {
  const dir = mkdtempSync(join(tmpdir(), 'da-ckpt-'));
  const file = join(dir, 'desktop-agent.db');
  const db = openDatabase({ file });
  db.pragma('wal_autocheckpoint = 0');
  db.exec('create table items (id integer primary key, k text unique, v text)');
  const insert = db.prepare('insert into items (k, v) values (?, ?)');
  // A WAL of 8 MB+ (the worker used to TRUNCATE past 64 MB; here the limit is what makes it cut back).
  db.pragma(`journal_size_limit = ${1024 * 1024}`);
  db.transaction(() => {
    for (let i = 0; i < 20_000; i++) insert.run(`k${i}`, 'x'.repeat(400));
  })();
  expect(statSync(`${file}-wal`).size).toBeGreaterThan(8 * 1024 * 1024);
  const worker = await startCheckpointer({ file, intervalMs: 5, onError: () => undefined });
  cleanup.push(() => rmSync(dir, { recursive: true, force: true }), () => void db.close(), () => worker.stop());
  return { db, file, worker };
}

describe('checkpoint worker', () => {
  it('never takes the writer lock: a transaction that read first can still write while a checkpoint runs', async () => {
    const { db, file } = await setUp();
    const read = db.prepare('select count(*) from items').pluck();
    const write = db.prepare('insert into items (k, v) values (?, ?)');
    // A webhook delivery's transaction: it reads (the replay check) before it writes, and is open
    // while the worker's checkpoint runs.
    db.exec('begin');
    expect(read.get()).toBe(20_000);
    await until('a checkpoint copied frames', () => backfilled(file) > 0);
    expect(() => write.run('during', 'a checkpoint')).not.toThrow();
    db.exec('commit');
    expect(read.get()).toBe(20_001);
  });

  it('keeps the WAL file bounded: once checkpointed, the next commit cuts it back', async () => {
    const { db, file } = await setUp();
    // openDatabase sets the limit; setUp lowered it to 1 MB so an 8 MB WAL shows the cut.
    const fresh = openDatabase({ file });
    expect(fresh.pragma('journal_size_limit', { simple: true })).toBe(WAL_SIZE_LIMIT_BYTES);
    fresh.close();
    const write = db.prepare('insert into items (k, v) values (?, ?)');
    let n = 0;
    await until('the WAL file was cut back', () => {
      write.run(`after${n++}`, 'y');
      return statSync(`${file}-wal`).size <= 1024 * 1024;
    });
  });
});
