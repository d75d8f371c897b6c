import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Envelope } from '@shared/contract/errors';
import { permissionsOf, type Role } from '@shared/rbac/roles';
import { createClient, type Transport } from '@shared/client/agent-client';
import { fail, fakeClient, ok } from '../testing/fake-client';
import { connectStores, createAppStores } from './app-stores';
import { auditQuery, createAuditStore, NO_FILTERS } from './audit-store';
import { can, createAuthStore, isImplicitAppUser, type Me } from './auth-store';
import { fieldIssues, retryAfterSeconds, secondsLeft } from './outcome';
import { createSecretsStore, deletable, secretRef, storeLocks, writableBackends, type SecretsStatus } from './secrets-store';
import { createTokensStore, expiresAtOf } from './tokens-store';
import { createUsersStore } from './users-store';
import { viewAllowed, VIEW_READS, type ViewName } from './view-specs';

const me = (username: string, role: Role, extra: Partial<Me> = {}): Me => ({
  id: `usr_${username}`,
  username,
  role,
  permissions: permissionsOf(role),
  via: 'session',
  session_expires_at: '2026-01-01T12:00:00.000Z',
  ...extra,
});
const UNAUTHENTICATED = fail('UNAUTHENTICATED', 'Authentication required');
const settle = () => new Promise((r) => setTimeout(r, 0));

