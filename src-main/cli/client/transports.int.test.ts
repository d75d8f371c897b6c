import { afterEach, describe, expect, it } from 'vitest';
import { createClient, type LiveState } from '@shared/client/agent-client';
import type { AgentEvent } from '@shared/contract/events';
import { tempCore, type TempCore } from '../../../test-support/temp-core';
import { startApi } from '../../host/start-api';
import { cliPrincipal, readCliToken } from '../../core/api/cli-access';
import type { RunningHttpServer } from '../../core/api/http';
import { createInProcessTransport } from './in-process-transport';
import { createNodeHttpTransport } from './http-transport';

let t: TempCore | undefined;
let http: RunningHttpServer | undefined;
afterEach(async () => {
  await http?.close();
  await t?.cleanup();
  http = t = undefined;
});

const auditRows = (core: TempCore['core']) =>
  core.db.prepare("select user, action, result, source from audit_log where action = 'users.list' order by id").all() as { user: string; action: string; result: string; source: string }[];

describe("the CLI's transports of the shared typed client", () => {
  it('in-process: every call goes through the dispatcher as the OS user from cli, and is audited', async () => {
    t = await tempCore();
    const client = createClient(createInProcessTransport(t.core, cliPrincipal('alice')));
    expect(await client.invoke('users.list', {})).toEqual({ items: [] });
    expect(auditRows(t.core)).toEqual([{ user: 'os:alice', action: 'users.list', result: 'granted', source: 'cli' }]);
    const bad = await client.call('users.create', { username: 'x', password: 'short', role: 'Viewer' });
    expect(bad).toMatchObject({ ok: false, error: { code: 'VALIDATION_ERROR' } });

    const events: AgentEvent[] = [];
    const stop = client.subscribe({ event: (e) => events.push(e), state: () => {} });
    t.core.bus.publish('queue.paused', { queue: 'default', by: null });
    stop();
    t.core.bus.publish('queue.resumed', { queue: 'default', by: null });
    expect(events.map((e) => e.type)).toEqual(['queue.paused']);
  });

  it('HTTP: the instance\'s cli-token signs in as the OS user, audited as cli; events arrive over SSE', async () => {
    t = await tempCore();
    http = await startApi(t.core, { host: '127.0.0.1', port: 0, allowRemote: false });
    const token = readCliToken(t.dir);
    expect(token).toBeDefined();
    const client = createClient(createNodeHttpTransport({ url: http.url.replace(/\/$/, ''), authorization: `Bearer ${token}` }));
    expect((await client.invoke('auth.me', {})).via).toBe('cli');
    expect(await client.invoke('users.list', {})).toEqual({ items: [] });
    expect(auditRows(t.core)).toEqual([expect.objectContaining({ action: 'users.list', result: 'granted', source: 'cli' })]);

    const states: LiveState[] = [];
    const events: AgentEvent[] = [];
    const stop = client.subscribe({ event: (e) => events.push(e), state: (s) => states.push(s) });
    await expect.poll(() => states.at(-1)).toBe('live');
    await expect.poll(() => t!.core.bus.subscriberCount).toBeGreaterThan(0);
    t.core.bus.publish('queue.paused', { queue: 'default', by: null });
    await expect.poll(() => events.map((e) => e.type)).toEqual(['queue.paused']);
    stop();

    // Without the token the instance asks for credentials; the file is gone when the API closes.
    const anonymous = createClient(createNodeHttpTransport({ url: http.url.replace(/\/$/, '') }));
    expect(await anonymous.call('users.list', {})).toMatchObject({ ok: false, error: { code: 'UNAUTHENTICATED' } });
    await http.close();
    http = undefined;
    expect(readCliToken(t.dir)).toBeUndefined();
    expect(await anonymous.call('users.list', {})).toMatchObject({ ok: false, error: { code: 'UNAVAILABLE', message: expect.stringMatching(/^cannot reach Desktop Agent at http:\/\/127\.0\.0\.1:\d+/) } });
  });
});
