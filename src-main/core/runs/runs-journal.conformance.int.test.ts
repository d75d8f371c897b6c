import type { RetryPolicy } from '@shared/config';
import { expect, it } from 'vitest';
import { newRun } from '../../../test-support/new-runs';
import { describeOnRunsBackends } from '../../../test-support/runs-backends';
import { decideAttemptEnd } from '../queue/attempt-end';
import type { StepRecord } from './run-journal';
import type { RunRow } from './run-row';
import { emptyState, type RunState } from './run-state';

/**
 * The step journal and settlement on both backends (SPEC sections 5, 14 and 16): loading a run as
 * the engine executes it, step rows with the resume point, exactly one row per step, the started
 * step a dead node leaves, and how an attempt ends (retry, the end once retries are used, the
 * other settlements). Every call is awaited.
 */
const T = Date.parse('2026-12-07T09:00:00Z');
const LIMITS = { queues: { q: 10 }, tags: {}, agingMs: 86_400_000, slots: 10 };
const POLICY: RetryPolicy = { max_attempts: 2, backoff_ms: 1_000, backoff_multiplier: 1, max_backoff_ms: 1_000, jitter: 0, only_idempotent: false };

function step(runId: string, index: number, status: StepRecord['status'], more: Partial<StepRecord> = {}): StepRecord {
  return {
    runId, index, stepId: `s${index}`, action: 'file.write', status, params: { path: 'a.txt' }, result: status === 'succeeded' ? { bytes: 3 } : null,
    error: status === 'failed' ? 'boom' : null, errorCode: null, attempt: 1, startedAt: T + index, finishedAt: status === 'running' ? null : T + index + 1,
    durationMs: status === 'running' ? null : 1, artifacts: [], ...more,
  };
}

const state = (scratch: Record<string, unknown>, more: Partial<RunState> = {}): RunState => ({ ...emptyState(), scratch, ...more });