describe('the sign-in state', () => {
  it('is signed in when auth.me answers (the desktop app with one user never sees a login screen)', async () => {
    const { client, names } = fakeClient({ 'auth.me': () => ok(me('taro', 'Admin', { via: 'ipc', session_expires_at: null })) });
    const auth = createAuthStore(client);
    await auth.getState().start();
    expect(auth.getState()).toMatchObject({ phase: 'signed-in', me: { username: 'taro', role: 'Admin' } });
    expect(names()).toEqual(['auth.me']);
    expect(isImplicitAppUser(auth.getState().me)).toBe(true);
  });

  it('shows the first-run screen with the suggested username while no user exists', async () => {
    const { client } = fakeClient({ 'auth.me': () => UNAUTHENTICATED, 'auth.firstRunStatus': () => ok({ required: true, suggested_username: 'yamada' }) });
    const auth = createAuthStore(client);
    await auth.getState().start();
    expect(auth.getState()).toMatchObject({ phase: 'first-run', suggestedUsername: 'yamada' });
  });

  it('shows the sign-in screen once users exist (the first-run status then answers 401 too)', async () => {
    const { client } = fakeClient({ 'auth.me': () => UNAUTHENTICATED, 'auth.firstRunStatus': () => UNAUTHENTICATED });
    const auth = createAuthStore(client);
    await auth.getState().start();
    expect(auth.getState().phase).toBe('login');
  });

  it('says the core cannot be reached rather than asking for a sign-in', async () => {
    const { client } = fakeClient({ 'auth.me': () => fail('UNAVAILABLE', 'Cannot reach the Desktop Agent API: connection refused') });
    const auth = createAuthStore(client);
    await auth.getState().start();
    expect(auth.getState()).toMatchObject({ phase: 'unreachable', error: { code: 'UNAVAILABLE' } });
  });

  it('signs in, asks auth.me, and keeps nothing of the session token', async () => {
    let signedIn = false;
    const { client, calls } = fakeClient({
      'auth.me': () => (signedIn ? ok(me('taro', 'Editor')) : UNAUTHENTICATED),
      'auth.firstRunStatus': () => UNAUTHENTICATED,
      'auth.login': () => {
        signedIn = true;
        return ok({ token: 'da_s_secret-session-token', expires_at: '2026-01-01T12:00:00.000Z', user: { id: 'usr_taro', username: 'taro', role: 'Editor' } });
      },
    });
    const auth = createAuthStore(client);
    await auth.getState().start();
    await auth.getState().login('taro', 'pass-word-1');
    expect(auth.getState()).toMatchObject({ phase: 'signed-in', me: { username: 'taro' }, form: { busy: false } });
    expect(calls.find((c) => c[0] === 'auth.login')![1]).toEqual({ username: 'taro', password: 'pass-word-1' });
    expect(JSON.stringify(auth.getState())).not.toContain('da_s_');
  });

  it('shows a refused sign-in as the core words it', async () => {
    const { client } = fakeClient({ 'auth.me': () => UNAUTHENTICATED, 'auth.firstRunStatus': () => UNAUTHENTICATED, 'auth.login': () => fail('UNAUTHENTICATED', 'Invalid username or password', { reason: 'bad_credentials' }) });
    const auth = createAuthStore(client);
    await auth.getState().start();
    await auth.getState().login('taro', 'wrong');
    expect(auth.getState()).toMatchObject({ phase: 'login', form: { busy: false, error: { message: 'Invalid username or password' } } });
  });

  it('counts down the wait a 429 asks for, from its own clock', async () => {
    let now = 1_000_000;
    const { client } = fakeClient({ 'auth.me': () => UNAUTHENTICATED, 'auth.firstRunStatus': () => UNAUTHENTICATED, 'auth.login': () => fail('RATE_LIMITED', 'Too many failed sign-ins', { retry_after_s: 897, scope: 'user' }) });
    const auth = createAuthStore(client, () => now);
    await auth.getState().start();
    await auth.getState().login('taro', 'x');
    const until = auth.getState().form.retryUntil;
    expect(until).toBe(1_000_000 + 897_000);
    expect(secondsLeft(until, now)).toBe(897);
    now += 96_500;
    expect(secondsLeft(until, now)).toBe(801);
    now += 10_000_000;
    expect(secondsLeft(until, now)).toBe(0);
  });

  it('shows the first-run refusals: 400 problems per field, 403 not from this computer', async () => {
    let answer: Envelope<unknown> = fail('VALIDATION_ERROR', 'Invalid input for auth.firstRun: password: a password has at least 8 characters', {
      issues: [{ path: 'password', message: 'a password has at least 8 characters' }],
    });
    const { client } = fakeClient({ 'auth.me': () => UNAUTHENTICATED, 'auth.firstRunStatus': () => ok({ required: true, suggested_username: null }), 'auth.firstRun': () => answer });
    const auth = createAuthStore(client);
    await auth.getState().start();
    await auth.getState().firstRun('admin', 'short');
    expect(auth.getState()).toMatchObject({ phase: 'first-run', form: { fields: { password: ['a password has at least 8 characters'] } } });

    answer = fail('FORBIDDEN', 'The first Admin can only be created from this computer', { reason: 'not_local' });
    await auth.getState().firstRun('admin', 'long-enough');
    expect(auth.getState()).toMatchObject({ phase: 'first-run', form: { error: { details: { reason: 'not_local' } }, fields: {} } });
  });

  it('answers a 409 first run with the sign-in screen and says why', async () => {
    let users = 0;
    const { client } = fakeClient({
      'auth.me': () => UNAUTHENTICATED,
      'auth.firstRunStatus': () => (users === 0 ? ok({ required: true, suggested_username: null }) : UNAUTHENTICATED),
      'auth.firstRun': () => fail('CONFLICT', 'Desktop Agent is already set up', { reason: 'already_set_up' }),
    });
    const auth = createAuthStore(client);
    await auth.getState().start();
    users = 1;
    await auth.getState().firstRun('admin', 'long-enough');
    await settle();
    expect(auth.getState()).toMatchObject({ phase: 'login', notice: 'already-set-up' });
  });

  it('returns to sign-in after a password change and after signing out, saying why', async () => {
    let session = true;
    const { client } = fakeClient({
      'auth.me': () => (session ? ok(me('taro', 'Viewer')) : UNAUTHENTICATED),
      'auth.firstRunStatus': () => UNAUTHENTICATED,
      'auth.changePassword': (input) => {
        if (input.current_password !== 'old-password') return fail('VALIDATION_ERROR', 'The current password is wrong', { issues: [{ path: 'current_password', message: 'is not your current password' }] });
        session = false;
        return ok({ ok: true, sessions_ended: 2 });
      },
      'auth.logout': () => {
        session = false;
        return ok({ ok: true, ended: true });
      },
    });
    const auth = createAuthStore(client);
    await auth.getState().start();
    const wrong = await auth.getState().changePassword('nope', 'new-password-1');
    expect(wrong.ok ? {} : wrong.fields).toEqual({ current_password: ['is not your current password'] });
    expect(auth.getState().phase).toBe('signed-in');
    expect((await auth.getState().changePassword('old-password', 'new-password-1')).ok).toBe(true);
    expect(auth.getState()).toMatchObject({ phase: 'login', notice: 'password-changed', me: undefined });

    session = true;
    await auth.getState().start();
    await auth.getState().logout();
    expect(auth.getState()).toMatchObject({ phase: 'login', notice: 'signed-out' });
  });

  it('lets only the latest check decide', async () => {
    let release!: () => void;
    const slow = new Promise<void>((r) => (release = r));
    let first = true;
    const transport: Transport = {
      kind: 'http',
      async call(name) {
        if (name !== 'auth.me') return UNAUTHENTICATED;
        if (first) {
          first = false;
          await slow;
          return UNAUTHENTICATED;
        }
        return ok(me('taro', 'Admin'));
      },
      subscribe: () => () => {},
    };
    const auth = createAuthStore(createClient(transport));
    const older = auth.getState().start();
    await auth.getState().start();
    release();
    await older;
    expect(auth.getState().phase).toBe('signed-in');
  });

  it('tells what a role may do from the permissions auth.me lists', () => {
    expect(can(me('v', 'Viewer'), 'read_runs')).toBe(true);
    expect(can(me('v', 'Viewer'), 'manage_users')).toBe(false);
    expect(can(me('a', 'Admin'), 'manage_secrets')).toBe(true);
    expect(can(undefined, 'read_runs')).toBe(false);
    expect(isImplicitAppUser(me('a', 'Admin', { via: 'ipc' }))).toBe(false);
  });
});

