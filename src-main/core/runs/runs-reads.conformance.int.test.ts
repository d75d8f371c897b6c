import { expect, it } from 'vitest';
import { newRun } from '../../../test-support/new-runs';
import { describeOnRunsBackends, type RunsBackend } from '../../../test-support/runs-backends';
import type { NewRun } from './run-insert';

/**
 * Reading runs and retention on both backends (SPEC section 16): one row, the API's list with its
 * filters and cursor, the detail with steps and artifacts, the counts for metrics, and deleting
 * finished runs and unreferenced template texts. Every call is awaited.
 */
const T = Date.parse('2026-12-07T09:00:00Z');
const MINUTE = 60_000;

const ofTemplate = (run: NewRun, template: string): NewRun => ({ ...run, template, templateHash: `hash-${template}`, templateYaml: `name: ${template}\nsteps: []\n` });

/** A step row as the engine's journal leaves it (the journal suite writes them through the port). */
async function stepRow(b: RunsBackend, runId: string, idx: number, status: string, artifacts: unknown[] = []): Promise<void> {
  await b.rows(
    `insert into run_steps (run_id, idx, step_id, action, status, params_json, result_json, error, attempt, started_at, finished_at, duration_ms, artifacts_json)
     values (?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?, ?, ?)`,
    runId, idx, `s${idx}`, 'file.write', status, '{"path":"a.txt"}', status === 'succeeded' ? '{"bytes":3}' : null, status === 'failed' ? 'disk full' : null,
    T + idx * 1000, T + idx * 1000 + 250, 250, JSON.stringify(artifacts),
  );
}

