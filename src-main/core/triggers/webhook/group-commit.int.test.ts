import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { afterEach, describe, expect, it } from 'vitest';
import { GroupCommit } from './group-commit';

/** Group commit on a real SQLite file in WAL mode. */
describe('GroupCommit', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });
  const open = () => {
    const dir = mkdtempSync(join(tmpdir(), 'da-group-commit-'));
    dirs.push(dir);
    const db = new Database(join(dir, 'db.sqlite'));
    db.pragma('journal_mode = WAL');
    db.exec('create table t(v integer primary key)');
    return db;
  };

  it('writes what was asked for in one turn in one transaction; one that throws is rolled back alone', async () => {
    const db = open();
    const g = new GroupCommit(db);
    const results = Promise.allSettled([1, 2, 3, 2, 4].map((v) => g.run(() => db.prepare('insert into t(v) values (?)').run(v).lastInsertRowid)));
    // Nothing is visible to another connection before the commit.
    const other = new Database(db.name, { readonly: true });
    expect(other.prepare('select count(*) as n from t').get()).toEqual({ n: 0 });
    const settled = await results;
    expect(settled.map((s) => s.status)).toEqual(['fulfilled', 'fulfilled', 'fulfilled', 'rejected', 'fulfilled']);
    expect(String((settled[3] as PromiseRejectedResult).reason)).toMatch(/UNIQUE/);
    expect(other.prepare('select v from t order by v').pluck().all()).toEqual([1, 2, 3, 4]);
    other.close();
    db.close();
  });

  it('runs each write once when none throws; when one throws, the batch is rolled back and run again with a savepoint each, so the others are stored once', async () => {
    const db = open();
    const g = new GroupCommit(db);
    const runs = new Map<number, number>();
    const write = (v: number, fail = false) => () => {
      runs.set(v, (runs.get(v) ?? 0) + 1);
      db.prepare('insert into t(v) values (?)').run(v);
      if (fail) throw new Error(`write ${v} failed after its insert`);
    };
    await Promise.all([1, 2, 3].map((v) => g.run(write(v))));
    expect([...runs.values()]).toEqual([1, 1, 1]);
    runs.clear();
    const settled = await Promise.allSettled([g.run(write(4)), g.run(write(5, true)), g.run(write(6))]);
    expect(settled.map((s) => s.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    // The first pass stopped at write 5 and was rolled back whole (5 had inserted before it threw); the second kept 4 and 6 only.
    expect(Object.fromEntries(runs)).toEqual({ 4: 2, 5: 2, 6: 1 });
    expect(db.prepare('select v from t order by v').pluck().all()).toEqual([1, 2, 3, 4, 6]);
    db.close();
  });

  it('commits a batch at once when it reaches its size, and the rest at the end of the turn', async () => {
    const db = open();
    const g = new GroupCommit(db, 3);
    const seen: number[] = [];
    const other = new Database(db.name, { readonly: true });
    const count = () => (other.prepare('select count(*) as n from t').get() as { n: number }).n;
    const all = [1, 2, 3, 4].map((v) => g.run(() => db.prepare('insert into t(v) values (?)').run(v)).then(() => seen.push(count())));
    // The first three were committed synchronously when the third arrived.
    expect(count()).toBe(3);
    await Promise.all(all);
    expect(count()).toBe(4);
    expect(seen.every((n) => n >= 3)).toBe(true);
    other.close();
    db.close();
  });
  it('waits for another connection that holds the writer lock, even when its work reads before it writes', async () => {
    const db = open();
    db.pragma('busy_timeout = 5000');
    // Another thread's connection takes the writer lock and keeps it 300 ms (a checkpoint, another process).
    const holder = new Worker(
      `const { workerData, parentPort } = require('node:worker_threads');
       const db = new (require(workerData.module))(workerData.file);
       db.exec('begin immediate');
       db.exec('insert into t(v) values (100)');
       parentPort.postMessage('locked');
       Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 300);
       db.exec('commit');
       db.close();`,
      { eval: true, workerData: { file: db.name, module: createRequire(import.meta.url).resolve('better-sqlite3') } },
    );
    await new Promise((r) => holder.once('message', r));
    const g = new GroupCommit(db);
    // A webhook delivery: the replay check reads, then the run is inserted.
    const value = await g.run(() => {
      db.prepare('select count(*) from t').pluck().get();
      return db.prepare('insert into t(v) values (1)').run().changes;
    });
    expect(value).toBe(1);
    expect(db.prepare('select v from t order by v').pluck().all()).toEqual([1, 100]);
    await holder.terminate();
    db.close();
  });
});
