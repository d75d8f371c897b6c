import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { CONTRACT, PROCEDURES } from '@shared/contract';
import { IPC_EVENTS, IPC_INVOKE } from '@shared/contract/ipc';
import { defineProcedure } from '@shared/contract/procedure';
import type { Authentication } from '../core/kernel/authenticator';
import { createDispatcher } from '../core/api/dispatcher';
import { ANONYMOUS } from '../core/kernel/principal';
import { EventStreams } from '../core/api/event-streams';
import { FakeClock } from '../core/kernel/clock';
import { EventBus } from '../core/kernel/event-bus';
import { AppError } from '../core/kernel/errors';
import { MemorySink, createLogger } from '../core/kernel/logger';
import type { AuditInput } from '../core/security/audit/audit-log';
import { Redactor } from '../core/security/redaction';
import { createIpcAdapter } from './ipc-adapter';
import { fakeIpcMain, fakeWindow } from '../../test-support/electron-fakes';
import { createSenderCheck } from './window-policy';

/** Procedures shaped like SPEC section 12's auth endpoints (the users module brings the real ones). */
const authProcedures = [
  defineProcedure({
    name: 'auth.login',
    summary: 'sign in',
    access: 'public',
    kind: 'mutation',
    input: z.strictObject({ username: z.string(), password: z.string() }),
    output: z.object({ token: z.string(), expires_at: z.string(), user: z.object({ id: z.string(), username: z.string(), role: z.string() }) }),
    http: { method: 'POST', path: '/api/auth/login' },
    session: 'issue',
  }),
  defineProcedure({
    name: 'auth.logout',
    summary: 'sign out',
    access: 'public',
    kind: 'mutation',
    input: z.strictObject({}),
    output: z.object({ ok: z.literal(true), ended: z.boolean() }),
    http: { method: 'POST', path: '/api/auth/logout' },
    session: 'end',
  }),
  defineProcedure({
    name: 'things.boom',
    summary: 'a handler that crashes',
    access: 'public',
    kind: 'query',
    input: z.object({}),
    output: z.object({}),
    http: { method: 'GET', path: '/things/boom' },
  }),
];

const flush = () => new Promise((r) => setTimeout(r, 0));

function setup() {
  const audit: AuditInput[] = [];
  const logs = new MemorySink();
  const logger = createLogger({ sinks: [logs] });
  const tokens = new Map([['tok-alice', { id: 'u1', username: 'alice', role: 'Viewer' as const }]]);
  const sessionsSeen: (string | undefined)[] = [];
  const procedures = [...PROCEDURES.filter((p) => !authProcedures.some((a) => a.name === p.name)), ...authProcedures];
  // Procedures this test does not exercise answer through the gate with a plain refusal.
  const unused = Object.fromEntries(
    procedures.map((p) => [p.name, () => {
      throw new AppError('UNAVAILABLE', `${p.name} is not part of the IPC adapter test`);
    }]),
  );
  const dispatcher = createDispatcher({
    procedures,
    handlers: {
      ...unused,
      'system.health': () => ({ status: 'ok', version: 't' }),
      'system.status': () => ({ version: 't', data_dir: '/d', config_dir: '/c', started_at: '2026-01-01T00:00:00.000Z', config_problems: [] }),
      'system.openapi': () => ({ contentType: 'application/json', body: '{}' }),
      'system.docs': () => ({ contentType: 'text/html', body: '' }),
      'events.subscribe': () => ({}),
      'templates.validate': () => ({ valid: true, errors: [], warnings: [] }),
      'auth.login': ({ username, password }: { username: string; password: string }) => {
        if (username !== 'alice' || password !== 'pw') throw new AppError('UNAUTHENTICATED', 'Wrong username or password');
        return { token: 'tok-alice', expires_at: '2026-01-02T00:00:00.000Z', user: { id: 'u1', username: 'alice', role: 'Viewer' } };
      },
      'auth.logout': () => ({ ok: true, ended: true }),
      'things.boom': () => {
        throw new Error('kaboom');
      },
    },
    audit: { record: (e) => void audit.push(e) },
    logger,
    redactor: new Redactor(),
  });
  const bus = new EventBus(() => Date.parse('2026-01-01T00:00:00Z'));
  const windowIds = new Set<number>([1, 2]);
  const { ipcMain, handlers, listeners } = fakeIpcMain();
  const clock = new FakeClock();
  const streams = new EventStreams({ clock, logger, pollMs: 0 });
  const adapter = createIpcAdapter({
    ipcMain,
    dispatcher,
    bus,
    logger,
    streams,
    // A window's stream holds while its session (the fake token table) still names that user and role.
    credentialOf: (p) => ({ holds: () => [...tokens.values()].some((u) => u.id === p.id && u.role === p.role) }),
    isTrustedSender: createSenderCheck(() => windowIds),
    resolvePrincipal: async (token): Promise<Authentication> => {
      sessionsSeen.push(token);
      if (!token) return { principal: ANONYMOUS };
      const user = tokens.get(token);
      return user ? { principal: { kind: 'user', ...user, via: 'ipc', sessionId: 's1' } } : { principal: ANONYMOUS, failure: new AppError('UNAUTHENTICATED', 'Session expired') };
    },
  });
  const invoke = (w: ReturnType<typeof fakeWindow>, name: unknown, input?: unknown) => handlers.get(IPC_INVOKE)!(w.event, name, input) as Promise<unknown>;
  const events = (w: ReturnType<typeof fakeWindow>, request: unknown) => listeners.get(IPC_EVENTS)!(w.event, request);
  return { adapter, bus, invoke, events, audit, logs, tokens, sessionsSeen, handlers, listeners, streams, windowIds };
}

