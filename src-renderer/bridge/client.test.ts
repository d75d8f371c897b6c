import { describe, expect, it } from 'vitest';
import type { AgentEvent } from '@shared/contract/events';
import type { AgentApi, EventsMessage } from '@shared/contract/ipc';
import { AgentError, createClient, type LiveState } from '@shared/client/agent-client';
import { createIpcTransport } from './ipc-transport';

function fakeAgent(answer: (name: string, input: unknown) => unknown) {
  const calls: [string, unknown][] = [];
  let listener: ((m: EventsMessage) => void) | undefined;
  let unsubscribed = 0;
  const api: AgentApi = {
    invoke: async (name, input) => {
      calls.push([name, input]);
      return answer(name, input) as never;
    },
    subscribe: (l) => {
      listener = l;
      return () => void unsubscribed++;
    },
  };
  return { api, calls, push: (m: EventsMessage) => listener!(m), unsubscribed: () => unsubscribed };
}

describe('the typed client over IPC', () => {
  it('returns data, and raises the dispatcher error with code, message and details', async () => {
    const agent = fakeAgent((name) =>
      name === 'system.health'
        ? { ok: true, data: { status: 'ok', version: '1.2.3' } }
        : { ok: false, error: { code: 'FORBIDDEN', message: "Permission 'read_dashboard' required", details: { permission: 'read_dashboard' } } },
    );
    const client = createClient(createIpcTransport(agent.api));
    expect(client.transport).toBe('ipc');
    expect(await client.invoke('system.health', {})).toEqual({ status: 'ok', version: '1.2.3' });
    const err = await client.invoke('system.status', {}).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AgentError);
    expect(err).toMatchObject({ code: 'FORBIDDEN', message: "Permission 'read_dashboard' required", details: { permission: 'read_dashboard' } });
    expect(agent.calls).toEqual([
      ['system.health', {}],
      ['system.status', {}],
    ]);
  });

  it('answers a procedure this version lacks without sending it', async () => {
    const agent = fakeAgent(() => ({ ok: true, data: {} }));
    const client = createClient(createIpcTransport(agent.api));
    expect(client.has('runs.nonexistent')).toBe(false);
    expect(await client.call('runs.nonexistent' as 'system.health', {})).toEqual({ ok: false, error: { code: 'UNKNOWN_PROCEDURE', message: "Unknown procedure 'runs.nonexistent'" } });
    expect(agent.calls).toEqual([]);
  });

  it('finds procedures by their REST binding, and only those the contract has', () => {
    const client = createClient(createIpcTransport(fakeAgent(() => null).api));
    expect(client.find('GET', '/api/system/status')).toBe('system.status');
    expect(client.find('POST', '/api/system/status')).toBeUndefined();
    expect(client.find('GET', '/api/does-not-exist')).toBeUndefined();
  });

  it('turns a broken IPC channel into an UNAVAILABLE envelope', async () => {
    const api: AgentApi = { invoke: () => Promise.reject(new Error('channel closed')), subscribe: () => () => {} };
    expect(await createClient(createIpcTransport(api)).call('system.health', {})).toEqual({
      ok: false,
      error: { code: 'UNAVAILABLE', message: "The app's core did not answer: channel closed" },
    });
  });

  it('reports the stream state main decides and delivers events', () => {
    const agent = fakeAgent(() => null);
    const states: LiveState[] = [];
    const events: AgentEvent[] = [];
    const stop = createClient(createIpcTransport(agent.api)).subscribe({ event: (e) => events.push(e), state: (s) => states.push(s) });
    agent.push({ kind: 'status', live: false, error: { code: 'UNAUTHENTICATED', message: 'sign in' } });
    agent.push({ kind: 'status', live: true });
    const e: AgentEvent = { seq: 1, type: 'run.queued', at: '2026-01-01T00:00:00.000Z', data: { runId: 'r1' } };
    agent.push({ kind: 'event', event: e });
    agent.push({ kind: 'status', live: false, error: { code: 'FORBIDDEN', message: 'no' } });
    expect(states).toEqual(['connecting', 'unauthenticated', 'live', 'forbidden']);
    expect(events).toEqual([e]);
    stop();
    expect(agent.unsubscribed()).toBe(1);
  });

  it('tells its refusal listeners of every refused call, and stops when asked', async () => {
    const agent = fakeAgent((name) => (name === 'system.health' ? { ok: true, data: { status: 'ok', version: '1' } } : { ok: false, error: { code: 'UNAUTHENTICATED', message: 'sign in' } }));
    const client = createClient(createIpcTransport(agent.api));
    const heard: string[] = [];
    const stop = client.onRefused((name, error) => heard.push(`${name}:${error.code}`));
    await client.call('system.health', {});
    await client.call('system.status', {});
    stop();
    await client.call('users.list', {});
    expect(heard).toEqual(['system.status:UNAUTHENTICATED']);
  });
});