describe('the page wiring (connectStores)', () => {
  it('opens the event stream only while someone is signed in, again for another user, and forgets the data at sign-out', async () => {
    let who: Me | undefined = me('admin', 'Admin');
    const { client, subscriptions } = fakeClient({
      'auth.me': () => (who ? ok(who) : UNAUTHENTICATED),
      'auth.firstRunStatus': () => UNAUTHENTICATED,
      'auth.logout': () => ok({ ok: true, ended: true }),
      'auth.login': () => ok({ token: 't', expires_at: '2026-01-01T00:00:00.000Z', user: { id: 'usr_viewer', username: 'viewer', role: 'Viewer' } }),
      'users.list': () => ok({ items: [{ id: 'usr_admin', username: 'admin', role: 'Admin', active: true, created_at: '2026-01-01T00:00:00.000Z', updated_at: '2026-01-01T00:00:00.000Z', last_login_at: null }] }),
    });
    const stores = createAppStores(client, { languages: ['ja'] });
    const stop = connectStores(client, stores);
    await settle();
    expect(stores.auth.getState().phase).toBe('signed-in');
    expect(subscriptions.map((s) => s.closed)).toEqual([false]);
    await stores.users.getState().load();
    expect(stores.users.getState().items).toHaveLength(1);

    who = undefined;
    await stores.auth.getState().logout();
    expect(subscriptions.map((s) => s.closed)).toEqual([true]);
    expect(stores.users.getState()).toMatchObject({ status: 'loading', items: [] });

    who = me('viewer', 'Viewer');
    await stores.auth.getState().login('viewer', 'pw-pw-pw-pw');
    expect(subscriptions.map((s) => s.closed)).toEqual([true, false]);
    expect(stores.allowedViews(stores.auth.getState().me!.permissions)).not.toContain('users');
    stop();
    expect(subscriptions.map((s) => s.closed)).toEqual([true, true]);
  });

  it('brings the sign-in screen back when a call is answered 401 (the session ended elsewhere)', async () => {
    let valid = true;
    const { client } = fakeClient({
      'auth.me': () => (valid ? ok(me('admin', 'Admin')) : UNAUTHENTICATED),
      'auth.firstRunStatus': () => UNAUTHENTICATED,
      'secrets.list': () => UNAUTHENTICATED,
      'secrets.status': () => UNAUTHENTICATED,
    });
    const stores = createAppStores(client, { languages: ['en'] });
    connectStores(client, stores);
    await settle();
    valid = false;
    await stores.secrets.getState().load();
    await settle();
    expect(stores.auth.getState()).toMatchObject({ phase: 'login', notice: 'session-ended' });
  });
});