describe('the IPC adapter', () => {
  it('answers a public procedure through the dispatcher', async () => {
    const { invoke } = setup();
    expect(await invoke(fakeWindow(1), 'system.health', {})).toEqual({ ok: true, data: { status: 'ok', version: 't' } });
  });

  it('answers an unknown procedure, a bad name and malformed input with an envelope, never a throw', async () => {
    const { invoke } = setup();
    const w = fakeWindow(1);
    expect(await invoke(w, 'nope.nothing', {})).toEqual({ ok: false, error: { code: 'UNKNOWN_PROCEDURE', message: "Unknown procedure 'nope.nothing'", details: { procedure: 'nope.nothing' } } });
    for (const bad of [undefined, 42, '', { name: 'system.health' }, 'x'.repeat(201)]) {
      expect(await invoke(w, bad, {})).toEqual({ ok: false, error: { code: 'VALIDATION_ERROR', message: 'The procedure name must be a non-empty string' } });
    }
    const r = (await invoke(w, 'auth.login', { username: 'alice', password: 7, extra: true })) as { ok: false; error: { code: string; details: { issues: { path: string }[] } } };
    expect(r.ok).toBe(false);
    expect(r.error.code).toBe('VALIDATION_ERROR');
    expect(r.error.details.issues.map((i) => i.path).sort()).toEqual(['(root)', 'password']);
    expect(await invoke(w, 'auth.login', 'not an object')).toMatchObject({ ok: false, error: { code: 'VALIDATION_ERROR' } });
  });

  it('turns a crashing handler into an INTERNAL envelope', async () => {
    const { invoke } = setup();
    const r = (await invoke(fakeWindow(1), 'things.boom', {})) as { ok: false; error: { code: string; message: string; details: { errorId: string } } };
    expect(r.error).toEqual({ code: 'INTERNAL', message: expect.stringMatching(/^Internal error in things\.boom \(error id [0-9a-f]{8}; the log has the details\)$/), details: { errorId: expect.any(String) } });
    expect(r.error.message).toContain(r.error.details.errorId);
    expect(JSON.stringify(r)).not.toContain('kaboom');
  });

  it('refuses a subframe, a foreign page and a webContents that is not our window', async () => {
    const { invoke, logs } = setup();
    const sub = fakeWindow(1);
    sub.frame.parent = {};
    const foreign = fakeWindow(1, 'https://evil.example/');
    const stranger = fakeWindow(99);
    for (const w of [sub, foreign, stranger]) {
      expect(await invoke(w, 'system.health', {})).toEqual({ ok: false, error: { code: 'FORBIDDEN', message: 'IPC is accepted from the app window only' } });
    }
    expect(logs.records().filter((r) => r.msg === 'Refused IPC from a frame that is not the app window')).toHaveLength(3);
  });

  it('runs a protected procedure as anonymous until the window signs in: 401', async () => {
    const { invoke } = setup();
    expect(await invoke(fakeWindow(1), 'system.status', {})).toMatchObject({ ok: false, error: { code: 'UNAUTHENTICATED' } });
  });

  it('keeps the session token of a sign-in in main, per window, and never returns it to the page', async () => {
    const { invoke, sessionsSeen } = setup();
    const a = fakeWindow(1);
    const b = fakeWindow(2);
    const login = await invoke(a, 'auth.login', { username: 'alice', password: 'pw' });
    expect(login).toEqual({ ok: true, data: { expires_at: '2026-01-02T00:00:00.000Z', user: { id: 'u1', username: 'alice', role: 'Viewer' } } });
    expect(JSON.stringify(login)).not.toContain('tok-alice');

    expect(await invoke(a, 'system.status', {})).toMatchObject({ ok: true, data: { version: 't' } });
    expect(sessionsSeen.at(-1)).toBe('tok-alice');
    // The other window has no session.
    expect(await invoke(b, 'system.status', {})).toMatchObject({ ok: false, error: { code: 'UNAUTHENTICATED' } });
    expect(sessionsSeen.at(-1)).toBeUndefined();
  });

  it('keeps no token from a refused sign-in', async () => {
    const { invoke } = setup();
    const a = fakeWindow(1);
    expect(await invoke(a, 'auth.login', { username: 'alice', password: 'wrong' })).toEqual({ ok: false, error: { code: 'UNAUTHENTICATED', message: 'Wrong username or password' } });
    expect(await invoke(a, 'system.status', {})).toMatchObject({ ok: false, error: { code: 'UNAUTHENTICATED' } });
  });

  it('drops the token on sign-out and when the window is destroyed', async () => {
    const { invoke, sessionsSeen } = setup();
    const a = fakeWindow(1);
    await invoke(a, 'auth.login', { username: 'alice', password: 'pw' });
    expect(await invoke(a, 'auth.logout', {})).toEqual({ ok: true, data: { ok: true, ended: true } });
    // The sign-out itself ran as the window's user (so the core can end that session).
    expect(sessionsSeen.at(-1)).toBe('tok-alice');
    expect(await invoke(a, 'system.status', {})).toMatchObject({ ok: false, error: { code: 'UNAUTHENTICATED' } });

    await invoke(a, 'auth.login', { username: 'alice', password: 'pw' });
    a.destroy();
    const again = fakeWindow(1);
    await invoke(again, 'system.status', {});
    expect(sessionsSeen.at(-1)).toBeUndefined();
  });

  it('passes an expired session on as the refusal the users module gave', async () => {
    const { invoke, tokens } = setup();
    const a = fakeWindow(1);
    await invoke(a, 'auth.login', { username: 'alice', password: 'pw' });
    tokens.delete('tok-alice');
    expect(await invoke(a, 'system.status', {})).toEqual({ ok: false, error: { code: 'UNAUTHENTICATED', message: 'Session expired' } });
  });

  it('forwards events only to subscribed windows the dispatcher allowed, and says why not', async () => {
    const { invoke, events, bus, adapter } = setup();
    const a = fakeWindow(1);
    events(a, { subscribe: true });
    await flush();
    expect(a.sent).toEqual([{ kind: 'status', live: false, error: expect.objectContaining({ code: 'UNAUTHENTICATED' }) }]);
    bus.publish('queue.paused', { queue: 'default', by: null });
    expect(a.sent).toHaveLength(1);

    // Signing in re-decides the subscription: Viewer holds read_runs.
    await invoke(a, 'auth.login', { username: 'alice', password: 'pw' });
    await flush();
    expect(a.sent.at(-1)).toEqual({ kind: 'status', live: true });
    expect(adapter.liveWindows()).toEqual([1]);
    const e = bus.publish('run.queued', { runId: 'r1', template: 'daily' });
    expect(a.sent.at(-1)).toEqual({ kind: 'event', event: e });

    await invoke(a, 'auth.logout', {});
    await flush();
    expect(a.sent.at(-1)).toMatchObject({ kind: 'status', live: false });
    const count = a.sent.length;
    bus.publish('run.queued', { runId: 'r2' });
    expect(a.sent).toHaveLength(count);
  });

  it('stops forwarding on unsubscribe, to destroyed windows, and ignores untrusted subscriptions', async () => {
    const { invoke, events, bus, adapter } = setup();
    const a = fakeWindow(1);
    const b = fakeWindow(2);
    const stranger = fakeWindow(7);
    for (const w of [a, b]) {
      await invoke(w, 'auth.login', { username: 'alice', password: 'pw' });
      events(w, { subscribe: true });
    }
    events(stranger, { subscribe: true });
    events(a, 'garbage');
    events(a, null);
    await flush();
    expect(adapter.liveWindows().sort()).toEqual([1, 2]);
    expect(stranger.sent).toEqual([]);

    events(a, { subscribe: false });
    b.destroy();
    bus.publish('run.queued', { runId: 'r3' });
    expect(a.sent.filter((m) => m.kind === 'event')).toEqual([]);
    expect(b.sent.filter((m) => m.kind === 'event')).toEqual([]);
    expect(adapter.liveWindows()).toEqual([]);
  });

  it('ends a window\'s live events when its credential stops holding (signed out elsewhere, another role), and re-decides', async () => {
    const { invoke, events, bus, adapter, tokens, streams, audit } = setup();
    const a = fakeWindow(1);
    await invoke(a, 'auth.login', { username: 'alice', password: 'pw' });
    events(a, { subscribe: true });
    await flush();
    expect(adapter.liveWindows()).toEqual([1]);
    expect(streams.count('u1')).toBe(1);

    // Another role: the stream ends at once and is decided again for the principal as it is now.
    tokens.set('tok-alice', { id: 'u1', username: 'alice', role: 'Runner' as 'Viewer' });
    streams.recheck();
    expect(adapter.liveWindows()).toEqual([]);
    bus.publish('run.queued', { runId: 'r-between' });
    expect(a.sent.filter((m) => m.kind === 'event')).toEqual([]);
    await flush();
    expect(a.sent.at(-1)).toEqual({ kind: 'status', live: true });

    // The session ended somewhere else: the window stops receiving and is told why.
    tokens.delete('tok-alice');
    streams.recheck();
    await flush();
    expect(adapter.liveWindows()).toEqual([]);
    expect(a.sent.at(-1)).toEqual({ kind: 'status', live: false, error: { code: 'UNAUTHENTICATED', message: 'Session expired' } });
    bus.publish('run.queued', { runId: 'r-after' });
    expect(a.sent.filter((m) => m.kind === 'event')).toEqual([]);
    expect(streams.count()).toBe(0);
    // A granted row when the principal starts streaming (as a Viewer, then as a Runner), not per decision.
    expect(audit.filter((e) => e.action === 'events.subscribe' && e.result === 'granted')).toHaveLength(2);
  });

  it('counts windows toward the per-principal cap: the oldest window stops receiving', async () => {
    const { invoke, events, adapter, streams, windowIds } = setup();
    const windows = Array.from({ length: 9 }, (_, i) => fakeWindow(10 + i));
    for (const w of windows) {
      windowIds.add(w.id);
      await invoke(w, 'auth.login', { username: 'alice', password: 'pw' });
      events(w, { subscribe: true });
      await flush();
    }
    expect(streams.count('u1')).toBe(8);
    expect(adapter.liveWindows()).toEqual(windows.slice(1).map((w) => w.id));
    expect(windows[0]!.sent.at(-1)).toMatchObject({ kind: 'status', live: false, error: { code: 'RATE_LIMITED' } });
  });

  it('removes its channels on close', () => {
    const { adapter, handlers, listeners } = setup();
    expect([...handlers.keys(), ...listeners.keys()]).toEqual([IPC_INVOKE, IPC_EVENTS]);
    adapter.close();
    expect(handlers.size + listeners.size).toBe(0);
  });

  it('covers every procedure of the contract (the page reaches all of them, through the gate)', async () => {
    const { invoke } = setup();
    for (const name of Object.keys(CONTRACT)) {
      const r = (await invoke(fakeWindow(1), name, {})) as { ok: boolean; error?: { code: string } };
      expect(r.ok || r.error!.code !== 'UNKNOWN_PROCEDURE', name).toBe(true);
    }
  });
});
