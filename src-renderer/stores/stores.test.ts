import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Envelope } from '@shared/contract/errors';
import type { AgentEvent } from '@shared/contract/events';
import { createClient, type Transport } from '@shared/client/agent-client';
import { createDashboardStore } from './dashboard-store';
import { createListStore, itemsOf } from './list-store';
import { createLocaleStore, LOCALE_KEY } from './locale-store';
import { VIEW_SECTIONS } from './view-specs';

function fakeTransport(answer: (name: string) => Envelope<unknown>) {
  const calls: string[] = [];
  const transport: Transport = {
    kind: 'http',
    call: async (name) => {
      calls.push(name);
      return answer(name);
    },
    subscribe: () => () => {},
  };
  return { client: createClient(transport), calls };
}

const event = (type: AgentEvent['type']): AgentEvent => ({ seq: 1, type, at: '2026-01-01T00:00:00.000Z', data: {} as never });
const settle = () => vi.advanceTimersByTimeAsync(0);

describe('list views', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('say "not available" exactly for the lists this version of the contract lacks, and call nothing', async () => {
    const { client, calls } = fakeTransport(() => ({ ok: true, data: [] }));
    for (const specs of Object.values(VIEW_SECTIONS)) {
      const store = createListStore(client, specs);
      await store.getState().load();
      for (const s of store.getState().sections) {
        const spec = specs.find((x) => x.key === s.key)!;
        expect(s.status, s.key).toBe(client.find('GET', spec.path) ? 'ready' : 'unavailable');
        expect(s.binding).toBe(`GET ${spec.path}`);
      }
    }
    expect(calls.every((name) => client.has(name))).toBe(true);
  });

  it('show the items a procedure answers, and read them again after a matching event', async () => {
    let items = [{ id: 'a' }];
    const { client, calls } = fakeTransport(() => ({ ok: true, data: { items, next_cursor: null } }));
    const store = createListStore(client, [{ key: 'runs', path: '/api/system/status', columns: ['id'], refreshOn: ['run'] }]);
    await store.getState().load();
    expect(store.getState().sections[0]).toMatchObject({ status: 'ready', items: [{ id: 'a' }], procedure: 'system.status' });

    items = [{ id: 'a' }, { id: 'b' }];
    store.getState().eventReceived(event('queue.paused'));
    store.getState().eventReceived(event('run.queued'));
    store.getState().eventReceived(event('run.started'));
    await vi.advanceTimersByTimeAsync(300);
    // A burst of events is one read.
    expect(calls).toEqual(['system.status', 'system.status']);
    expect(store.getState().sections[0]!.items).toHaveLength(2);
  });

  it('say sign-in required, permission required, or the error, as the core answered', async () => {
    const answers: Envelope<unknown>[] = [
      { ok: false, error: { code: 'UNAUTHENTICATED', message: 'sign in' } },
      { ok: false, error: { code: 'FORBIDDEN', message: 'no', details: { permission: 'view_audit_log' } } },
      { ok: false, error: { code: 'UNAVAILABLE', message: 'Cannot reach the Desktop Agent API' } },
      { ok: true, data: { version: '1' } },
    ];
    const { client } = fakeTransport(() => answers.shift()!);
    const store = createListStore(client, [{ key: 'clusters', path: '/api/system/status', columns: ['count'], refreshOn: [] }]);
    const statusAfterLoad = async () => (await store.getState().load(), store.getState().sections[0]!);
    expect(await statusAfterLoad()).toMatchObject({ status: 'unauthenticated' });
    expect(await statusAfterLoad()).toMatchObject({ status: 'forbidden', error: { details: { permission: 'view_audit_log' } } });
    expect(await statusAfterLoad()).toMatchObject({ status: 'error', error: { code: 'UNAVAILABLE' } });
    expect(await statusAfterLoad()).toMatchObject({ status: 'error', error: { message: 'system.status did not answer with a list' } });
  });

  it('read lists as arrays or {items}', () => {
    expect(itemsOf([{ a: 1 }])).toEqual([{ a: 1 }]);
    expect(itemsOf({ items: [{ a: 1 }], next_cursor: 'x' })).toEqual([{ a: 1 }]);
    expect(itemsOf({ version: '1' })).toBeUndefined();
    expect(itemsOf(null)).toBeUndefined();
  });
});

describe('the dashboard store', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('reads system.status, and again when a config file is reloaded or rejected', async () => {
    let problems = 0;
    const { client, calls } = fakeTransport(() => ({
      ok: true,
      data: { version: '0.1.0', data_dir: '/d', config_dir: '/d/configs', started_at: '2026-01-01T00:00:00.000Z', config_problems: Array.from({ length: problems }, () => ({ file: '/d/configs/orchestrator.yaml', line: 2, column: 25, path: 'global.max_total_concurrent', message: 'expected number' })) },
    }));
    const store = createDashboardStore(client);
    expect(store.getState().status).toBe('loading');
    await store.getState().load();
    expect(store.getState().system?.config_problems).toEqual([]);
    problems = 1;
    store.getState().eventReceived(event('run.queued'));
    store.getState().eventReceived(event('config.rejected'));
    await vi.advanceTimersByTimeAsync(300);
    await settle();
    expect(calls).toEqual(['system.status', 'system.status']);
    expect(store.getState().system?.config_problems[0]).toMatchObject({ line: 2, column: 25 });
  });

  it('drops what it showed when the answer becomes 401', async () => {
    const answers: Envelope<unknown>[] = [
      { ok: true, data: { version: '1', data_dir: '/d', config_dir: '/c', started_at: '2026-01-01T00:00:00.000Z', config_problems: [] } },
      { ok: false, error: { code: 'UNAUTHENTICATED', message: 'sign in' } },
    ];
    const { client } = fakeTransport(() => answers.shift()!);
    const store = createDashboardStore(client);
    await store.getState().load();
    await store.getState().load();
    expect(store.getState()).toMatchObject({ status: 'unauthenticated', system: undefined });
  });
});

describe('the language choice', () => {
  const memory = () => {
    const m = new Map<string, string>();
    return { getItem: (k: string) => m.get(k) ?? null, setItem: (k: string, v: string) => void m.set(k, v), m };
  };

  it('starts from the reader’s languages, Japanese when none of ours is there', () => {
    expect(createLocaleStore(memory(), ['en-US', 'ja']).getState().locale).toBe('en');
    expect(createLocaleStore(memory(), ['ja-JP', 'en']).getState().locale).toBe('ja');
    expect(createLocaleStore(memory(), ['de-DE', 'fr']).getState().locale).toBe('ja');
  });

  it('keeps the choice across page loads, and survives storage that refuses', () => {
    const storage = memory();
    createLocaleStore(storage, ['ja']).getState().localeChanged('en');
    expect(storage.m.get(LOCALE_KEY)).toBe('en');
    expect(createLocaleStore(storage, ['ja']).getState().locale).toBe('en');
    storage.m.set(LOCALE_KEY, 'klingon');
    expect(createLocaleStore(storage, ['ja']).getState().locale).toBe('ja');

    const broken = { getItem: () => { throw new Error('denied'); }, setItem: () => { throw new Error('quota'); } };
    const store = createLocaleStore(broken, ['en']);
    store.getState().localeChanged('ja');
    expect(store.getState().locale).toBe('ja');
  });
});
