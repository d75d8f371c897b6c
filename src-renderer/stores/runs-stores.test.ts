import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { RunStatus } from '@shared/domain/runs';
import { permissionsOf } from '@shared/rbac/roles';
import { event, fail as refuse, fakeClient, ok, type Answer as Handler } from '../testing/fake-client';
import { coalesce } from './coalesce';
import { createQueuesStore, type QueueView } from './queues-store';
import { actionFitsState, artifactUrl, createRunDetailStore, runActions, type RunDetail } from './run-detail-store';
import { createRunsStore, matchesFilters, mergeHead, NO_RUN_FILTERS, runsQuery, type RunSummary } from './runs-store';
import { viewAllowed } from './view-specs';

const settle = () => vi.advanceTimersByTimeAsync(0);

/** Run n, created n seconds after a fixed time (a larger n is newer). */
function run(n: number, patch: Partial<RunSummary> = {}): RunSummary {
  return {
    id: `run_${String(n).padStart(5, '0')}`,
    template: n % 2 ? 'invoice' : 'report',
    template_hash: 'h',
    status: 'succeeded',
    queue: n % 3 ? 'default' : 'mail',
    priority: 5,
    trigger: 'api',
    requested_by: 'admin',
    attempts: 1,
    attempt_history: [],
    variables: {},
    dry_run: false,
    concurrency_tag: null,
    created_at: new Date(Date.UTC(2026, 0, 1) + n * 1000).toISOString(),
    started_at: null,
    finished_at: null,
    available_at: null,
    error: null,
    error_code: null,
    retry_of: null,
    ...patch,
  };
}

/** runs.list and runs.get over an in-memory table, newest first, as the core answers them (cursor = rows skipped). */
function runsTable(rows: RunSummary[]) {
  const db = { rows };
  const list: Handler = (input) => {
    const f = { status: (input.status as RunStatus | undefined) ?? ('' as const), queue: (input.queue as string) ?? '', template: (input.template as string) ?? '' };
    const all = [...db.rows].sort((a, b) => b.created_at.localeCompare(a.created_at)).filter((r) => matchesFilters(r, f));
    const from = Number(input.cursor ?? 0);
    const limit = Number(input.limit);
    const page = all.slice(from, from + limit);
    return ok({ items: page, next_cursor: from + limit < all.length ? String(from + limit) : null });
  };
  const get: Handler = (input) => {
    const r = db.rows.find((x) => x.id === input.id);
    return r ? ok({ ...r, steps: [] }) : refuse('NOT_FOUND', `Run ${String(input.id)} not found`);
  };
  const set = (id: string, patch: Partial<RunSummary>) => (db.rows = db.rows.map((r) => (r.id === id ? { ...r, ...patch } : r)));
  return { db, list, get, set };
}

describe('live reads', () => {
  it('read at once for one event, and once more for all that arrive during the read', async () => {
    let reads = 0;
    let finish: () => void = () => {};
    const refresh = coalesce(() => {
      reads++;
      return new Promise<void>((r) => (finish = r));
    });
    refresh();
    expect(reads).toBe(1);
    for (let i = 0; i < 1000; i++) refresh();
    expect(reads).toBe(1);
    finish();
    await Promise.resolve();
    await Promise.resolve();
    expect(reads).toBe(2);
    finish();
    await Promise.resolve();
    await Promise.resolve();
    refresh();
    expect(reads).toBe(3);
  });
});