describeOnRunsBackends('runs journal and settlement conformance: %s', (b) => {
  /** Inserts the runs and claims them for node-a with a lease until `leaseUntil`. */
  async function claimed(ids: string[], leaseUntil = T + 60_000): Promise<RunRow[]> {
    await b.storage.insert.insertMany(ids.map((id, i) => newRun(id, { at: T + i })));
    return b.claimNext(LIMITS, 'node-a', leaseUntil, T + 100);
  }
  const stepCount = async (runId: string) => (await b.rows<{ n: number }>('select count(*) as n from run_steps where run_id = ?', runId))[0]!.n;

  it('loads a run as the engine executes it (from the claimed row or from storage), and an unknown run as nothing', async () => {
    const [row] = await claimed(['x']);
    const fromClaim = await b.storage.load('x', row);
    expect(fromClaim).toEqual({
      id: 'x', template: 'conformance', templateHash: 'hash-1', templateYaml: 'name: conformance\nsteps: []\n', variables: { n: 'x' }, trigger: 'api',
      triggerData: { type: 'api' }, requestedBy: 'tester', dryRun: false, status: 'running', attempts: 1, nextStep: 0, state: emptyState(), timeoutMs: null,
    });
    expect(await b.storage.load('x')).toEqual(fromClaim);
    expect(await b.storage.load('nope')).toBeUndefined();
  });

  it('writes steps with their resume point and resumes with the results read back from the step rows', async () => {
    await claimed(['x']);
    await b.storage.recordStep(step('x', 0, 'succeeded'), { nextStep: 1, state: state({ picked: ['a.txt'] }) });
    await b.storage.recordStep(step('x', 1, 'skipped'), { nextStep: 2, state: state({ picked: ['a.txt', 'b.txt'] }) });
    await b.storage.recordStep(step('x', 2, 'failed'));
    const run = (await b.storage.load('x'))!;
    expect(run.nextStep).toBe(2);
    expect(run.state.scratch).toEqual({ picked: ['a.txt', 'b.txt'] });
    expect(run.state.steps).toEqual([{ status: 'succeeded', id: 's0', result: { bytes: 3 } }, { status: 'skipped', id: 's1' }]);
    const loop = { step: 3, done: [0], iterations: [{ index: 0, status: 'succeeded' as const, steps: [] }] };
    await b.storage.saveProgress('x', 3, state({}, { loop }));
    const resumed = (await b.storage.load('x'))!;
    expect(resumed).toMatchObject({ nextStep: 3, state: { loop } });
    expect(resumed.state.steps[2]).toEqual({ status: 'failed', id: 's2', error: 'boom' });
    expect((await b.storage.read.view('x')).steps.map((s) => [s.index, s.status, s.params])).toEqual([
      [0, 'succeeded', { path: 'a.txt' }], [1, 'skipped', { path: 'a.txt' }], [2, 'failed', { path: 'a.txt' }],
    ]);
  });

  it('keeps one row per step: the started mark and the finish, and a step written twice', async () => {
    await claimed(['x']);
    await b.storage.markStepStarted(step('x', 0, 'running', { action: 'mail.send' }));
    expect(await b.rows('select status, idempotent from run_steps where run_id = ?', 'x')).toMatchObject([{ status: 'running' }]);
    expect(await stepCount('x')).toBe(1);
    await b.storage.recordStep(step('x', 0, 'succeeded', { action: 'mail.send', idempotent: false }), { nextStep: 1, state: emptyState() });
    await b.storage.recordStep(step('x', 0, 'succeeded', { action: 'mail.send', idempotent: false }), { nextStep: 1, state: emptyState() });
    expect(await stepCount('x')).toBe(1);
    expect((await b.storage.read.view('x')).steps).toMatchObject([{ index: 0, status: 'succeeded', action: 'mail.send', result: { bytes: 3 } }]);
  });

  it('shows another node the step a dead node had started, once its lease expired, and nothing once the step finished', async () => {
    await claimed(['mail', 'read', 'done'], T + 1_000);
    await b.storage.markStepStarted(step('mail', 0, 'running', { action: 'mail.send' }));
    await b.storage.recordStep(step('read', 0, 'running', { action: 'file.read', idempotent: true }));
    await b.storage.recordStep(step('done', 0, 'succeeded'), { nextStep: 1, state: emptyState() });
    await b.storage.markStepStarted(step('done', 0, 'running'));
    const other = b.another().storage;
    expect((await other.lease.expired(T + 2_000)).map((h) => h.id).sort()).toEqual(['done', 'mail', 'read']);
    expect(await other.interruptedStep('mail')).toEqual({ index: 0, action: 'mail.send', stepId: 's0', idempotent: false });
    expect(await other.interruptedStep('read')).toEqual({ index: 0, action: 'file.read', stepId: 's0', idempotent: true });
    // Its started step is behind the resume point: the run is not inside a step.
    expect(await other.interruptedStep('done')).toBeUndefined();
    expect(await other.interruptedStep('nope')).toBeUndefined();
  });

  it('settles a failed attempt as a retry until due, and as failed once its attempts are used, with the whole history', async () => {
    const [first] = await claimed(['x']);
    const failed = { status: 'failed' as const, error: 'network down', errorCode: 'NETWORK', retryable: true };
    const deps = (now: number) => ({ now, policy: () => POLICY, mask: (s: string) => s, random: () => 0 });
    const retry = decideAttemptEnd(first!, T + 100, failed, undefined, deps(T + 200));
    expect(retry.settlement.kind).toBe('retry_wait');
    await b.storage.settle('x', retry.settlement);
    expect(await b.storage.read.row('x')).toMatchObject({ status: 'retry_wait', available_at: T + 1_200, lease_owner: null, lease_expires_at: null, error: 'network down', error_code: 'NETWORK', attempts: 1 });
    expect(await b.storage.claim.nextDue()).toBe(T + 1_200);
    expect(await b.storage.claim.promoteDue(T + 1_200)).toEqual([{ id: 'x', queue: 'q', priority: 5 }]);
    const [second] = await b.claimNext(LIMITS, 'node-b', T + 60_000, T + 1_300);
    expect(second).toMatchObject({ id: 'x', attempts: 2, lease_owner: 'node-b' });
    const end = decideAttemptEnd(second!, T + 1_300, failed, undefined, deps(T + 1_400));
    await b.storage.settle('x', end.settlement);
    const row = (await b.storage.read.row('x'))!;
    expect(row).toMatchObject({ status: 'failed', finished_at: T + 1_400, error: 'network down', error_code: 'NETWORK', lease_owner: null, attempts: 2 });
    expect(JSON.parse(row.attempt_history_json).map((a: { attempt: number; status: string }) => [a.attempt, a.status])).toEqual([[1, 'failed'], [2, 'failed']]);
    expect(await b.storage.read.countsSince(T)).toMatchObject({ finished: 1, retried: 1 });
  });

  it('settles the other ways: succeeded, deferred, parked, re-queued, interrupted then re-queued or failed', async () => {
    await claimed(['ok', 'defer', 'wait', 'pause', 'back', 'int-q', 'int-f']);
    const history = [{ attempt: 1, started_at: new Date(T).toISOString(), finished_at: new Date(T + 5).toISOString(), status: 'x', error: null }];
    await b.storage.settle('ok', { kind: 'finish', status: 'succeeded', now: T + 5, error: null, errorCode: null, history });
    await b.storage.settle('defer', { kind: 'defer', due: T + 9_000, attempts: 0, error: 'screen locked', errorCode: 'DESKTOP_LOCKED' });
    await b.storage.settle('wait', { kind: 'park', status: 'waiting_approval', history });
    await b.storage.settle('pause', { kind: 'park', status: 'paused', pausedFrom: 'running' });
    await b.storage.settleNow('back', { kind: 'requeue', now: T + 6, attempts: 0, enqueuedAt: T + 4, error: 'shutdown', errorCode: 'INTERRUPTED' });
    const interrupt = { kind: 'interrupt' as const, now: T + 7, reason: 'its node stopped', history };
    await b.storage.settleNow('int-q', { ...interrupt, then: { requeue: true, attempts: 1, enqueuedAt: T + 5 } });
    await b.storage.settleNow('int-f', { ...interrupt, then: { requeue: false, error: 'mail.send may have sent; not repeated' } });
    const row = async (id: string) => (await b.storage.read.row(id))!;
    expect(await row('ok')).toMatchObject({ status: 'succeeded', finished_at: T + 5, lease_owner: null, attempt_history_json: JSON.stringify(history) });
    expect(await row('defer')).toMatchObject({ status: 'retry_wait', available_at: T + 9_000, attempts: 0, started_at: null, error_code: 'DESKTOP_LOCKED' });
    expect(await row('wait')).toMatchObject({ status: 'waiting_approval', lease_owner: null, error: null });
    expect(await row('pause')).toMatchObject({ status: 'paused', paused_from: 'running', attempt_history_json: '[]' });
    expect(await row('back')).toMatchObject({ status: 'queued', available_at: T + 6, enqueued_at: T + 4, attempts: 0, error: 'shutdown', lease_expires_at: null });
    expect(await row('int-q')).toMatchObject({ status: 'queued', attempts: 1, enqueued_at: T + 5, error: 'its node stopped', error_code: 'INTERRUPTED' });
    expect(await row('int-f')).toMatchObject({ status: 'failed', finished_at: T + 7, error: 'mail.send may have sent; not repeated', error_code: 'INTERRUPTED' });
    expect((await b.storage.read.waitingForApproval())).toEqual(['wait']);
  });

  it('ends a run whose step record could not be written as failed (STORAGE_ERROR), not succeeded', async () => {
    await claimed(['x', 'fine']);
    // A status the journal's CHECK refuses: the write fails on either backend. Not awaited: the
    // run's end is written after its step writes, as the engine issues them.
    void b.storage.recordStep(step('x', 0, 'exploded' as 'failed'), { nextStep: 1, state: emptyState() });
    const history = [{ attempt: 1, started_at: null, finished_at: null, status: 'succeeded', error: null }];
    await b.storage.settle('x', { kind: 'finish', status: 'succeeded', now: T + 9, error: null, errorCode: null, history });
    expect(await stepCount('x')).toBe(0);
    await b.storage.settle('fine', { kind: 'finish', status: 'succeeded', now: T + 9, error: null, errorCode: null, history });
    const row = (await b.storage.read.row('x'))!;
    expect(row).toMatchObject({ status: 'failed', error_code: 'STORAGE_ERROR', error: expect.stringContaining('its step records could not be written') });
    expect(JSON.parse(row.attempt_history_json)[0]).toMatchObject({ status: 'failed', error_code: 'STORAGE_ERROR' });
    expect((await b.storage.read.row('fine'))!.status).toBe('succeeded');
  });

  it('hands a settlement that cannot be written to onFailed, and throws it from settleNow', async () => {
    await claimed(['x']);
    const bad = { kind: 'finish' as const, status: 'exploded' as 'failed', now: T, error: null, errorCode: null, history: [] };
    const heard: unknown[] = [];
    await b.storage.settle('x', bad, (e) => heard.push(e));
    expect(heard).toHaveLength(1);
    expect(String(heard[0])).toMatch(/check/i);
    await expect(Promise.resolve().then(() => b.storage.settleNow('x', bad))).rejects.toThrow(/check/i);
    expect((await b.storage.read.row('x'))!.status).toBe('running');
  });

  // On PostgreSQL, pg-runs-storage.int.test.ts holds a write on a lock to show afterCommit waits for it.
  it('runs afterCommit once the writes so far are committed, and flush waits for them', async () => {
    await claimed(['x', 'y']);
    const other = b.another().storage;
    const told: string[] = [];
    void b.storage.recordStep(step('x', 0, 'succeeded'), { nextStep: 1, state: emptyState() });
    await b.storage.afterCommit(() => told.push('committed'));
    expect(told).toEqual(['committed']);
    expect((await other.read.view('x')).steps).toHaveLength(1);
    void b.storage.settle('y', { kind: 'park', status: 'paused', pausedFrom: 'running' });
    await b.storage.flush();
    expect((await other.read.row('y'))!.status).toBe('paused');
  });
});
