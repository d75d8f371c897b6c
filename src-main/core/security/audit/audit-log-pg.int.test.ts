import { describe, expect, it } from 'vitest';
import { clusterForFile, freshDatabase, testNode } from '../../../../test-support/postgres-db';
import { PgAuditLog } from './audit-log-pg';

/**
 * Issue 19 item 4: one audit log for the fleet. Four nodes (connections) append at once while a
 * reader keeps listing the ids: an entry never appears below an id the reader has already seen.
 */

const NODES = 4;
const PER_NODE = 250;

const cluster = clusterForFile();

describe('audit log across nodes (PostgreSQL)', () => {
  it(`${NODES} nodes append ${PER_NODE} entries each at once: ids follow commit order, each node's entries in its own order`, async () => {
    const db = await freshDatabase(cluster.url);
    const nodes = await Promise.all(Array.from({ length: NODES }, (_, i) => testNode(db.url, `node-${i}`)));
    try {
      let appending = true;
      const violations: string[] = [];
      const reader = (async () => {
        let seen = new Set<number>();
        let maxSeen = 0;
        let snapshots = 0;
        while (appending || snapshots < 2) {
          const ids = (await db.pool.query<{ id: number }>('select id from audit_log order by id')).rows.map((r) => r.id);
          for (const id of ids) if (!seen.has(id) && id < maxSeen) violations.push(`id ${id} appeared after ${maxSeen} had been read`);
          seen = new Set(ids);
          maxSeen = ids.at(-1) ?? 0;
          snapshots++;
        }
        return snapshots;
      })();
      await Promise.all(
        nodes.map(async ({ client }, node) => {
          const log = new PgAuditLog(client, () => Date.now());
          for (let i = 0; i < PER_NODE; i++) await log.record({ user: `node-${node}`, action: 'runs.create', result: 'granted', source: `node-${node}`, details: { seq: i } });
        }),
      );
      appending = false;
      expect(await reader).toBeGreaterThan(1);
      expect(violations).toEqual([]);
      const rows = (await db.pool.query<{ id: number; user: string; details_json: string }>('select id, "user", details_json from audit_log order by id')).rows;
      expect(rows).toHaveLength(NODES * PER_NODE);
      for (let node = 0; node < NODES; node++) {
        const seqs = rows.filter((r) => r.user === `node-${node}`).map((r) => (JSON.parse(r.details_json) as { seq: number }).seq);
        expect(seqs).toEqual(Array.from({ length: PER_NODE }, (_, i) => i));
      }
    } finally {
      for (const n of nodes) await n.close();
      await db.close();
    }
  });
});
