import { afterEach, describe, expect, it } from 'vitest';
import { newRun } from '../../../test-support/new-runs';
import { clusterForFile, freshDatabase } from '../../../test-support/postgres-db';
import { until } from '../../../test-support/temp-core';
import { listen } from '../db/postgres';
import { emptyState } from '../runs';
import { PgRunsStorage } from '../runs/postgres';
import { APPROVAL_DECIDED_CHANNEL, PgApprovalStore } from './approval-store-pg';

/** What only the fleet database does: every node hears of a decision (NOTIFY at COMMIT), and of nothing else. */
const cluster = clusterForFile();
const closing: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const close of closing.splice(0).reverse()) await close();
});

const T = Date.parse('2026-12-07T09:00:00Z');

describe('PostgreSQL approvals store', () => {
  it('tells every listening node of a decision once it is committed, and of a refused one nothing', async () => {
    const db = await freshDatabase(cluster.url);
    closing.push(db.close);
    const heard: string[] = [];
    const listening = await listen(db.url, APPROVAL_DECIDED_CHANNEL, (id) => heard.push(id));
    closing.push(() => listening.close());
    const runs = new PgRunsStorage(db.pool);
    const store = new PgApprovalStore(db.pool, runs);
    await runs.insert.insertMany([newRun('w', { at: T }), newRun('busy', { at: T })]);
    const request = { step: 0, message: 'Go?', risk_level: 'low' as const, required_role: 'Operator', auto_action: 'deny' as const, timeout_ms: 1_000, requested_at: new Date(T).toISOString(), expires_at: new Date(T + 1_000).toISOString() };
    await runs.saveProgress('w', 0, { ...emptyState(), approval: { request } });
    await runs.settle('w', { kind: 'park', status: 'waiting_approval' });
    const row = (id: string, runId: string) => ({
      id, run_id: runId, step: 0, template: 'conformance', message: 'Go?', details: null, risk_level: 'low', required_role: 'Operator', auto_action: 'deny',
      requested_by: null, requested_at: T, expires_at: T + 1_000, status: 'pending' as const, decided_by: null, decided_at: null, comment: null,
    });
    await store.insertPending(row('apr-busy', 'busy'));
    await store.insertPending(row('apr-w', 'w'));
    // Refused (the run does not wait): rolled back, so nobody is told.
    await expect(store.decide('apr-busy', 'approved', 'alice', T + 1, null)).rejects.toMatchObject({ code: 'CONFLICT' });
    await store.decide('apr-w', 'approved', 'alice', T + 2, null);
    await until('the decision announced', () => heard.length > 0);
    expect(heard).toEqual(['apr-w']);
  });
});
