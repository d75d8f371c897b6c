import { describe, expect, it } from 'vitest';
import { clusterForFile, freshDatabase, testNode } from '../../../../test-support/postgres-db';
import { until } from '../../../../test-support/temp-core';
import { PgDeliveryStore } from './delivery-store-pg';

/**
 * Issue 19 item 4: any node accepts a webhook, with one shared replay store. Two nodes, each its own
 * connection to one PostgreSQL database.
 */

const cluster = clusterForFile();

async function twoNodes() {
  const db = await freshDatabase(cluster.url);
  const nodes = [await testNode(db.url, 'node-a'), await testNode(db.url, 'node-b')];
  return {
    clientA: nodes[0]!.client,
    a: new PgDeliveryStore(nodes[0]!.client),
    b: new PgDeliveryStore(nodes[1]!.client),
    admin: db.pool,
    close: async () => {
      for (const n of nodes) await n.close();
      await db.close();
    },
  };
}

const row = (node: string, deliveryId: string, at: number) => ({ webhook_id: 'deploy', delivery_id: deliveryId, received_at: at, run_id: `${node}-${deliveryId}`, ip: '127.0.0.1' });

describe('webhook replay store across nodes (PostgreSQL)', () => {
  it('a delivery accepted by node A is a replay at node B', async () => {
    const n = await twoNodes();
    try {
      expect(await n.a.recordAccepted(row('a', 'gh-1', 1000))).toBe(true);
      expect(await n.b.acceptedRun('deploy', 'gh-1')).toEqual({ run_id: 'a-gh-1' });
      expect(await n.b.recordAccepted(row('b', 'gh-1', 2000))).toBe(false);
      expect(await n.a.recordAccepted(row('a', 'gh-1', 3000))).toBe(false);
    } finally {
      await n.close();
    }
  });

  it('the same 200 deliveries sent to both nodes at once: each is accepted exactly once', async () => {
    const n = await twoNodes();
    try {
      const ids = Array.from({ length: 200 }, (_, i) => `delivery-${i}`);
      const won = { a: 0, b: 0 };
      await Promise.all([
        (async () => {
          for (const id of ids) if (await n.a.recordAccepted(row('a', id, 1000))) won.a++;
        })(),
        (async () => {
          for (const id of [...ids].reverse()) if (await n.b.recordAccepted(row('b', id, 1000))) won.b++;
        })(),
      ]);
      expect(won.a + won.b).toBe(200);
      const perId = await n.admin.query<{ delivery_id: string; n: number }>("select delivery_id, count(*)::int as n from webhook_deliveries where status = 202 group by delivery_id having count(*) <> 1");
      expect(perId.rows).toEqual([]);
      expect((await n.admin.query('select count(*)::int as n from webhook_deliveries')).rows[0].n).toBe(200);
    } finally {
      await n.close();
    }
  });

  it('a delivery whose run could not be queued on node A (rolled back with the enqueue) is no replay: its retry is accepted at node B', async () => {
    const n = await twoNodes();
    try {
      await n.clientA.query('BEGIN');
      expect(await n.a.recordAccepted(row('a', 'gh-7', 1000))).toBe(true);
      // Node B's claim of the same delivery waits on A's uncommitted row …
      const atB = n.b.recordAccepted(row('b', 'gh-7', 1001));
      await until('node B to wait on node A', async () => (await n.admin.query("select count(*)::int as n from pg_stat_activity where wait_event_type = 'Lock'")).rows[0].n > 0);
      // … and gets it when A's enqueue fails and A rolls back.
      await n.clientA.query('ROLLBACK');
      expect(await atB).toBe(true);
      expect(await n.a.acceptedRun('deploy', 'gh-7')).toEqual({ run_id: 'b-gh-7' });
    } finally {
      await n.close();
    }
  });
});