describe('the runs list', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('asks runs.list only for the filters that are set', () => {
    expect(runsQuery(NO_RUN_FILTERS)).toEqual({ limit: 500 });
    expect(runsQuery({ status: 'failed', queue: ' mail ', template: '' }, 50, 'c1')).toEqual({ limit: 50, status: 'failed', queue: 'mail', cursor: 'c1' });
  });

  it('reads the newest page, then older pages with the cursor, each run once', async () => {
    const table = runsTable(Array.from({ length: 1200 }, (_, i) => run(i)));
    const { client, named } = fakeClient({ 'runs.list': table.list });
    const store = createRunsStore(client);
    await store.getState().load();
    expect(store.getState()).toMatchObject({ status: 'ready', nextCursor: '500' });
    expect(store.getState().items[0]!.id).toBe('run_01199');
    await store.getState().loadMore();
    await store.getState().loadMore();
    expect(store.getState().items).toHaveLength(1200);
    expect(new Set(store.getState().items.map((r) => r.id)).size).toBe(1200);
    expect(store.getState().nextCursor).toBeNull();
    expect(named('runs.list').map((c) => c[1].cursor)).toEqual([undefined, '500', '1000']);
  });

  it('reads the first page again once after typing in a filter, with the filter', async () => {
    const table = runsTable(Array.from({ length: 30 }, (_, i) => run(i)));
    const { client, named } = fakeClient({ 'runs.list': table.list });
    const store = createRunsStore(client);
    await store.getState().load();
    for (const text of ['m', 'ma', 'mai', 'mail']) store.getState().filtersChanged({ queue: text });
    await vi.advanceTimersByTimeAsync(300);
    expect(named('runs.list').map((c) => c[1].queue)).toEqual([undefined, 'mail']);
    expect(store.getState().items.every((r) => r.queue === 'mail')).toBe(true);
    expect(store.getState().items).toHaveLength(10);
  });

  it('puts a new run on top and changes a run in place when their events arrive: a read at once, one more for the rest of the burst', async () => {
    const table = runsTable(Array.from({ length: 10 }, (_, i) => run(i)));
    const { client, named } = fakeClient({ 'runs.list': table.list, 'runs.get': table.get });
    const store = createRunsStore(client);
    store.getState().watch();
    await store.getState().load();
    table.db.rows.push(run(10, { status: 'queued' }));
    table.set('run_00003', { status: 'failed', error: 'boom' });
    store.getState().eventReceived(event('run.queued', { runId: 'run_00010' }));
    store.getState().eventReceived(event('run.finished', { runId: 'run_00003', status: 'failed' }));
    store.getState().eventReceived(event('config.reloaded', { file: 'x' }));
    await vi.advanceTimersByTimeAsync(300);
    const items = store.getState().items;
    expect(items.map((r) => r.id).slice(0, 2)).toEqual(['run_00010', 'run_00009']);
    expect(items.find((r) => r.id === 'run_00003')).toMatchObject({ status: 'failed', error: 'boom' });
    expect(items).toHaveLength(11);
    expect(named('runs.list')).toHaveLength(3);
    expect(named('runs.get')).toHaveLength(0);
  });

  it('reads a changed run beyond the first page on its own, and drops it when it leaves the status filter', async () => {
    const table = runsTable(Array.from({ length: 1200 }, (_, i) => run(i, { status: 'queued' })));
    const { client, named } = fakeClient({ 'runs.list': table.list, 'runs.get': table.get });
    const store = createRunsStore(client);
    store.getState().watch();
    store.getState().filtersChanged({ status: 'queued' });
    await vi.advanceTimersByTimeAsync(300);
    await store.getState().loadMore();
    await store.getState().loadMore();
    expect(store.getState().items).toHaveLength(1200);

    // An old run starts (it leaves "queued"), a new one is queued.
    table.set('run_00005', { status: 'running' });
    table.db.rows.push(run(1200, { status: 'queued' }));
    store.getState().eventReceived(event('run.started', { runId: 'run_00005' }));
    store.getState().eventReceived(event('run.queued', { runId: 'run_01200' }));
    await vi.advanceTimersByTimeAsync(300);
    const items = store.getState().items;
    expect(named('runs.get').map((c) => c[1].id)).toEqual(['run_00005']);
    expect(items.some((r) => r.id === 'run_00005')).toBe(false);
    expect(items[0]!.id).toBe('run_01200');
    expect(items).toHaveLength(1200);
    expect(new Set(items.map((r) => r.id)).size).toBe(1200);
  });

  it('keeps the rows below the first page and drops one the page should hold but lacks', () => {
    const current = [run(9), run(8), run(7), run(6), run(5)];
    const head = [run(10), run(9), run(7)];
    expect(mergeHead(current, head, false).items.map((r) => r.id)).toEqual(['run_00010', 'run_00009', 'run_00007', 'run_00006', 'run_00005']);
    expect(mergeHead(current, head, true).items.map((r) => r.id)).toEqual(['run_00010', 'run_00009', 'run_00007']);
  });

  it('reads nothing for events before it was read or while it is off screen, says "not available" without runs.list, and forgets at reset', async () => {
    const table = runsTable([run(1)]);
    const { client, calls } = fakeClient({ 'runs.list': table.list });
    const store = createRunsStore(client);
    const unwatch = store.getState().watch();
    store.getState().eventReceived(event('run.queued', { runId: 'run_00001' }));
    await vi.advanceTimersByTimeAsync(300);
    expect(calls).toHaveLength(0);
    await store.getState().load();
    unwatch();
    store.getState().eventReceived(event('run.queued', { runId: 'run_00001' }));
    await vi.advanceTimersByTimeAsync(300);
    expect(calls).toHaveLength(1);
    store.getState().reset();
    expect(store.getState()).toMatchObject({ status: 'loading', items: [], filters: NO_RUN_FILTERS });

    const { client: old } = fakeClient({});
    (old as { has: (n: string) => boolean }).has = (n) => n !== 'runs.list';
    expect(createRunsStore(old).getState().status).toBe('unavailable');
  });

  it('removes a deleted run at once', async () => {
    const table = runsTable([run(1), run(2)]);
    const { client } = fakeClient({ 'runs.list': table.list });
    const store = createRunsStore(client);
    await store.getState().load();
    store.getState().removed('run_00001');
    expect(store.getState().items.map((r) => r.id)).toEqual(['run_00002']);
  });
});

