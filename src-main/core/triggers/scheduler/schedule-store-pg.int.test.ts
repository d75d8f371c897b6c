import type pg from 'pg';
import { describe, expect, it } from 'vitest';
import { clusterForFile, freshDatabase, testNode } from '../../../../test-support/postgres-db';
import { until } from '../../../../test-support/temp-core';
import type { FireRow } from './schedule-store';
import { PgScheduleStore } from './schedule-store-pg';

/**
 * Issue 19 item 4: a schedule fires once per scheduled time for the whole fleet. Each node is its
 * own connection; the claim is schedule_fires' unique row (INSERT … ON CONFLICT DO NOTHING), and the
 * node's "enqueue" is a row in fire_effects, a table with no unique key, so a double firing would
 * show as two rows.
 */

const TIMES = 200;
const NODES = 4;
const T0 = Date.UTC(2026, 0, 5, 0, 0, 0);
const times = Array.from({ length: TIMES }, (_, i) => T0 + i * 1000);
const claim = (at: number, now: number): FireRow => ({ schedule_id: 'every-second', scheduled_at: at, outcome: 'fired', handled_at: now, run_id: null, error: null, folded_count: 1, folded_until: null });

const cluster = clusterForFile();

async function fleet() {
  const db = await freshDatabase(cluster.url);
  await db.pool.query('create table fire_effects(scheduled_at bigint not null, node text not null)');
  const nodes: (Awaited<ReturnType<typeof testNode>> & { store: PgScheduleStore })[] = [];
  for (let i = 0; i < NODES; i++) {
    const node = await testNode(db.url, `node-${i}`);
    nodes.push({ ...node, store: new PgScheduleStore(node.client, node.id) });
  }
  return {
    admin: db.pool,
    nodes,
    close: async () => {
      for (const n of nodes) await n.close();
      await db.close();
    },
  };
}

async function effectsPerTime(admin: pg.Pool): Promise<Map<number, string[]>> {
  const rows = (await admin.query<{ scheduled_at: number; node: string }>('select scheduled_at, node from fire_effects')).rows;
  const byTime = new Map<number, string[]>();
  for (const r of rows) byTime.set(r.scheduled_at, [...(byTime.get(r.scheduled_at) ?? []), r.node]);
  return byTime;
}

describe('schedule claims across nodes (PostgreSQL)', () => {
  it(`${NODES} nodes race for the same ${TIMES} scheduled times: each time fires exactly once`, async () => {
    const f = await fleet();
    try {
      const wins = new Map<string, number[]>();
      await Promise.all(
        f.nodes.map(async (node, i) => {
          // Half the nodes walk the times forwards, half backwards, so they collide all along.
          const order = i % 2 === 0 ? times : [...times].reverse();
          for (const at of order) {
            if (await node.store.recordFire(claim(at, at + 5))) {
              wins.set(node.id, [...(wins.get(node.id) ?? []), at]);
              await node.client.query('insert into fire_effects values ($1, $2)', [at, node.id]);
            }
          }
        }),
      );
      const effects = await effectsPerTime(f.admin);
      expect([...effects.keys()].sort((a, b) => a - b)).toEqual(times);
      expect([...effects.values()].filter((nodes) => nodes.length !== 1)).toEqual([]);
      expect([...wins.values()].reduce((n, w) => n + w.length, 0)).toBe(TIMES);
      // The ledger names the node that fired each time.
      for (const [node, ats] of wins) for (const at of ats.slice(0, 5)) expect(await f.nodes[0]!.store.handledBy('every-second', at)).toBe(node);
    } finally {
      await f.close();
    }
  });

  it('a claim rolled back with its enqueue (the node failed before commit) is fired by another node, still exactly once', async () => {
    const f = await fleet();
    try {
      const [failing, ...healthy] = f.nodes;
      const run = async (node: (typeof f.nodes)[number], fails: boolean, from: number) => {
        for (const at of times.slice(from)) {
          await node.client.query('BEGIN');
          const won = await node.store.recordFire(claim(at, at + 5));
          if (won) await node.client.query('insert into fire_effects values ($1, $2)', [at, node.id]);
          // The failing node dies between claim and commit on every time it wins.
          await node.client.query(fails ? 'ROLLBACK' : 'COMMIT');
        }
      };
      // The failing node holds the first time when the others start, so they wait on its claim.
      await failing!.client.query('BEGIN');
      expect(await failing!.store.recordFire(claim(times[0]!, times[0]! + 5))).toBe(true);
      await failing!.client.query('insert into fire_effects values ($1, $2)', [times[0], failing!.id]);
      const others = Promise.all(healthy.map((n) => run(n, false, 0)));
      await until('a healthy node to wait on the held claim', async () => (await f.admin.query("select count(*)::int as n from pg_stat_activity where wait_event_type = 'Lock'")).rows[0].n > 0);
      await failing!.client.query('ROLLBACK');
      await Promise.all([others, run(failing!, true, 1)]);
      const effects = await effectsPerTime(f.admin);
      expect([...effects.keys()].sort((a, b) => a - b)).toEqual(times);
      expect([...effects.values()].filter((nodes) => nodes.length !== 1)).toEqual([]);
      expect([...effects.values()].flat()).not.toContain(failing!.id);
      // The held first time was rolled back and fired by a healthy node.
      expect(healthy.map((n) => n.id)).toContain(effects.get(times[0]!)![0]);
    } finally {
      await f.close();
    }
  });

  it('a node killed while it holds an uncommitted claim: the waiting node gets the time once the server drops the dead session', async () => {
    const f = await fleet();
    try {
      const [dead, other] = f.nodes;
      const at = times[0]!;
      await dead!.client.query('BEGIN');
      expect(await dead!.store.recordFire(claim(at, at + 1))).toBe(true);
      // The other node's claim waits on the dead node's uncommitted row.
      const waiting = other!.store.recordFire(claim(at, at + 2));
      await until('the second claim to wait on the first', async () => {
        const r = await f.admin.query("select count(*)::int as n from pg_stat_activity where wait_event_type = 'Lock'");
        return r.rows[0].n > 0;
      });
      const pid = (dead!.client as unknown as { processID: number }).processID;
      await f.admin.query('select pg_terminate_backend($1)', [pid]);
      expect(await waiting).toBe(true);
      expect(await other!.store.handledBy('every-second', at)).toBe(other!.id);
    } finally {
      await f.close();
    }
  });
});
