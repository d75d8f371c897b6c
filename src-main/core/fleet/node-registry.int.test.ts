import { afterEach, describe, expect, it } from 'vitest';
import { clusterForFile, freshDatabase } from '../../../test-support/postgres-db';
import { newRun } from '../../../test-support/new-runs';
import { until } from '../../../test-support/temp-core';
import { FakeClock } from '../kernel/clock';
import type { Logger } from '../kernel/ports';
import { PgRunsStorage } from '../runs/postgres';
import { HEARTBEAT_INTERVAL_MS, NODE_OFFLINE_AFTER_MS, NODE_STALE_AFTER_MS, NodeRegistry, type NodeIdentity } from '.';

const cluster = clusterForFile();
const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
});

async function fleet() {
  const db = await freshDatabase(cluster.url);
  closers.push(db.close);
  const storage = new PgRunsStorage(db.pool);
  const clock = new FakeClock('2026-12-01T09:00:00Z');
  const registry = (c = clock) => new NodeRegistry({ db: db.pool, clock: c, runningOf: (ids) => storage.lease.runningByOwner(ids) });
  return { db, storage, clock, registry };
}

const nodeA: NodeIdentity = { id: 'node-a', name: 'desk-1', labels: ['desktop', 'browser', 'os:linux'], version: '0.1.0' };
const nodeB: NodeIdentity = { id: 'node-b', name: 'vm-2', labels: ['browser', 'os:linux', 'sap'], version: '0.1.0' };

describe('NodeRegistry', () => {
  it('registers nodes, lists them by name with labels, and a restart updates the same row', async () => {
    const { registry, clock } = await fleet();
    const r = registry();
    await r.register(nodeB);
    await r.register(nodeA);
    clock.advance(5_000);
    await r.register({ ...nodeA, labels: ['browser', 'os:linux'], version: '0.2.0' });
    const listed = await r.list();
    expect(listed.map((n) => [n.id, n.name, n.labels, n.version, n.started_at - Date.parse('2026-12-01T09:00:00Z')])).toEqual([
      ['node-a', 'desk-1', ['browser', 'os:linux'], '0.2.0', 5_000],
      ['node-b', 'vm-2', ['browser', 'os:linux', 'sap'], '0.1.0', 0],
    ]);
    expect(listed.map((n) => [n.state, n.heartbeat_age_ms, n.running_runs])).toEqual([
      ['online', 0, []],
      ['online', 5_000, []],
    ]);
  });

  it('heartbeats on the clock, and a node that stops beating turns stale, then offline', async () => {
    const { registry, clock, db } = await fleet();
    const beating = await registry().start(nodeA);
    closers.push(() => beating.stop());
    const silent = await registry().start(nodeB);
    await silent.stop();
    const heartbeatOf = async (id: string) => (await db.pool.query<{ h: number }>('select heartbeat_at as h from nodes where id = $1', [id])).rows[0]!.h;
    const t0 = clock.now();
    // Each beat is timed from the end of the one before: advance, then wait for the row to show it.
    for (let beat = 1; beat <= 4; beat++) {
      await clock.advanceAsync(HEARTBEAT_INTERVAL_MS);
      await until(`beat ${beat} written`, async () => (await heartbeatOf('node-a')) === t0 + beat * HEARTBEAT_INTERVAL_MS);
    }
    expect(await heartbeatOf('node-b')).toBe(t0);
    const states = async () => Object.fromEntries((await registry().list()).map((n) => [n.name, n.state]));
    expect(await states()).toEqual({ 'desk-1': 'online', 'vm-2': 'stale' });
    const reader = new FakeClock(t0 + NODE_OFFLINE_AFTER_MS);
    expect(Object.fromEntries((await registry(reader).list()).map((n) => [n.name, n.state]))).toEqual({ 'desk-1': 'stale', 'vm-2': 'offline' });
    reader.set(t0 + NODE_STALE_AFTER_MS - 1);
    expect((await registry(reader).list()).find((n) => n.name === 'vm-2')!.state).toBe('online');
  });

  it('registers again when its row was removed, and keeps beating after the database refused a beat', async () => {
    const { clock, db, storage } = await fleet();
    const warnings: string[] = [];
    const logger = { warn: (m: string) => warnings.push(m) } as unknown as Logger;
    const registry = new NodeRegistry({ db: db.pool, clock, logger, runningOf: (ids) => storage.lease.runningByOwner(ids) });
    const beating = await registry.start(nodeA);
    closers.push(() => beating.stop());
    const heartbeat = async () => (await db.pool.query<{ h: number }>('select heartbeat_at as h from nodes where id = $1', ['node-a'])).rows[0]?.h;
    await db.pool.query('delete from nodes');
    await clock.advanceAsync(HEARTBEAT_INTERVAL_MS);
    await until('the node registered again', async () => (await heartbeat()) === clock.now());
    await db.pool.query('alter table nodes rename to nodes_away');
    await until('the next beat timed', () => clock.pendingTimers() === 1);
    await clock.advanceAsync(HEARTBEAT_INTERVAL_MS);
    await until('the failed beat logged and the next one timed', () => warnings.length === 1 && clock.pendingTimers() === 1);
    expect(warnings[0]).toMatch(/^Node heartbeat failed: relation "nodes" does not exist/);
    await db.pool.query('alter table nodes_away rename to nodes');
    await clock.advanceAsync(HEARTBEAT_INTERVAL_MS);
    await until('a beat after the failure', async () => (await heartbeat()) === clock.now());
  });

  it("lists each node's running runs (the runs it holds the lease of)", async () => {
    const { registry, storage, db } = await fleet();
    const r = registry();
    await r.register(nodeA);
    await r.register(nodeB);
    const T = Date.now();
    await storage.insert.insertMany([newRun('r1', { at: T }), newRun('r2', { at: T + 1 }), newRun('r3', { at: T + 2 }), newRun('r4', { at: T + 3 })]);
    const limits = { queues: { q: 10 }, tags: {}, agingMs: 300_000, slots: 2 };
    expect((await storage.claimNext(limits, 'node-a', T + 60_000, T)).map((x) => x.id)).toEqual(['r1', 'r2']);
    expect((await storage.claimNext({ ...limits, slots: 1 }, 'node-b', T + 60_000, T)).map((x) => x.id)).toEqual(['r3']);
    await db.pool.query(`update runs set status = 'succeeded' where id = 'r2'`);
    expect(Object.fromEntries((await r.list()).map((n) => [n.id, n.running_runs]))).toEqual({ 'node-a': ['r1'], 'node-b': ['r3'] });
  });
});
