import { expect, it } from 'vitest';
import { newRun } from '../../../test-support/new-runs';
import { describeOnRunsBackends } from '../../../test-support/runs-backends';
import { emptyState, type ApprovalRequest } from '../runs';
import type { ApprovalRow } from './approval-store';

/**
 * Approvals on both backends (SPEC sections 9 and 16): the runs storage's pending approval and
 * decision, and HITL's approvals store, whose decision moves the request and the run's state
 * together, once, whichever node (SQLite: process) decides. Every call is awaited.
 */
const T = Date.parse('2026-12-07T09:00:00Z');
const iso = (ms: number) => new Date(ms).toISOString();

const request = (step: number, at = T): ApprovalRequest => ({
  step, message: 'Send the invoice mail?', risk_level: 'high', required_role: 'Operator', auto_action: 'deny', timeout_ms: 60_000,
  requested_at: iso(at), expires_at: iso(at + 60_000),
});

const rowOf = (id: string, runId: string, at: number, more: Partial<ApprovalRow> = {}): ApprovalRow => ({
  id, run_id: runId, step: 2, template: 'conformance', message: 'Send the invoice mail?', details: null, risk_level: 'high', required_role: 'Operator',
  auto_action: 'deny', requested_by: 'tester', requested_at: at, expires_at: at + 60_000, status: 'pending', decided_by: null, decided_at: null, comment: null, ...more,
});

const rejection = (fn: () => unknown) => Promise.resolve().then(fn);

