import { userInfo } from 'node:os';
import { afterEach, describe, expect, it } from 'vitest';
import { IPC_EVENTS, IPC_INVOKE, type AgentApi, type EventsMessage } from '../../src-shared/contract/ipc';
import { username as usernameSchema } from '../../src-shared/contract/users';
import { createLogger, MemorySink } from '../../src-main/core/kernel/logger';
import { createIpcAdapter } from '../../src-main/electron/ipc-adapter';
import { createSenderCheck } from '../../src-main/electron/window-policy';
import { createClient } from '@shared/client/agent-client';
import { createIpcTransport } from '../../src-renderer/bridge/ipc-transport';
import { connectStores, createAppStores, type AppStores } from '../../src-renderer/stores/app-stores';
import { isImplicitAppUser } from '../../src-renderer/stores/auth-store';
import { fakeIpcMain, fakeWindow } from '../../test-support/electron-fakes';
import { tempCore, until as poll, type TempCore } from '../../test-support/temp-core';
import { FAST_SCRYPT, addUser, passwordOf } from '../../test-support/users';

/**
 * The desktop app's sign-in without the Electron binary: the renderer's stores, over the renderer's
 * IPC transport, through the real IPC adapter (electron-shaped ipcMain and window) to a real core
 * whose users module gives each window its principal (decision 0009). What the window would show
 * is the auth store's phase.
 */
const running: TempCore[] = [];
afterEach(async () => {
  for (const t of running.splice(0)) await t.cleanup();
});

/** A window of the desktop app on a new core; `install` prepares the installation before the window opens. */
async function desktop(install: (t: TempCore) => Promise<unknown> = async () => {}) {
  const t = await tempCore({ users: { scrypt: FAST_SCRYPT } });
  running.push(t);
  await install(t);
  const { ipcMain, handlers, listeners } = fakeIpcMain();
  let deliver: (m: EventsMessage) => void = () => {};
  const win = fakeWindow(1, undefined, (m) => deliver(m));
  createIpcAdapter({
    ipcMain,
    dispatcher: t.core.dispatcher,
    bus: t.core.bus,
    logger: createLogger({ sinks: [new MemorySink()] }),
    isTrustedSender: createSenderCheck(() => new Set([1])),
    resolvePrincipal: (token) => t.core.users.app.authenticate(token),
    credentialOf: (p) => t.core.users.app.credential(p),
    streams: t.core.streams,
  });
  // What the preload exposes as window.agent, wired to the adapter's channels.
  const agent: AgentApi = {
    invoke: (name, input) => handlers.get(IPC_INVOKE)!(win.event, name, input) as ReturnType<AgentApi['invoke']>,
    subscribe(listener) {
      deliver = listener;
      listeners.get(IPC_EVENTS)!(win.event, { subscribe: true });
      return () => listeners.get(IPC_EVENTS)!(win.event, { subscribe: false });
    },
  };
  const client = createClient(createIpcTransport(agent));
  const stores = createAppStores(client, { languages: ['ja'] });
  connectStores(client, stores);
  return { t, stores };
}

/** Waits until the store says what the window would show. */
async function until(stores: AppStores, check: (s: AppStores) => boolean): Promise<void> {
  await poll('the window state', () => check(stores));
}

describe('the desktop window signing in over IPC', () => {
  it('shows the first-run screen on a new install, and the first Admin is then signed in with the live stream', async () => {
    const { stores, t } = await desktop();
    await until(stores, (s) => s.auth.getState().phase !== 'checking');
    const os = userInfo().username;
    expect(stores.auth.getState()).toMatchObject({ phase: 'first-run', suggestedUsername: usernameSchema.safeParse(os).success ? os : null });

    await stores.auth.getState().firstRun('admin', 'Desktop-Admin-1');
    expect(stores.auth.getState()).toMatchObject({ phase: 'signed-in', me: { username: 'admin', role: 'Admin', via: 'ipc' } });
    // The window has a session of its own, kept in main; the page never held its token.
    expect(stores.auth.getState().me?.session_expires_at).not.toBeNull();
    expect(JSON.stringify(stores.auth.getState())).not.toContain('da_s_');
    await until(stores, (s) => s.connection.getState().state === 'live');
    expect(t.core.users.service.count()).toBe(1);
  });

  it('signs the only user in at once: no login screen, and signing out of a session leads straight back in', async () => {
    const { stores } = await desktop((t) => addUser(t.core, 'yamada', 'Admin'));
    await until(stores, (s) => s.auth.getState().phase !== 'checking');
    expect(stores.auth.getState()).toMatchObject({ phase: 'signed-in', me: { username: 'yamada', via: 'ipc', session_expires_at: null } });
    expect(isImplicitAppUser(stores.auth.getState().me)).toBe(true);

    await stores.auth.getState().logout();
    expect(stores.auth.getState()).toMatchObject({ phase: 'signed-in', me: { username: 'yamada' } });
  });

  it('asks for a sign-in when the app has several users; a wrong password is refused as the core says', async () => {
    const { stores } = await desktop(async (t) => {
      await addUser(t.core, 'yamada', 'Admin');
      await addUser(t.core, 'sato', 'Viewer');
    });
    await until(stores, (s) => s.auth.getState().phase !== 'checking');
    expect(stores.auth.getState().phase).toBe('login');

    await stores.auth.getState().login('sato', 'not-the-password');
    expect(stores.auth.getState()).toMatchObject({ phase: 'login', form: { error: { code: 'UNAUTHENTICATED', message: 'Invalid username or password' } } });
    await stores.auth.getState().login('sato', passwordOf('sato'));
    expect(stores.auth.getState()).toMatchObject({ phase: 'signed-in', me: { username: 'sato', role: 'Viewer' } });
    expect(stores.allowedViews(stores.auth.getState().me!.permissions)).not.toEqual(expect.arrayContaining(['users']));

    // A refused password change keeps the window signed in; a change made ends the session.
    const wrong = await stores.auth.getState().changePassword('nope', 'a-new-password-1');
    expect(wrong.ok).toBe(false);
    await stores.auth.getState().start();
    expect(stores.auth.getState()).toMatchObject({ phase: 'signed-in', me: { username: 'sato' } });
    expect((await stores.auth.getState().changePassword(passwordOf('sato'), 'a-new-password-1')).ok).toBe(true);
    expect(stores.auth.getState()).toMatchObject({ phase: 'login', notice: 'password-changed' });
  });
});
