import { expect, it } from 'vitest';
import { newRun } from '../../../test-support/new-runs';
import { describeOnRunsBackends } from '../../../test-support/runs-backends';
import type { RunRow } from './run-row';

/**
 * One suite, two backends (SPEC section 16): the SQLite repository through its port, and the
 * PostgreSQL storage: the claim, the leases, the insert. Reads and retention, the step journal and
 * settlement, and approvals have sibling suites (runs-*.conformance.int.test.ts).
 */
const T = Date.parse('2026-12-07T09:00:00Z');
const MINUTE = 60_000;
const NO_AGING = 86_400_000;

const ids = (rows: readonly RunRow[]) => rows.map((r) => r.id);

describeOnRunsBackends('runs storage conformance: %s', (b) => {
  it('claims by priority, then by time waited, then by insertion', async () => {
    await b.storage.insert.insertMany([
      newRun('a', { at: T, priority: 5 }),
      newRun('b', { at: T + 10, priority: 3 }),
      newRun('c', { at: T + 5, priority: 5 }),
      newRun('d', { at: T + 20, priority: 1 }),
      newRun('e', { at: T + 30, priority: 3 }),
      newRun('f', { at: T + 5, priority: 5 }),
    ]);
    const claimed = await b.claimNext({ queues: { q: 10 }, tags: {}, agingMs: NO_AGING, slots: 10 }, 'node-a', T + 15_000, T + 100);
    expect(ids(claimed)).toEqual(['d', 'b', 'e', 'a', 'c', 'f']);
    for (const r of claimed) expect(r).toMatchObject({ status: 'running', lease_owner: 'node-a', lease_expires_at: T + 15_000, started_at: T + 100, attempts: 1 });
    expect(await b.storage.read.row('c')).toMatchObject({ status: 'running', lease_owner: 'node-a', attempts: 1, dry_run: 0, cancel_requested: 0 });
  });

  it('ages a waiting run one level per aging_ms, never above 1', async () => {
    await b.storage.insert.insertMany([
      newRun('old-3m', { queue: 'a', at: T, priority: 9 }),
      newRun('new-3m', { queue: 'a', at: T + 3 * MINUTE, priority: 5 }),
      newRun('old-5m', { queue: 'b', at: T, priority: 9 }),
      newRun('new-5m', { queue: 'b', at: T + 5 * MINUTE, priority: 5 }),
    ]);
    const one = (queue: string, now: number) => b.claimNext({ queues: { [queue]: 5 }, tags: {}, agingMs: MINUTE, slots: 1 }, 'node-a', now + 15_000, now);
    // Three minutes waited: 9 counts as 6, still behind a fresh 5.
    expect(ids(await one('a', T + 3 * MINUTE))).toEqual(['new-3m']);
    // Five minutes: 9 counts as 4 and goes first.
    expect(ids(await one('b', T + 5 * MINUTE))).toEqual(['old-5m']);
  });

  it('holds max_concurrent per queue across owners', async () => {
    await b.storage.insert.insertMany([
      ...Array.from({ length: 5 }, (_, i) => newRun(`q${i}`, { at: T + i })),
      ...Array.from({ length: 4 }, (_, i) => newRun(`o${i}`, { queue: 'other', at: T + i })),
    ]);
    const limits = { queues: { q: 2, other: 3 }, tags: {}, agingMs: NO_AGING, slots: 10 };
    expect(ids(await b.claimNext(limits, 'node-a', T + 15_000, T + 10)).sort()).toEqual(['o0', 'o1', 'o2', 'q0', 'q1']);
    // Another owner (node) sees the queues full.
    expect(await b.claimNext(limits, 'node-b', T + 15_000, T + 11)).toEqual([]);
    // The node's own free slots bound its claim too.
    await b.storage.insert.insertMany([newRun('x0', { queue: 'x', at: T }), newRun('x1', { queue: 'x', at: T + 1 })]);
    expect(ids(await b.claimNext({ ...limits, queues: { x: 5 }, slots: 1 }, 'node-b', T + 15_000, T + 12))).toEqual(['x0']);
  });

  it('holds a concurrency tag limit across queues without blocking the runs behind it', async () => {
    await b.storage.insert.insertMany([
      newRun('s1', { queue: 'q1', at: T, tag: 'sap' }),
      newRun('s2', { queue: 'q1', at: T + 1, tag: 'sap' }),
      newRun('n1', { queue: 'q1', at: T + 2 }),
      newRun('s3', { queue: 'q2', at: T + 3, tag: 'sap' }),
      newRun('n2', { queue: 'q2', at: T + 4 }),
    ]);
    const limits = { queues: { q1: 5, q2: 5 }, tags: { sap: 1 }, agingMs: NO_AGING, slots: 10 };
    expect(ids(await b.claimNext(limits, 'node-a', T + 15_000, T + 10))).toEqual(['s1', 'n1', 'n2']);
    expect(await b.claimNext(limits, 'node-b', T + 15_000, T + 11)).toEqual([]);
    expect((await b.storage.read.row('s3'))!.status).toBe('queued');
  });

  it('never claims a claimed run again', async () => {
    await b.storage.insert.insertMany([newRun('r1', { at: T }), newRun('r2', { at: T + 1 })]);
    const limits = { queues: { q: 10 }, tags: {}, agingMs: NO_AGING, slots: 10 };
    expect(ids(await b.claimNext(limits, 'node-a', T + 15_000, T + 10))).toEqual(['r1', 'r2']);
    expect(await b.claimNext(limits, 'node-b', T + 15_000, T + 11)).toEqual([]);
    expect(await b.storage.claim.claimBatch(['r1', 'r2'], 'node-b', T + 15_000, T + 12)).toEqual([]);
    expect(await b.storage.read.row('r1')).toMatchObject({ lease_owner: 'node-a', attempts: 1 });
    // claimBatch takes what is still queued among the ids, once.
    await b.storage.insert.insertMany([newRun('r3', { at: T + 2 })]);
    expect(ids(await b.storage.claim.claimBatch(['r1', 'r3'], 'node-b', T + 15_000, T + 13))).toEqual(['r3']);
    expect(await b.storage.claim.claimBatch(['r3'], 'node-a', T + 15_000, T + 14)).toEqual([]);
  });

  it('renews only the owner’s leases and lists the expired ones', async () => {
    await b.storage.insert.insertMany([newRun('l1', { at: T }), newRun('l2', { at: T + 1 })]);
    await b.claimNext({ queues: { q: 10 }, tags: {}, agingMs: NO_AGING, slots: 10 }, 'node-a', T + 1_000, T);
    expect(await b.storage.lease.renew(['l1'], 'node-a', T + 5_000)).toBe(1);
    expect(await b.storage.lease.renew(['l2'], 'node-b', T + 5_000)).toBe(0);
    expect(await b.storage.lease.renew([], 'node-a', T + 5_000)).toBe(0);
    expect((await b.storage.lease.running()).map((h) => h.id).sort()).toEqual(['l1', 'l2']);
    expect(await b.storage.lease.expired(T + 999)).toEqual([]);
    expect(await b.storage.lease.expired(T + 2_000)).toEqual([{ id: 'l2', lease_owner: 'node-a', lease_expires_at: T + 1_000 }]);
    expect((await b.storage.lease.expired(T + 6_000)).map((h) => h.id).sort()).toEqual(['l1', 'l2']);
    await b.storage.lease.requestCancel('l1');
    expect(await b.storage.lease.cancelRequested('node-a')).toEqual(['l1']);
    expect(await b.storage.lease.cancelRequested('node-b')).toEqual([]);
  });

  it('finds a run by its idempotency key and refuses a second run with it, storing none of that batch', async () => {
    await b.storage.insert.insertMany([newRun('k1', { at: T, key: 'order-42' })]);
    expect((await b.storage.read.byIdempotencyKey('order-42'))!.id).toBe('k1');
    expect(await b.storage.read.byIdempotencyKey('order-43')).toBeUndefined();
    await expect(Promise.resolve().then(() => b.storage.insert.insertMany([newRun('k2', { at: T + 1 }), newRun('k3', { at: T + 2, key: 'order-42' })]))).rejects.toThrow(
      /unique|duplicate/i,
    );
    expect(await b.storage.read.row('k2')).toBeUndefined();
    expect(await b.storage.read.row('k3')).toBeUndefined();
  });

  it('does not claim a delayed run before it is due', async () => {
    await b.storage.insert.insertMany([newRun('later', { at: T })]);
    await b.set('later', { status: 'retry_wait', available_at: T + 10_000 });
    const limits = { queues: { q: 10 }, tags: {}, agingMs: NO_AGING, slots: 10 };
    expect(await b.storage.claim.nextDue()).toBe(T + 10_000);
    expect(await b.claimNext(limits, 'node-a', T + 15_000, T + 10)).toEqual([]);
    expect(await b.storage.claim.promoteDue(T + 9_999)).toEqual([]);
    expect(Object.fromEntries(await b.storage.claim.depths())).toEqual({ q: 1 });
    expect(await b.storage.claim.promoteDue(T + 10_000)).toEqual([{ id: 'later', queue: 'q', priority: 5 }]);
    expect(await b.storage.claim.nextDue()).toBeNull();
    expect(await b.storage.claim.queuedLevels()).toEqual([{ queue: 'q', priority: 5 }]);
    const claimed = await b.claimNext(limits, 'node-a', T + 25_000, T + 10_001);
    expect(claimed.map((r) => [r.id, r.enqueued_at])).toEqual([['later', T + 10_000]]);
  });

  it('reads heads per level without the tags at their limit', async () => {
    await b.storage.insert.insertMany([newRun('h1', { at: T, tag: 'sap' }), newRun('h2', { at: T + 1 }), newRun('h3', { at: T + 2, priority: 2 })]);
    expect((await b.storage.claim.heads('q', 5, null, 10)).map((h) => h.concurrency_tag)).toEqual(['sap', null]);
    expect((await b.storage.claim.heads('q', 5, '["sap"]', 10)).map((h) => [h.priority, h.enqueued_at])).toEqual([[5, T + 1]]);
    expect(await b.storage.claim.heads('q', 5, null, 1)).toHaveLength(1);
  });
});