describe('the navigation, from the permissions the contract declares', () => {
  const { client } = fakeClient({});
  const allowed = (role: Role) => (Object.keys(VIEW_READS) as ViewName[]).filter((v) => viewAllowed(v, client, permissionsOf(role)));

  it('hides Users, Audit and Secrets from roles the server refuses them to', () => {
    for (const role of ['Viewer', 'Runner', 'Editor'] as const) {
      expect(allowed(role), role).not.toContain('users');
      expect(allowed(role), role).not.toContain('audit');
      expect(allowed(role), role).not.toContain('secrets');
      expect(allowed(role), role).toContain('dashboard');
      expect(allowed(role), role).toContain('account');
    }
    expect(allowed('Admin')).toEqual(Object.keys(VIEW_READS));
  });

  it('keeps a view this version lacks (it says "not available") and drops one it has but the role may not read', () => {
    const fake = { find: (_m: string, path: string) => (path === '/api/admin/users' ? ('users.list' as const) : undefined) };
    expect(viewAllowed('runs', fake, [])).toBe(true);
    expect(viewAllowed('users', fake, [])).toBe(false);
    expect(viewAllowed('users', fake, ['manage_users'])).toBe(true);
  });
});

describe('answers read into forms', () => {
  it('groups 400 problems by field', () => {
    const error = { code: 'VALIDATION_ERROR', message: 'x', details: { issues: [{ path: 'password', message: 'too short' }, { path: 'password', message: 'no' }, { path: '(root)', message: 'give one' }, { message: 7 }] } };
    expect(fieldIssues(error)).toEqual({ password: ['too short', 'no'], '(root)': ['give one'] });
    expect(fieldIssues({ code: 'CONFLICT', message: 'x' })).toEqual({});
    expect(fieldIssues(undefined)).toEqual({});
  });

  it('reads the wait of a 429', () => {
    expect(retryAfterSeconds({ code: 'RATE_LIMITED', message: '', details: { retry_after_s: 12.2 } })).toBe(13);
    expect(retryAfterSeconds({ code: 'RATE_LIMITED', message: '', details: { retry_after_s: '12' } })).toBeUndefined();
    expect(retryAfterSeconds({ code: 'RATE_LIMITED', message: '' })).toBeUndefined();
    expect(secondsLeft(undefined, 5)).toBe(0);
  });
});

describe('Users & Roles', () => {
  const user = (username: string, role: Role, active = true) => ({ id: `usr_${username}`, username, role, active, created_at: '2026-01-01T00:00:00.000Z', updated_at: '2026-01-01T00:00:00.000Z', last_login_at: null });

  it('reads the list again after a change, and tells whose account changed', async () => {
    let items = [user('admin', 'Admin'), user('hanako', 'Viewer')];
    const { client, names } = fakeClient({
      'users.list': () => ok({ items }),
      'users.update': (input) => {
        items = items.map((u) => (u.id === input.id ? { ...u, role: input.role as Role } : u));
        return ok(items.find((u) => u.id === input.id));
      },
    });
    const changed: string[] = [];
    const store = createUsersStore(client, (id) => changed.push(id));
    await store.getState().load();
    const r = await store.getState().update('usr_hanako', { role: 'Editor' });
    expect(r.ok).toBe(true);
    expect(names()).toEqual(['users.list', 'users.update', 'users.list']);
    expect(store.getState().items.find((u) => u.username === 'hanako')?.role).toBe('Editor');
    expect(changed).toEqual(['usr_hanako']);
  });

  it("keeps the 409 for the last active Admin to show it, and changes nothing", async () => {
    const message = "Cannot disable 'admin': 'admin' is the last active Admin. Make another user an active Admin first.";
    const { client, names } = fakeClient({ 'users.list': () => ok({ items: [user('admin', 'Admin')] }), 'users.update': () => fail('CONFLICT', message, { reason: 'last_admin' }) });
    const store = createUsersStore(client);
    await store.getState().load();
    const r = await store.getState().update('usr_admin', { active: false });
    expect(r.ok).toBe(false);
    expect(store.getState()).toMatchObject({ busyId: undefined, actionError: { userId: 'usr_admin', error: { code: 'CONFLICT', message } } });
    expect(names()).toEqual(['users.list', 'users.update']);
    store.getState().actionErrorDismissed();
    expect(store.getState().actionError).toBeUndefined();
  });

  it('says the permission is missing when the core refuses the list', async () => {
    const { client } = fakeClient({ 'users.list': () => fail('FORBIDDEN', "Permission 'manage_users' required", { permission: 'manage_users' }) });
    const store = createUsersStore(client);
    await store.getState().load();
    expect(store.getState()).toMatchObject({ status: 'forbidden', items: [] });
  });
});