describe('one run', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  const detail = (r: RunSummary, steps: RunDetail['steps'] = []): RunDetail => ({ ...r, steps });

  it('is read when opened and again when its own run or step events arrive', async () => {
    let current = detail(run(1, { status: 'running' }));
    const { client, named } = fakeClient({ 'runs.get': () => ok(current) });
    const store = createRunDetailStore(client);
    await store.getState().open('run_00001');
    expect(store.getState()).toMatchObject({ id: 'run_00001', status: 'ready', run: { status: 'running' } });

    store.getState().eventReceived(event('run.finished', { runId: 'run_00002', status: 'failed' }));
    await vi.advanceTimersByTimeAsync(300);
    expect(named('runs.get')).toHaveLength(1);

    current = detail(run(1, { status: 'running' }), [
      { index: 0, id: null, action: 'wait', status: 'succeeded', params: { ms: 10 }, result: null, error: null, started_at: null, finished_at: null, duration_ms: 10, artifacts: [] },
    ]);
    store.getState().eventReceived(event('step.finished', { runId: 'run_00001', index: 0, action: 'wait', status: 'succeeded' }));
    store.getState().eventReceived(event('step.started', { runId: 'run_00001', index: 1, action: 'wait' }));
    await vi.advanceTimersByTimeAsync(300);
    expect(named('runs.get')).toHaveLength(3);
    expect(store.getState().run!.steps).toHaveLength(1);

    store.getState().close();
    expect(store.getState().id).toBeUndefined();
  });

  it('cancels, and shows the run as the core has it afterwards', async () => {
    let current = detail(run(1, { status: 'running' }));
    const { client, named } = fakeClient({
      'runs.get': () => ok(current),
      'runs.cancel': (i) => {
        current = detail(run(1, { status: 'cancelled' }));
        return ok({ id: i.id, status: 'cancelled' });
      },
    });
    const store = createRunDetailStore(client);
    await store.getState().open('run_00001');
    expect(await store.getState().act('cancel')).toBe(true);
    expect(named('runs.cancel')).toEqual([['runs.cancel', { id: 'run_00001' }]]);
    expect(store.getState()).toMatchObject({ busy: undefined, done: { action: 'cancel', runId: 'run_00001' }, run: { status: 'cancelled' } });
  });

  it('keeps the core’s refusal to show it, and reads the run again (it may have moved on)', async () => {
    const { client, named } = fakeClient({ 'runs.get': () => ok(detail(run(1))), 'runs.pause': () => refuse('CONFLICT', 'Run run_00001 is succeeded; only queued, waiting or running runs can be paused') });
    const store = createRunDetailStore(client);
    await store.getState().open('run_00001');
    expect(await store.getState().act('pause')).toBe(false);
    expect(store.getState().actionError).toEqual({ action: 'pause', error: { code: 'CONFLICT', message: 'Run run_00001 is succeeded; only queued, waiting or running runs can be paused' } });
    expect(named('runs.get')).toHaveLength(2);
  });

  it('names the new run of a re-run, and tells the list of a deleted run', async () => {
    const deleted: string[] = [];
    const { client } = fakeClient({ 'runs.get': () => ok(detail(run(1, { status: 'failed' }))), 'runs.retry': () => ok({ run_id: 'run_new', status: 'queued', queue: 'default', priority: 5, duplicate: false }), 'runs.delete': () => ok({ deleted: true }) });
    const store = createRunDetailStore(client, (id) => deleted.push(id));
    await store.getState().open('run_00001');
    await store.getState().act('retry');
    expect(store.getState().done).toEqual({ action: 'retry', runId: 'run_00001', newRunId: 'run_new' });
    await store.getState().act('delete');
    expect(deleted).toEqual(['run_00001']);
    expect(store.getState().id).toBeUndefined();
  });

  it('offers each operation only to a role holding its permission and in a state the core accepts', () => {
    const { client } = fakeClient({});
    const offered = (role: 'Viewer' | 'Runner' | 'Editor' | 'Admin', status: RunStatus) => runActions(client, status, permissionsOf(role));
    expect(offered('Viewer', 'running')).toEqual([]);
    expect(offered('Viewer', 'failed')).toEqual([]);
    expect(offered('Runner', 'failed')).toEqual(['retry']);
    expect(offered('Runner', 'running')).toEqual([]);
    expect(offered('Editor', 'running')).toEqual(['pause', 'cancel']);
    expect(offered('Editor', 'queued')).toEqual(['pause', 'cancel']);
    expect(offered('Editor', 'paused')).toEqual(['resume', 'cancel']);
    expect(offered('Editor', 'waiting_approval')).toEqual(['cancel']);
    expect(offered('Admin', 'failed')).toEqual(['retry', 'delete']);
    expect(offered('Admin', 'cancelled')).toEqual(['retry', 'delete']);
    expect(actionFitsState('resume', 'running')).toBe(false);
  });

  it('fetches artifacts from their REST route over HTTP; the IPC bridge carries none', () => {
    expect(artifactUrl(fakeClient({}).client, 'run_1', 'step 1.png')).toBe('/api/runs/run_1/artifacts/step%201.png');
    expect(artifactUrl(fakeClient({}, 'ipc').client, 'run_1', 'step-1.png')).toBeUndefined();
  });
});