describeOnRunsBackends('approvals conformance: %s', (b) => {
  /** Runs that stopped at step 2 (a human_confirm) and wait for a person, as the queue leaves them. */
  async function waiting(...ids: string[]): Promise<void> {
    await b.storage.insert.insertMany(ids.map((id, i) => newRun(id, { at: T + i })));
    await b.claimNext({ queues: { q: 10 }, tags: {}, agingMs: 86_400_000, slots: 10 }, 'node-a', T + 60_000, T);
    for (const id of ids) {
      await b.storage.saveProgress(id, 2, { ...emptyState(), scratch: { kept: true }, approval: { request: request(2) } });
      await b.storage.settle(id, { kind: 'park', status: 'waiting_approval' });
    }
  }

  it('shows the pending approval of a waiting run and records one decision in its state', async () => {
    await waiting('w');
    expect(await b.storage.pendingApproval('w')).toEqual(request(2));
    const decision = { outcome: 'approved' as const, by: 'alice', comment: 'ok', at: iso(T + 5) };
    await b.storage.recordApprovalDecision('w', decision);
    expect(await b.storage.pendingApproval('w')).toBeUndefined();
    const run = (await b.storage.load('w'))!;
    expect(run).toMatchObject({ nextStep: 2, status: 'waiting_approval', state: { scratch: { kept: true }, approval: { request: request(2), decision } } });
    await expect(rejection(() => b.storage.recordApprovalDecision('w', { ...decision, outcome: 'denied' }))).rejects.toMatchObject({ code: 'ALREADY_DECIDED' });
    await b.storage.insert.insertMany([newRun('queued', { at: T })]);
    expect(await b.storage.pendingApproval('queued')).toBeUndefined();
    await expect(rejection(() => b.storage.recordApprovalDecision('queued', decision))).rejects.toMatchObject({ code: 'CONFLICT', message: 'Run queued is queued, not waiting for an approval' });
    await expect(rejection(() => b.storage.recordApprovalDecision('nope', decision))).rejects.toMatchObject({ code: 'NOT_FOUND' });
    expect(await b.storage.pendingApproval('nope')).toBeUndefined();
  });

  it('stores a request once, and lists, finds and counts the requests', async () => {
    const a = b.approvals;
    expect(await a.insertPending(rowOf('apr-1', 'r1', T))).toBe(true);
    expect(await a.insertPending(rowOf('apr-1', 'r1', T, { message: 'again' }))).toBe(false);
    await a.insertPending(rowOf('apr-2', 'r2', T + 1_000));
    await a.insertPending(rowOf('apr-3', 'r1', T + 2_000));
    await a.insertPending(rowOf('apr-4', 'r3', T + 3_000));
    expect(await a.get('apr-1')).toEqual(rowOf('apr-1', 'r1', T));
    expect(await a.get('nope')).toBeUndefined();
    // Decided without a run to record it in: the store's own rows, written as a decision would.
    await b.rows(`update approvals set status = 'denied', decided_by = 'bob', decided_at = ? where id = 'apr-2'`, T + 4_000);
    await b.rows(`update approvals set status = 'timed_out', decided_at = ? where id = 'apr-4'`, T + 70_000);
    expect((await a.pending()).map((r) => r.id).sort()).toEqual(['apr-1', 'apr-3']);
    expect((await a.list('all', 10)).map((r) => r.id)).toEqual(['apr-3', 'apr-1', 'apr-4', 'apr-2']);
    expect((await a.list('all', 1)).map((r) => r.id)).toEqual(['apr-3']);
    expect((await a.list('denied', 10)).map((r) => [r.id, r.decided_by, r.decided_at])).toEqual([['apr-2', 'bob', T + 4_000]]);
    expect((await a.latestForRun('r1'))!.id).toBe('apr-3');
    expect(await a.latestForRun('r9')).toBeUndefined();
    expect(await a.countsSince(T + 500)).toEqual({ requested: 3, approved: 0, denied: 1, timed_out: 1 });
    expect(await a.countsSince(T + 5_000)).toEqual({ requested: 0, approved: 0, denied: 0, timed_out: 1 });
  });

  it('decides once: the request and the run’s state together, seen by every node; a second decision is ALREADY_DECIDED', async () => {
    await waiting('w');
    await b.approvals.insertPending(rowOf('apr-w', 'w', T));
    await b.approvals.decide('apr-w', 'approved', 'alice', T + 10, 'looks right');
    const other = b.another();
    expect(await other.approvals.get('apr-w')).toMatchObject({ status: 'approved', decided_by: 'alice', decided_at: T + 10, comment: 'looks right' });
    expect(await other.approvals.pending()).toEqual([]);
    expect((await other.storage.load('w'))!.state.approval!.decision).toEqual({ outcome: 'approved', by: 'alice', comment: 'looks right', at: iso(T + 10) });
    expect(await other.storage.pendingApproval('w')).toBeUndefined();
    await expect(rejection(() => other.approvals.decide('apr-w', 'denied', 'bob', T + 20, null))).rejects.toMatchObject({ code: 'ALREADY_DECIDED', message: 'Approval apr-w was already decided' });
    await expect(rejection(() => other.approvals.decide('nope', 'denied', 'bob', T + 20, null))).rejects.toMatchObject({ code: 'ALREADY_DECIDED' });
    expect((await b.approvals.get('apr-w'))!.decided_by).toBe('alice');
    expect(await b.approvals.countsSince(T)).toEqual({ requested: 1, approved: 1, denied: 0, timed_out: 0 });
  });

  it('leaves the request pending when the run cannot take the decision', async () => {
    await b.storage.insert.insertMany([newRun('running', { at: T })]);
    await b.approvals.insertPending(rowOf('apr-r', 'running', T));
    await expect(rejection(() => b.approvals.decide('apr-r', 'approved', 'alice', T + 10, null))).rejects.toMatchObject({ code: 'CONFLICT' });
    expect(await b.approvals.get('apr-r')).toMatchObject({ status: 'pending', decided_by: null, decided_at: null });
  });

  it('lets exactly one of two nodes deciding at once win', async () => {
    await waiting('w');
    await b.approvals.insertPending(rowOf('apr-w', 'w', T));
    const other = b.another();
    const results = await Promise.allSettled([
      rejection(() => b.approvals.decide('apr-w', 'approved', 'alice', T + 10, null)),
      rejection(() => other.approvals.decide('apr-w', 'denied', 'bob', T + 11, null)),
    ]);
    const won = results.findIndex((r) => r.status === 'fulfilled');
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    expect(results.find((r) => r.status === 'rejected')).toMatchObject({ reason: { code: 'ALREADY_DECIDED' } });
    const [outcome, by] = won === 0 ? ['approved', 'alice'] : ['denied', 'bob'];
    expect(await b.approvals.get('apr-w')).toMatchObject({ status: outcome, decided_by: by });
    expect((await other.storage.load('w'))!.state.approval!.decision).toMatchObject({ outcome, by });
  });
});