describe('API tokens', () => {
  it('shows a new token once: kept for the dialog, dropped when it closes, never in the list', async () => {
    const listed: { id: string; name: string; created_at: string; last_used_at: null; expires_at: string | null }[] = [];
    const { client, calls } = fakeClient({
      'users.listTokens': () => ok({ items: listed }),
      'users.createToken': (input) => {
        listed.push({ id: 'tok_1', name: input.name as string, created_at: '2026-01-01T00:00:00.000Z', last_used_at: null, expires_at: (input.expires_at as string) ?? null });
        return ok({ id: 'tok_1', name: input.name, token: 'da_t_plain-token', created_at: '2026-01-01T00:00:00.000Z', expires_at: null });
      },
      'users.revokeToken': () => {
        listed.pop();
        return ok({ revoked: true, id: 'tok_1' });
      },
    });
    const store = createTokensStore(client);
    await store.getState().create('usr_me', 'me', 'backup script');
    expect(calls[0]).toEqual(['users.createToken', { id: 'usr_me', name: 'backup script' }]);
    expect(store.getState().revealed).toMatchObject({ userId: 'usr_me', username: 'me', token: { token: 'da_t_plain-token' } });
    expect(JSON.stringify(store.getState().byUser)).not.toContain('da_t_');
    store.getState().revealDismissed();
    expect(JSON.stringify(store.getState())).not.toContain('da_t_');
    await store.getState().revoke('usr_me', 'tok_1');
    expect(store.getState().byUser.usr_me).toMatchObject({ status: 'ready', items: [] });
  });

  it('turns an expiry choice into expires_at', () => {
    const now = Date.UTC(2026, 0, 15, 9, 0, 0);
    expect(expiresAtOf({ kind: 'never' }, now)).toEqual({ ok: true });
    expect(expiresAtOf({ kind: 'days', days: 30 }, now)).toEqual({ ok: true, value: '2026-02-14T09:00:00.000Z' });
    const day = expiresAtOf({ kind: 'date', date: '2026-03-01' }, now);
    // The end of that day in the local zone.
    expect(day.ok && new Date(day.value!).getTime()).toBe(new Date(2026, 2, 2).getTime() - 1000);
    expect(expiresAtOf({ kind: 'date', date: '2026-01-01' }, now)).toEqual({ ok: false, problem: 'date-past' });
    expect(expiresAtOf({ kind: 'date', date: '' }, now)).toEqual({ ok: false, problem: 'date-invalid' });
  });
});

describe('the audit log', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  const entry = (id: number, action = 'auth.login') => ({ id, time: '2026-01-01T00:00:00.000Z', user: 'admin', action, permission: null, resource: null, result: 'ok', source: '127.0.0.1', details: null });

  it('builds the audit.list input from the filters, leaving out what is empty', () => {
    expect(auditQuery(NO_FILTERS)).toEqual({ limit: 200 });
    expect(auditQuery({ action: ' auth. ', user: 'hanako', result: 'denied', since: '24h', date: '' }, 50, '812')).toEqual({ limit: 50, action: 'auth.', user: 'hanako', result: 'denied', since: '24h', cursor: '812' });
    // A day means its local midnight, sent in UTC.
    expect(auditQuery({ ...NO_FILTERS, since: 'date', date: '2026-03-01' }).since).toBe(new Date(2026, 2, 1).toISOString());
    expect(auditQuery({ ...NO_FILTERS, since: 'date', date: '' }).since).toBeUndefined();
  });

  it('reads a page, appends the next with next_cursor, and starts over when the filters change', async () => {
    const { client, calls } = fakeClient({
      'audit.list': (input) => {
        if (input.cursor === '3') return ok({ items: [entry(2), entry(1)], next_cursor: null });
        if (input.action === 'users.') return ok({ items: [entry(9, 'users.create')], next_cursor: null });
        return ok({ items: [entry(5), entry(4), entry(3)], next_cursor: '3' });
      },
    });
    const store = createAuditStore(client);
    await store.getState().load();
    expect(store.getState()).toMatchObject({ status: 'ready', nextCursor: '3' });
    await store.getState().loadMore();
    expect(store.getState().items.map((e) => e.id)).toEqual([5, 4, 3, 2, 1]);
    expect(store.getState().nextCursor).toBeNull();

    store.getState().filtersChanged({ action: 'u' });
    store.getState().filtersChanged({ action: 'users' });
    store.getState().filtersChanged({ action: 'users.' });
    await vi.advanceTimersByTimeAsync(300);
    // Typing is one read, with the last text.
    expect(calls.filter((c) => c[0] === 'audit.list').map((c) => c[1].action)).toEqual([undefined, undefined, 'users.']);
    expect(store.getState().items.map((e) => e.action)).toEqual(['users.create']);
  });

  it('drops a "load more" that answers after the filters changed', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const transport: Transport = {
      kind: 'http',
      async call(_name, input) {
        const q = input as { cursor?: string; result?: string };
        if (q.cursor) {
          await gate;
          return ok({ items: [entry(1)], next_cursor: null });
        }
        return ok({ items: q.result ? [entry(7)] : [entry(3), entry(2)], next_cursor: q.result ? null : '2' });
      },
      subscribe: () => () => {},
    };
    const store = createAuditStore(createClient(transport));
    await store.getState().load();
    const more = store.getState().loadMore();
    store.getState().filtersChanged({ result: 'denied' });
    await vi.advanceTimersByTimeAsync(300);
    release();
    await more;
    expect(store.getState().items.map((e) => e.id)).toEqual([7]);
  });
});