describe('queues', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  const queue = (name: string, patch: Partial<QueueView> = {}): QueueView => ({ name, depth: 0, running: 0, paused: false, max_concurrent: 2, max_queued: 1000, ...patch });

  it('pauses and resumes a queue and shows the list as the core has it afterwards', async () => {
    let rows = [queue('default', { depth: 3, running: 1 })];
    const { client, named } = fakeClient({
      'queues.list': () => ok({ items: rows }),
      'queues.pause': (i) => {
        rows = [queue('default', { depth: 3, running: 1, paused: true })];
        return ok(rows[0]!.name === i.name ? rows[0] : null);
      },
      'queues.resume': () => refuse('FORBIDDEN', "Permission 'pause_queues' required"),
    });
    const store = createQueuesStore(client);
    await store.getState().load();
    expect(await store.getState().pause('default')).toBe(true);
    expect(store.getState().items[0]!.paused).toBe(true);
    expect(await store.getState().resume('default')).toBe(false);
    expect(store.getState().actionError).toMatchObject({ name: 'default', error: { code: 'FORBIDDEN' } });
    expect(named('queues.list')).toHaveLength(3);
  });

  it('is read again after queue and run events while on screen, a burst at a time', async () => {
    const { client, named } = fakeClient({ 'queues.list': () => ok({ items: [queue('default')] }) });
    const store = createQueuesStore(client);
    await store.getState().load();
    store.getState().eventReceived(event('run.queued', { runId: 'r' }));
    await vi.advanceTimersByTimeAsync(300);
    expect(named('queues.list')).toHaveLength(1);
    store.getState().watch();
    store.getState().eventReceived(event('run.queued', { runId: 'r' }));
    store.getState().eventReceived(event('queue.paused', { queue: 'default' }));
    store.getState().eventReceived(event('template.changed', { name: 'x' }));
    await vi.advanceTimersByTimeAsync(300);
    await settle();
    expect(named('queues.list')).toHaveLength(3);
  });

  it('both views open for a Viewer (read_runs)', () => {
    const { client } = fakeClient({});
    expect(viewAllowed('runs', client, permissionsOf('Viewer'))).toBe(true);
    expect(viewAllowed('queues', client, permissionsOf('Viewer'))).toBe(true);
    expect(viewAllowed('runs', client, [])).toBe(false);
  });
});