describeOnRunsBackends('runs reads and retention conformance: %s', (b) => {
  it('reads one row, refuses an unknown one with NOT_FOUND, and reads template texts by hash', async () => {
    await b.storage.insert.insertMany([newRun('r1', { at: T, key: 'k-1' })]);
    expect(await b.storage.read.row('r1')).toMatchObject({ id: 'r1', status: 'queued', created_at: T, variables_json: '{"n":"r1"}', dry_run: 0, idempotency_key: 'k-1' });
    expect((await b.storage.read.mustRow('r1')).id).toBe('r1');
    expect(await b.storage.read.row('nope')).toBeUndefined();
    await expect(Promise.resolve().then(() => b.storage.read.mustRow('nope'))).rejects.toMatchObject({ code: 'NOT_FOUND', message: 'Run nope not found' });
    expect(await b.storage.read.templateYaml('hash-1')).toBe('name: conformance\nsteps: []\n');
    expect(await b.storage.read.templateYaml('no-such-hash')).toBeUndefined();
    expect((await b.storage.read.byIdempotencyKey('k-1'))!.id).toBe('r1');
  });

  it('lists the runs that wait for an approval', async () => {
    await b.storage.insert.insertMany([newRun('w1', { at: T }), newRun('w2', { at: T + 1 }), newRun('w3', { at: T + 2 })]);
    await b.set('w1', { status: 'waiting_approval' });
    await b.set('w3', { status: 'waiting_approval' });
    expect((await b.storage.read.waitingForApproval()).sort()).toEqual(['w1', 'w3']);
  });

  it('lists newest first with status, queue and template filters, and pages by cursor through equal creation times', async () => {
    await b.storage.insert.insertMany([
      newRun('a', { at: T, queue: 'mail' }),
      newRun('b', { at: T + MINUTE }),
      ofTemplate(newRun('c', { at: T + MINUTE }), 'invoices'),
      newRun('d', { at: T + MINUTE, queue: 'mail' }),
      ofTemplate(newRun('e', { at: T + 2 * MINUTE }), 'invoices'),
    ]);
    await b.set('b', { status: 'succeeded', finished_at: T + 2 * MINUTE });
    const ids = async (f: Parameters<RunsBackend['storage']['read']['list']>[0]) => (await b.storage.read.list(f)).items.map((r) => r.id);
    // Equal creation times: the later inserted first.
    expect(await ids({ limit: 10 })).toEqual(['e', 'd', 'c', 'b', 'a']);
    expect(await ids({ limit: 10, queue: 'mail' })).toEqual(['d', 'a']);
    expect(await ids({ limit: 10, template: 'invoices' })).toEqual(['e', 'c']);
    expect(await ids({ limit: 10, status: 'succeeded' })).toEqual(['b']);
    expect(await ids({ limit: 10, status: 'queued', queue: 'q', template: 'conformance' })).toEqual([]);
    const seen: string[] = [];
    let cursor: string | undefined;
    for (let page = 0; page < 3; page++) {
      const r = await b.storage.read.list({ limit: 2, ...(cursor ? { cursor } : {}) });
      seen.push(...r.items.map((i) => i.id));
      cursor = r.next_cursor ?? undefined;
      expect(r.next_cursor === null).toBe(page === 2);
    }
    expect(seen).toEqual(['e', 'd', 'c', 'b', 'a']);
    // A run inserted meanwhile (newer) does not shift the pages after the cursor.
    const first = await b.storage.read.list({ limit: 2 });
    await b.storage.insert.insertMany([newRun('f', { at: T + 3 * MINUTE })]);
    expect((await b.storage.read.list({ limit: 2, cursor: first.next_cursor! })).items.map((i) => i.id)).toEqual(['c', 'b']);
    const item = (await b.storage.read.list({ limit: 1, status: 'succeeded' })).items[0]!;
    expect(item).toMatchObject({ id: 'b', status: 'succeeded', queue: 'q', created_at: new Date(T + MINUTE).toISOString(), finished_at: new Date(T + 2 * MINUTE).toISOString(), variables: { n: 'b' }, dry_run: false });
    expect(item).not.toHaveProperty('steps');
  });

  it('refuses a damaged cursor with VALIDATION_ERROR', async () => {
    await expect(Promise.resolve().then(() => b.storage.read.list({ limit: 2, cursor: Buffer.from('yesterday:x').toString('base64url') }))).rejects.toMatchObject({
      code: 'VALIDATION_ERROR',
      message: expect.stringContaining('Invalid cursor'),
    });
  });

  it('shows a run with its steps in order and its artifacts with the step that made each', async () => {
    await b.storage.insert.insertMany([newRun('v', { at: T }), newRun('empty', { at: T })]);
    const shot = { name: 'step-1.png', contentType: 'image/png', bytes: 2048, kind: 'screenshot' };
    const report = { name: 'report.pdf', contentType: 'application/pdf', bytes: 9000, kind: 'report', masked: true };
    await stepRow(b, 'v', 2, 'failed');
    await stepRow(b, 'v', 0, 'succeeded');
    await stepRow(b, 'v', 1, 'succeeded', [shot, report]);
    const view = await b.storage.read.view('v');
    expect(view.steps.map((s) => [s.index, s.id, s.status])).toEqual([[0, 's0', 'succeeded'], [1, 's1', 'succeeded'], [2, 's2', 'failed']]);
    expect(view.steps[1]).toEqual({
      index: 1, id: 's1', action: 'file.write', status: 'succeeded', params: { path: 'a.txt' }, result: { bytes: 3 }, error: null, error_code: null,
      started_at: new Date(T + 1000).toISOString(), finished_at: new Date(T + 1250).toISOString(), duration_ms: 250, artifacts: [shot, report],
    });
    expect(view.steps[2]).toMatchObject({ error: 'disk full', result: null, artifacts: [] });
    expect(view).toMatchObject({ id: 'v', template: 'conformance', status: 'queued' });
    expect(await b.storage.read.artifacts('v')).toEqual([{ ...shot, step: 1 }, { ...report, step: 1 }]);
    expect(await b.storage.read.artifacts('empty')).toEqual([]);
    expect((await b.storage.read.view('empty')).steps).toEqual([]);
    await expect(Promise.resolve().then(() => b.storage.read.view('nope'))).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('counts runs created and finished since a time, and those that needed more than one attempt', async () => {
    await b.storage.insert.insertMany([newRun('old', { at: T - MINUTE }), newRun('n1', { at: T }), newRun('n2', { at: T + 1 }), newRun('n3', { at: T + 2 })]);
    await b.set('old', { status: 'succeeded', finished_at: T + 5, attempts: 1 });
    await b.set('n1', { status: 'failed', finished_at: T + 6, attempts: 3 });
    await b.set('n2', { status: 'cancelled', finished_at: T - 1, attempts: 2 });
    // Finished at a time but not final (a park keeps its finished_at of nothing): not counted.
    await b.set('n3', { status: 'paused', finished_at: T + 7, attempts: 2 });
    expect(await b.storage.read.countsSince(T)).toEqual({ created: 3, finished: 2, retried: 1 });
    expect(await b.storage.read.countsSince(T + 100)).toEqual({ created: 0, finished: 0, retried: 0 });
  });

  it('finds finished runs oldest first, deletes them with their steps, never one that is not finished', async () => {
    await b.storage.insert.insertMany(['f1', 'f2', 'f3', 'live'].map((id, i) => newRun(id, { at: T + i })));
    await b.set('f1', { status: 'succeeded', finished_at: T + 30 });
    await b.set('f2', { status: 'failed', finished_at: T + 10 });
    await b.set('f3', { status: 'cancelled', finished_at: T + 20 });
    await stepRow(b, 'f2', 0, 'failed');
    await stepRow(b, 'live', 0, 'succeeded');
    expect(await b.storage.retention.finishedBefore(T + 25, 10)).toEqual(['f2', 'f3']);
    expect(await b.storage.retention.finishedBefore(T + 25, 1)).toEqual(['f2']);
    expect(await b.storage.retention.oldestFinished(2)).toEqual(['f2', 'f3']);
    expect(await b.storage.retention.deleteFinished('live')).toBe(false);
    expect(await b.storage.retention.deleteFinished('f1')).toBe(true);
    expect(await b.storage.retention.deleteFinished('f1')).toBe(false);
    await b.storage.retention.deleteMany(['f2', 'f3']);
    await b.storage.retention.deleteMany([]);
    expect((await b.storage.read.list({ limit: 10 })).items.map((r) => r.id)).toEqual(['live']);
    expect(await b.rows<{ run_id: string }>('select run_id from run_steps')).toEqual([{ run_id: 'live' }]);
  });

  it('prunes the template texts no run refers to, and keeps those in use', async () => {
    await b.storage.insert.insertMany([newRun('keep', { at: T }), ofTemplate(newRun('gone', { at: T + 1 }), 'old')]);
    expect(await b.storage.retention.pruneTemplateContents()).toBe(0);
    await b.set('gone', { status: 'succeeded', finished_at: T + 2 });
    await b.storage.retention.deleteMany(['gone']);
    expect(await b.storage.retention.pruneTemplateContents()).toBe(1);
    expect(await b.rows<{ hash: string }>('select hash from template_contents')).toEqual([{ hash: 'hash-1' }]);
    // A run of the pruned template stores its text again.
    await b.storage.insert.insertMany([ofTemplate(newRun('again', { at: T + 3 }), 'old')]);
    expect((await b.rows<{ hash: string }>('select hash from template_contents order by hash')).map((r) => r.hash)).toEqual(['hash-1', 'hash-old']);
  });
});
