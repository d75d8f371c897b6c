import pg from 'pg';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { CLUSTER_START_BOUND_MS, startPostgres, type TestPostgres } from '../../../../test-support/postgres';
import { until } from '../../../../test-support/temp-core';
import { listen, migratePostgres, openPgPool, type PgPool } from '../../db/postgres';
import { newRun } from '../../../../test-support/new-runs';
import { PgRunsStorage, RUNS_QUEUED_CHANNEL, type FleetClaimLimits } from '.';

let server: TestPostgres;
let pool: PgPool;
const pools: PgPool[] = [];
beforeAll(async () => {
  server = await startPostgres();
  pool = openPgPool(server.url, { max: 2 });
  pools.push(pool);
  await migratePostgres(pool);
}, CLUSTER_START_BOUND_MS);
afterAll(async () => {
  await Promise.all(pools.map((p) => p.end()));
  await server?.stop();
});
beforeEach(async () => {
  await pool.query('truncate runs, run_steps, template_contents restart identity');
});

const yieldOnce = () => new Promise((r) => setImmediate(r));

/**
 * A node's claim loop: claim what fits, "execute" (the runs stay running while the loop yields),
 * end them (the settle on PostgreSQL is a later step, so the test writes the end), until nothing
 * is queued. Returns the ids it claimed.
 */
async function runNode(owner: string, limits: FleetClaimLimits): Promise<string[]> {
  const nodePool = openPgPool(server.url, { max: 3 });
  pools.push(nodePool);
  const nodeStorage = new PgRunsStorage(nodePool);
  const claimedHere: string[] = [];
  for (;;) {
    const claimed = await nodeStorage.claimNext(limits, owner, Date.now() + 60_000, Date.now());
    if (!claimed.length) {
      const left = await nodePool.query<{ n: number }>(`select count(*)::int as n from runs where status = 'queued'`);
      if (left.rows[0]!.n === 0) return claimedHere;
      await yieldOnce();
      continue;
    }
    claimedHere.push(...claimed.map((r) => r.id));
    await yieldOnce();
    await nodePool.query(`update runs set status = 'succeeded', finished_at = $1, lease_owner = null where id = any($2::text[]) and lease_owner = $3`, [
      Date.now(),
      claimed.map((r) => r.id),
      owner,
    ]);
  }
}

/** Samples `sql` (one row of counts) from a third connection until `work` settles; the samples. */
async function sampleWhile<T>(sql: string, work: Promise<T>): Promise<{ result: T; samples: Record<string, number>[] }> {
  const sampler = new pg.Client({ connectionString: server.url });
  await sampler.connect();
  let done = false;
  const samples: Record<string, number>[] = [];
  const sampling = (async () => {
    while (!done) samples.push((await sampler.query<Record<string, number>>(sql)).rows[0]!);
  })();
  try {
    return { result: await work, samples };
  } finally {
    done = true;
    await sampling;
    await sampler.end();
  }
}

const maxOf = (samples: Record<string, number>[], key: string) => Math.max(...samples.map((s) => s[key]!));

