import pg from 'pg';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startPostgres, type TestPostgres } from '../../../../test-support/postgres';
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
}, 240_000); // initdb and the server's start: up to a minute or more when both cores are busy
afterAll(async () => {
  await Promise.all(pools.map((p) => p.end()));
  await server?.stop();
});
beforeEach(async () => {
  await pool.query('truncate runs, run_steps, template_contents restart identity');
});

const yieldOnce = () => new Promise((r) => setImmediate(r));

describe('fleet claim with two nodes on one database', () => {
  it('claims each of 500 runs exactly once and never runs more than max_concurrent (4) at a sampled moment', async () => {
    const storage = new PgRunsStorage(pool);
    const T = Date.now();
    for (let chunk = 0; chunk < 5; chunk++) {
      await storage.insert.insertMany(Array.from({ length: 100 }, (_, i) => newRun(`run-${chunk * 100 + i}`, { queue: 'fleet', at: T + chunk * 100 + i, priority: 1 + ((chunk * 100 + i) % 9) })));
    }
    const limits: FleetClaimLimits = { queues: { fleet: 4 }, tags: {}, agingMs: 300_000, slots: 4 };
    let done = false;
    const samples: number[] = [];
    // A third connection samples the fleet-wide running count while the nodes work.
    const sampler = new pg.Client({ connectionString: server.url });
    await sampler.connect();
    const sampling = (async () => {
      while (!done) {
        const r = await sampler.query<{ n: number }>(`select count(*)::int as n from runs where status = 'running'`);
        samples.push(r.rows[0]!.n);
      }
    })();

    const node = async (owner: string) => {
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
        // "Executing": the runs stay running while the loop yields, then end (the settle is a later step).
        await yieldOnce();
        await nodePool.query(`update runs set status = 'succeeded', finished_at = $1, lease_owner = null where id = any($2::text[]) and lease_owner = $3`, [
          Date.now(),
          claimed.map((r) => r.id),
          owner,
        ]);
      }
    };
    const [a, b] = await Promise.all([node('node-a'), node('node-b')]);
    done = true;
    await sampling;
    await sampler.end();

    const all = [...a, ...b];
    expect(all).toHaveLength(500);
    expect(new Set(all).size).toBe(500);
    expect(a.length).toBeGreaterThan(0);
    expect(b.length).toBeGreaterThan(0);
    const final = await pool.query<{ status: string; attempts: number; n: number }>(`select status, attempts, count(*)::int as n from runs group by status, attempts`);
    expect(final.rows).toEqual([{ status: 'succeeded', attempts: 1, n: 500 }]);
    expect(samples.length).toBeGreaterThan(0);
    expect(Math.max(...samples)).toBeLessThanOrEqual(4);
    expect(Math.max(...samples)).toBeGreaterThan(0);
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