describe('secrets', () => {
  const status: SecretsStatus = {
    order: ['keychain', 'env', 'file'],
    backends: [
      { name: 'keychain', available: false, writable: false, reason: 'no D-Bus session', lock: 'keychain_unreachable', lookups_24h: 0, hits_24h: 0, misses_24h: 0, errors_24h: 0 },
      { name: 'env', available: true, writable: false, reason: null, lock: null, lookups_24h: 1, hits_24h: 1, misses_24h: 0, errors_24h: 0 },
      { name: 'file', available: true, writable: true, reason: null, lock: null, lookups_24h: 2, hits_24h: 0, misses_24h: 2, errors_24h: 0 },
    ],
    lookups_24h: 3,
    hits_24h: 1,
    misses_24h: 2,
  };

  it('offers no store when every writable backend is locked, and names the locks', () => {
    expect(storeLocks(status)).toEqual([]);
    const locked: SecretsStatus = { ...status, backends: status.backends.map((b) => (b.name === 'file' ? { ...b, available: false, writable: false, lock: 'file_passphrase_needed' as const } : b)) };
    expect(storeLocks(locked)).toEqual(['keychain_unreachable', 'file_passphrase_needed']);
  });

  it('stores through secrets.set or secrets.setInService and keeps no value', async () => {
    const stored = { key: 'api_key', service: null, backend: 'file', updated_at: '2026-01-01T00:00:00.000Z', shadowed_by: null };
    const { client, calls } = fakeClient({
      'secrets.set': () => ok(stored),
      'secrets.setInService': () => ok({ ...stored, service: 'external_api' }),
      'secrets.list': () => ok({ items: [] }),
      'secrets.status': () => ok(status),
    });
    const store = createSecretsStore(client);
    await store.getState().store({ key: 'api_key', service: '', value: 'canary-value-1', backend: 'file' });
    await store.getState().store({ key: 'api_key', service: 'external_api', value: 'canary-value-2' });
    expect(calls.filter((c) => c[0].startsWith('secrets.set'))).toEqual([
      ['secrets.set', { key: 'api_key', value: 'canary-value-1', backend: 'file' }],
      ['secrets.setInService', { key: 'api_key', value: 'canary-value-2', service: 'external_api' }],
    ]);
    expect(JSON.stringify(store.getState())).not.toContain('canary-value');
  });

  it('offers only writable, available backends, and deletes only from writable ones', () => {
    expect(writableBackends(status)).toEqual(['file']);
    expect(writableBackends(undefined)).toEqual([]);
    const item = (backend: string) => ({ key: 'k', service: null, backend, updated_at: null, created_at: null, shadowed_by: null });
    expect(deletable(item('file'), status)).toBe(true);
    expect(deletable(item('env'), status)).toBe(false);
    expect(secretRef({ key: 'api_key', service: null })).toBe('secrets://api_key');
    expect(secretRef({ key: 'api_key', service: 'external_api' })).toBe('secrets://external_api/api_key');
  });
});