describe('fleet claim with two nodes on one database', () => {
  it('claims each of 500 runs exactly once and never runs more than max_concurrent (4) at a sampled moment', async () => {
    const storage = new PgRunsStorage(pool);
    const T = Date.now();
    for (let chunk = 0; chunk < 5; chunk++) {
      await storage.insert.insertMany(Array.from({ length: 100 }, (_, i) => newRun(`run-${chunk * 100 + i}`, { queue: 'fleet', at: T + chunk * 100 + i, priority: 1 + ((chunk * 100 + i) % 9) })));
    }
    const limits: FleetClaimLimits = { queues: { fleet: 4 }, tags: {}, agingMs: 300_000, slots: 4 };
    const { result, samples } = await sampleWhile(
      `select count(*)::int as running from runs where status = 'running'`,
      Promise.all([runNode('node-a', limits), runNode('node-b', limits)]),
    );
    const [a, b] = result;
    const all = [...a, ...b];
    expect(all).toHaveLength(500);
    expect(new Set(all).size).toBe(500);
    expect(a.length).toBeGreaterThan(0);
    expect(b.length).toBeGreaterThan(0);
    const final = await pool.query<{ status: string; attempts: number; n: number }>(`select status, attempts, count(*)::int as n from runs group by status, attempts`);
    expect(final.rows).toEqual([{ status: 'succeeded', attempts: 1, n: 500 }]);
    expect(samples.length).toBeGreaterThan(0);
    expect(maxOf(samples, 'running')).toBeLessThanOrEqual(4);
    expect(maxOf(samples, 'running')).toBeGreaterThan(0);
  });

  it('holds a tag limit across queues claimed by different nodes, and nodes naming them in opposite orders do not deadlock', async () => {
    const storage = new PgRunsStorage(pool);
    const T = Date.now();
    await storage.insert.insertMany(
      Array.from({ length: 300 }, (_, i) => newRun(`t-${i}`, { queue: i % 2 ? 'q1' : 'q2', at: T + i, tag: i % 3 ? 'sap' : undefined })),
    );
    // Only the tag's lock keeps nodes A and B (no queue in common) from each taking the last 'sap' slot.
    const only1: FleetClaimLimits = { queues: { q1: 3 }, tags: { sap: 2, mail: 1 }, agingMs: 300_000, slots: 4 };
    const only2: FleetClaimLimits = { queues: { q2: 3 }, tags: { mail: 1, sap: 2 }, agingMs: 300_000, slots: 4 };
    const both: FleetClaimLimits = { queues: { q2: 3, q1: 3 }, tags: { mail: 1, sap: 2 }, agingMs: 300_000, slots: 4 };
    const { result, samples } = await sampleWhile(
      `select count(*) filter (where concurrency_tag = 'sap')::int as sap, count(*) filter (where queue = 'q1')::int as q1,
              count(*) filter (where queue = 'q2')::int as q2 from runs where status = 'running'`,
      Promise.all([runNode('node-a', only1), runNode('node-b', only2), runNode('node-c', both)]),
    );
    const all = result.flat();
    expect(new Set(all).size).toBe(300);
    expect(all).toHaveLength(300);
    expect(maxOf(samples, 'sap')).toBeLessThanOrEqual(2);
    expect(maxOf(samples, 'q1')).toBeLessThanOrEqual(3);
    expect(maxOf(samples, 'q2')).toBeLessThanOrEqual(3);
    expect(maxOf(samples, 'sap')).toBeGreaterThan(0);
  });
});

describe('wake-ups by NOTIFY', () => {
  it('tells listeners the queue of newly queued and newly due runs, after commit', async () => {
    const heard: string[] = [];
    const listening = await listen(server.url, RUNS_QUEUED_CHANNEL, (q) => heard.push(q));
    try {
      const storage = new PgRunsStorage(pool);
      await storage.insert.insertMany([newRun('n1', { queue: 'mail', at: 1 }), newRun('n2', { queue: 'mail', at: 2 }), newRun('n3', { queue: 'sap', at: 3 })]);
      await until('both queues announced', () => heard.length >= 2);
      expect(heard.sort()).toEqual(['mail', 'sap']);
      // A rolled-back insert announces nothing: the idempotency key clashes on the second run.
      await expect(storage.insert.insertMany([newRun('n4', { queue: 'other', at: 4, key: 'k' }), newRun('n5', { queue: 'other', at: 5, key: 'k' })])).rejects.toThrow(/duplicate/);
      await pool.query(`update runs set status = 'retry_wait', available_at = 100 where id = 'n3'`);
      expect(await storage.claim.promoteDue(100)).toEqual([{ id: 'n3', queue: 'sap', priority: 5 }]);
      await until('the due retry announced', () => heard.length >= 3);
      expect(heard).toEqual(['mail', 'sap', 'sap']);
    } finally {
      await listening.close();
    }
  });

  it('keeps listening after its connection is dropped, and says it reconnected', async () => {
    const heard: string[] = [];
    let reconnects = 0;
    const listening = await listen(server.url, RUNS_QUEUED_CHANNEL, (q) => heard.push(q), { onReconnected: () => reconnects++, retryMs: { first: 10, max: 200 } });
    try {
      const killed = await pool.query(`select pg_terminate_backend(pid) as ok from pg_stat_activity where application_name = $1`, [`desktop-agent listen ${RUNS_QUEUED_CHANNEL}`]);
      expect(killed.rows).toEqual([{ ok: true }]);
      await until('the listener to reconnect', () => reconnects === 1 && listening.connected);
      await new PgRunsStorage(pool).insert.insertMany([newRun('after', { queue: 'back', at: 1 })]);
      await until('a notification after the reconnect', () => heard.includes('back'));
    } finally {
      await listening.close();
    }
    expect(listening.connected).toBe(false);
  });

  it('refuses a bad channel name and a database it cannot reach', async () => {
    await expect(listen(server.url, 'Runs; drop table runs', () => undefined)).rejects.toThrow(/lower-case letters, digits and _/);
    const dead = server.url.replace(/:(\d+)\//, ':1/');
    await expect(listen(dead, RUNS_QUEUED_CHANNEL, () => undefined)).rejects.toThrow(/ECONNREFUSED/);
  });
});
