import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from '../db/database';
import { QUEUE_DEPTH_SQL, RunClaims } from './run-claim';

const dirs: string[] = [];
const dbs: Database[] = [];
afterEach(() => {
  for (const db of dbs.splice(0)) db.close();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function database(): Database {
  const dir = mkdtempSync(join(tmpdir(), 'da-claim-'));
  dirs.push(dir);
  const db = openDatabase({ file: join(dir, 'da.db') });
  dbs.push(db);
  return db;
}

let n = 0;
function insert(db: Database, queue: string, status: string, priority = 5) {
  db.prepare(
    `insert into runs(id, template, template_hash, trigger, queue, priority, status, available_at, enqueued_at, created_at, finished_at)
     values (?, 't', 'h', 'manual', ?, ?, ?, 0, 0, 0, ?)`,
  ).run(`r${++n}`, queue, priority, status, status === 'queued' || status === 'retry_wait' || status === 'running' ? null : 1);
}

describe('the queue depth recount (read every 5 s on the event loop)', () => {
  it('counts queued and retry_wait runs per queue, and nothing else', () => {
    const db = database();
    for (const s of ['queued', 'queued', 'retry_wait', 'running', 'succeeded', 'failed', 'cancelled']) insert(db, 'a', s);
    insert(db, 'b', 'retry_wait');
    insert(db, 'c', 'succeeded');
    const claims = new RunClaims(db);
    expect(Object.fromEntries(claims.depths())).toEqual({ a: 3, b: 1 });
    insert(db, 'c', 'queued', 2);
    expect(claims.queuedLevels()).toEqual(expect.arrayContaining([{ queue: 'a', priority: 5 }, { queue: 'c', priority: 2 }]));
  });

  // With 100k finished runs kept, a statement that scans the table stalled the loop 140 ms every
  // 5 s (a schedule's fire landing on it was that late). Each must read a partial index only.
  it.each(Object.entries(QUEUE_DEPTH_SQL))('%s reads an index, never the whole runs table', (_name, sql) => {
    const plan = (database().prepare(`explain query plan ${sql}`).all() as { detail: string }[]).map((r) => r.detail);
    const runsReads = plan.filter((d) => /\bruns\b/.test(d));
    expect(runsReads.length).toBeGreaterThan(0);
    for (const d of runsReads) expect(d).toMatch(/USING (COVERING )?INDEX runs_(queued|retry_due)\b/);
  });
});
