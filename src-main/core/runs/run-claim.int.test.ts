import { describe, expect, it } from 'vitest';
import type { Database } from '../db/database';
import { tempDatabases } from '../../../test-support/temp-database';
import { QUEUE_DEPTH_SQL, RunClaims } from './run-claim';

const database = tempDatabases('da-claim-');

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

describe('the heads of a level (the dispatcher reads them on every pass)', () => {
  function queued(db: Database, id: string, enqueuedAt: number, tag: string | null = null, priority = 5) {
    db.prepare(
      `insert into runs(id, template, template_hash, trigger, queue, priority, concurrency_tag, status, available_at, enqueued_at, created_at)
       values (?, 't', 'h', 'manual', 'q', ?, ?, 'queued', ?, ?, 0)`,
    ).run(id, priority, tag, enqueuedAt, enqueuedAt);
  }

  it('gives the oldest runs of the level, as many as the limit, for each limit asked (the LIMIT is in each statement)', () => {
    const db = database();
    queued(db, 'late', 30);
    queued(db, 'first', 10);
    queued(db, 'second', 20, 'pdf');
    queued(db, 'third', 20);
    queued(db, 'other-level', 5, null, 2);
    const claims = new RunClaims(db);
    const ids = (limit: number, blocked: string | null = null) => claims.heads('q', 5, blocked, limit).map((h) => db.prepare('select id from runs where rowid = ?').pluck().get(h.rowid));
    expect(ids(1)).toEqual(['first']);
    expect(ids(3)).toEqual(['first', 'second', 'third']);
    expect(ids(1)).toEqual(['first']);
    expect(ids(8)).toEqual(['first', 'second', 'third', 'late']);
    expect(ids(2, '[]')).toEqual(['first', 'second']);
    // A run whose tag is at its limit is passed over, not counted against the limit.
    expect(ids(2, JSON.stringify(['pdf']))).toEqual(['first', 'third']);
    expect(ids(8, JSON.stringify(['pdf']))).toEqual(['first', 'third', 'late']);
    expect(ids(0)).toEqual([]);
    expect(ids(-1)).toEqual([]);
    expect(ids(2.7)).toEqual(['first', 'second']);
  });
});
