import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { waitFor } from '../../../test-support/event-stream';
import { openDatabase } from './database';
import { WriteBatcher } from './write-batcher';

function setup() {
  const db = openDatabase({ file: join(mkdtempSync(join(tmpdir(), 'da-batch-')), 'desktop-agent.db') });
  const errors: unknown[] = [];
  const batcher = new WriteBatcher(db, (e) => errors.push(e));
  const put = db.prepare('insert into meta(key, value) values (?, ?)');
  // Rows this test adds to meta (migrations keep rows of their own there).
  const rows = () => db.prepare('select count(*) from meta').pluck().get() as number;
  const before = rows();
  const count = () => rows() - before;
  return { db, batcher, put, count, errors };
}

describe('WriteBatcher', () => {
  it('commits deferred writes together a moment later, and events only after', async () => {
    const { batcher, put, count } = setup();
    const seen: number[] = [];
    batcher.defer(() => put.run('a', '1'));
    batcher.defer(() => put.run('b', '2'));
    batcher.afterCommit(() => seen.push(count()));
    expect(count()).toBe(0);
    expect(seen).toEqual([]);
    await waitFor(() => seen.length > 0, 10_000, 'the group commit');
    expect(count()).toBe(2);
    expect(seen).toEqual([2]);
  });

  it('flushes on demand so readers see their writes', () => {
    const { batcher, put, count } = setup();
    batcher.defer(() => put.run('a', '1'));
    batcher.flush();
    expect(count()).toBe(1);
    expect(batcher.pending).toBe(0);
  });

  it('keeps the good writes when one of a batch fails, and reports the bad one', () => {
    const { batcher, put, count, errors } = setup();
    batcher.defer(() => put.run('a', '1'));
    batcher.defer(() => put.run('a', 'duplicate key'));
    batcher.defer(() => put.run('c', '3'));
    batcher.flush();
    expect(count()).toBe(2);
    expect(errors).toHaveLength(1);
  });

  it('tells whether a key has pending writes', () => {
    const { batcher, put } = setup();
    batcher.defer(() => put.run('a', '1'), 'run_1');
    expect(batcher.hasPending('run_1')).toBe(true);
    expect(batcher.hasPending('run_2')).toBe(false);
    batcher.flush();
    expect(batcher.hasPending('run_1')).toBe(false);
  });

  it('runs an afterCommit callback at once when nothing is pending', () => {
    const { batcher } = setup();
    let ran = false;
    batcher.afterCommit(() => (ran = true));
    expect(ran).toBe(true);
  });

  it('leaves the writes to a claim queued before its window ended: one commit with the claim, not two', async () => {
    const { batcher, put, count } = setup();
    // A run ends (its write deferred) and the dispatch is queued for the next turn; the turn then
    // takes longer than the 1 ms window (a busy machine), so the window's timer is due first.
    const atDispatch = await new Promise<{ pending: number; inClaim: number }>((resolve) => {
      setImmediate(() => {
        batcher.defer(() => put.run('a', '1'));
        setImmediate(() => {
          const pending = batcher.pending;
          const inClaim = batcher.flushWith(() => count());
          resolve({ pending, inClaim });
        });
        const until = performance.now() + 20;
        while (performance.now() < until);
      });
    });
    expect(atDispatch).toEqual({ pending: 1, inClaim: 1 });
    expect(count()).toBe(1);
    expect(batcher.pending).toBe(0);
  });
});
