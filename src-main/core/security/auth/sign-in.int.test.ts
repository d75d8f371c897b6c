import { afterEach, describe, expect, it } from 'vitest';
import type { Envelope } from '@shared/contract/errors';
import { tempCore, type TempCore } from '../../../../test-support/temp-core';
import { FAST_SCRYPT, addUser, basic, bearer, call, httpContext, passwordOf } from '../../../../test-support/users';
import type { CallContext } from '../../kernel/principal';
import type { UsersModuleOptions } from './users-module';

const MIN = 60_000;
let t: TempCore;
afterEach(async () => t?.cleanup());

const start = async (users: UsersModuleOptions = {}) => {
  t = await tempCore({ fakeClock: true, users: { scrypt: FAST_SCRYPT, ...users } });
  return t.core;
};
const anon = (ip = '127.0.0.1'): CallContext => ({ principal: { kind: 'anonymous' }, source: ip });
const login = (username: string, password: string, ip = '127.0.0.1') => call(t.core, 'auth.login', { username, password }, anon(ip));
const code = (r: Envelope<unknown>) => (r.ok ? 'OK' : r.error.code);
const details = (r: Envelope<unknown>) => (r.ok ? undefined : (r.error.details as Record<string, unknown>));

describe('sign-in back-off (five failures for one user within 15 minutes → 429)', () => {
  it('refuses the sixth attempt even with the right password, says when to retry, and lets the user in once the window has passed', async () => {
    await start();
    await addUser(t.core, 'alice', 'Editor');
    for (let i = 0; i < 5; i++) {
      expect(code(await login('alice', 'wrong-password'))).toBe('UNAUTHENTICATED');
      t.clock!.advance(MIN);
    }
    // 5 minutes after the first failure: 10 minutes to go before it leaves the window.
    const refused = await login('alice', passwordOf('alice'));
    expect(code(refused)).toBe('RATE_LIMITED');
    expect(details(refused)).toEqual({ retry_after_s: 600, scope: 'user' });
    expect(!refused.ok && refused.error.message).toBe("Too many failed sign-ins for 'alice'; try again in 600 s");

    // Attempts while refused are not checked and do not extend the back-off.
    t.clock!.advance(9 * MIN);
    expect(code(await login('alice', 'wrong-again'))).toBe('RATE_LIMITED');
    t.clock!.advance(MIN);
    const ok = await login('alice', passwordOf('alice'));
    expect(code(ok)).toBe('OK');
    // A good sign-in clears the user's failures: a new typo is just a 401.
    expect(code(await login('alice', 'typo-typo'))).toBe('UNAUTHENTICATED');
  });

  it('counts failures per username whether or not the user exists, and also locks HTTP Basic', async () => {
    await start();
    await addUser(t.core, 'bob', 'Viewer');
    for (let i = 0; i < 5; i++) expect(code(await login('ghost', 'nope-nope'))).toBe('UNAUTHENTICATED');
    expect(code(await login('ghost', 'nope-nope'))).toBe('RATE_LIMITED');
    for (let i = 0; i < 5; i++) expect((await httpContext(t.core, { authorization: basic('bob', 'bad-password') })).authFailure?.code).toBe('UNAUTHENTICATED');
    const ctx = await httpContext(t.core, { authorization: basic('bob') });
    expect(ctx.principal.kind).toBe('anonymous');
    expect(ctx.authFailure?.code).toBe('RATE_LIMITED');
    // The gate answers with the back-off, which HTTP turns into 429 + Retry-After.
    const r = await call(t.core, 'users.list', {}, ctx);
    expect(code(r)).toBe('RATE_LIMITED');
    expect(details(r)?.retry_after_s).toBe(900);
  });

  it('answers a source that fails for many usernames (password spraying) with 429, but lets a right password in', async () => {
    await start();
    await addUser(t.core, 'carol', 'Runner');
    for (let i = 0; i < 20; i++) expect(code(await login(`user${i}`, 'Summer2026!', '10.0.0.9'))).toBe('UNAUTHENTICATED');
    const r = await login(`user20`, 'Summer2026!', '10.0.0.9');
    expect(code(r)).toBe('RATE_LIMITED');
    expect(details(r)?.scope).toBe('source');
    expect(code(await login('carol', 'Summer2026!', '10.0.0.9'))).toBe('RATE_LIMITED');
    expect(code(await login('user21', 'Summer2026!', '10.0.0.10'))).toBe('UNAUTHENTICATED');
    // Failures under other names never lock out a right password (issue 21 item 4).
    expect(code(await login('carol', passwordOf('carol'), '10.0.0.9'))).toBe('OK');
    t.clock!.advance(15 * MIN + 1);
    expect(code(await login('user22', 'Summer2026!', '10.0.0.9'))).toBe('UNAUTHENTICATED');
  });

  it('audits every sign-in: failures with the attempted name and reason, back-offs, successes', async () => {
    await start();
    await addUser(t.core, 'dave', 'Viewer');
    await login('dave', 'wrong-password', '10.1.1.1');
    await login('dave', passwordOf('dave'), '10.1.1.1');
    await addUser(t.core, 'erin', 'Viewer', { active: false });
    await login('erin', passwordOf('erin'), '10.1.1.1');
    const entries = t.core.audit.query({ action: 'auth.login' }).reverse();
    expect(entries.map((e) => [e.user, e.result, e.source, e.details?.reason ?? e.details?.method])).toEqual([
      ['dave', 'denied', '10.1.1.1', 'bad_credentials'],
      ['dave', 'ok', '10.1.1.1', 'login'],
      ['erin', 'denied', '10.1.1.1', 'disabled'],
    ]);
    expect(JSON.stringify(t.core.audit.query({}))).not.toContain(passwordOf('dave'));
  });
});

describe('sessions', () => {
  it('expire after their lifetime', async () => {
    await start({ sessionTtlMs: 60 * MIN });
    await addUser(t.core, 'alice', 'Viewer');
    const s = await t.core.invoke<{ token: string; expires_at: string }>('auth.login', { username: 'alice', password: passwordOf('alice') }, anon());
    expect(s.expires_at).toBe(new Date(t.clock!.now() + 60 * MIN).toISOString());
    expect((await httpContext(t.core, { authorization: bearer(s.token) })).principal).toMatchObject({ kind: 'user', username: 'alice', via: 'session' });
    t.clock!.advance(60 * MIN);
    const ctx = await httpContext(t.core, { authorization: bearer(s.token) });
    expect(ctx.principal.kind).toBe('anonymous');
    expect(ctx.authFailure?.message).toBe('Your session has expired; sign in again');
    expect(t.core.users.metrics().user_active_sessions).toBe(0);
  });

  it("a password change ends every session of that user, and only that user's", async () => {
    await start();
    await addUser(t.core, 'alice', 'Editor');
    await addUser(t.core, 'bob', 'Editor');
    const a1 = await t.core.invoke<{ token: string }>('auth.login', { username: 'alice', password: passwordOf('alice') }, anon());
    const a2 = await t.core.invoke<{ token: string }>('auth.login', { username: 'alice', password: passwordOf('alice') }, anon());
    const b1 = await t.core.invoke<{ token: string }>('auth.login', { username: 'bob', password: passwordOf('bob') }, anon());
    expect(t.core.users.metrics().user_active_sessions).toBe(3);

    const wrong = await call(t.core, 'auth.changePassword', { current_password: 'not-it-at-all', new_password: 'a-new-passphrase' }, await httpContext(t.core, { authorization: bearer(a1.token) }));
    expect(code(wrong)).toBe('VALIDATION_ERROR');

    const changed = await call(t.core, 'auth.changePassword', { current_password: passwordOf('alice'), new_password: 'a-new-passphrase' }, await httpContext(t.core, { authorization: bearer(a1.token) }));
    expect(changed).toEqual({ ok: true, data: { ok: true, sessions_ended: 2 } });
    for (const s of [a1, a2]) expect((await httpContext(t.core, { authorization: bearer(s.token) })).authFailure?.message).toBe('Unknown or ended session; sign in again');
    expect((await httpContext(t.core, { authorization: bearer(b1.token) })).principal).toMatchObject({ username: 'bob' });
    expect(code(await login('alice', passwordOf('alice')))).toBe('UNAUTHENTICATED');
    expect(code(await login('alice', 'a-new-passphrase'))).toBe('OK');
  });

  it("an Admin's password reset or disabling the user ends the user's sessions; HTTP Basic with the old password stops at once", async () => {
    await start();
    const admin = await addUser(t.core, 'root', 'Admin');
    await addUser(t.core, 'alice', 'Runner');
    const adminCtx = await httpContext(t.core, { authorization: basic('root') });
    expect(adminCtx.principal).toMatchObject({ id: admin.id });
    const s = await t.core.invoke<{ token: string }>('auth.login', { username: 'alice', password: passwordOf('alice') }, anon());
    // Basic is cached after a good check; the cache must not outlive the password.
    expect((await httpContext(t.core, { authorization: basic('alice') })).principal.kind).toBe('user');

    const reset = await call(t.core, 'users.update', { id: 'alice', password: 'reset-by-admin' }, adminCtx);
    expect(reset.ok).toBe(true);
    expect((await httpContext(t.core, { authorization: bearer(s.token) })).principal.kind).toBe('anonymous');
    expect((await httpContext(t.core, { authorization: basic('alice') })).authFailure?.message).toBe('Invalid username or password');
    expect(t.core.audit.query({ action: 'users.update' })[0]).toMatchObject({ user: 'root', result: 'ok', details: { username: 'alice', password: 'reset', sessions_ended: 1 } });

    const s2 = await t.core.invoke<{ token: string }>('auth.login', { username: 'alice', password: 'reset-by-admin' }, anon());
    expect((await call(t.core, 'users.update', { id: 'alice', active: false }, adminCtx)).ok).toBe(true);
    expect((await httpContext(t.core, { authorization: bearer(s2.token) })).authFailure?.message).toBe('Unknown or ended session; sign in again');
    expect((await httpContext(t.core, { authorization: basic('alice', 'reset-by-admin') })).authFailure?.message).toBe("The account 'alice' is disabled");
  });

  it('logout ends only the session it is called with', async () => {
    await start();
    await addUser(t.core, 'alice', 'Viewer');
    const a1 = await t.core.invoke<{ token: string }>('auth.login', { username: 'alice', password: passwordOf('alice') }, anon());
    const a2 = await t.core.invoke<{ token: string }>('auth.login', { username: 'alice', password: passwordOf('alice') }, anon());
    expect(await t.core.invoke('auth.logout', {}, await httpContext(t.core, { cookie: a1.token }))).toEqual({ ok: true, ended: true });
    expect((await httpContext(t.core, { cookie: a1.token })).principal.kind).toBe('anonymous');
    expect((await httpContext(t.core, { cookie: a2.token })).principal.kind).toBe('user');
    expect(t.core.audit.query({ action: 'auth.logout' })[0]).toMatchObject({ user: 'alice', result: 'ok' });
  });

  it('the session cookie carries sessions only, never an API token', async () => {
    await start();
    const u = await addUser(t.core, 'alice', 'Viewer');
    const { token } = t.core.users.service.createToken(u.id, 'script');
    expect((await httpContext(t.core, { authorization: bearer(token) })).principal).toMatchObject({ via: 'token' });
    expect((await httpContext(t.core, { cookie: token })).principal.kind).toBe('anonymous');
  });
});

describe('first run', () => {
  it('is public only while no user exists, then answers 409 "already set up" to strangers and Admins', async () => {
    await start();
    expect(await t.core.invoke('auth.firstRunStatus', {}, anon())).toMatchObject({ required: true });
    const first = await t.core.invoke<{ token: string; user: { username: string; role: string } }>('auth.firstRun', { username: 'owner', password: 'first-admin-pw' }, anon());
    expect(first.user).toMatchObject({ username: 'owner', role: 'Admin' });
    const ownerCtx = await httpContext(t.core, { authorization: bearer(first.token) });
    expect(ownerCtx.principal).toMatchObject({ username: 'owner', role: 'Admin' });

    expect(code(await call(t.core, 'auth.firstRunStatus', {}, anon()))).toBe('UNAUTHENTICATED');
    // Issue 14 item 11: answered 401, as if signing in would help.
    const stranger = await call(t.core, 'auth.firstRun', { username: 'mallory', password: 'takeover-pw' }, anon());
    expect(stranger).toEqual({ ok: false, error: { code: 'CONFLICT', message: 'Desktop Agent is already set up: sign in, and add users in Users & Roles (POST /api/admin/users)', details: { reason: 'already_set_up' } } });
    expect(await t.core.invoke('auth.firstRunStatus', {}, ownerCtx)).toEqual({ required: false, suggested_username: null });
    const again = await call(t.core, 'auth.firstRun', { username: 'second', password: 'second-admin' }, ownerCtx);
    expect(code(again)).toBe('CONFLICT');
    expect(t.core.users.service.list().map((u) => u.username)).toEqual(['owner']);
    expect(t.core.audit.query({ action: 'auth.firstRun' }).map((e) => e.result)).toEqual(['error', 'denied', 'ok']);
  });

  it('can only be claimed from this computer, even when remote access is allowed', async () => {
    await start();
    for (const source of ['192.168.1.50', '::ffff:10.0.0.3']) {
      const r = await call(t.core, 'auth.firstRun', { username: 'remote', password: 'remote-password' }, anon(source));
      expect(r.ok === false && r.error).toMatchObject({ code: 'FORBIDDEN', details: { reason: 'not_local' } });
    }
    expect(t.core.users.service.count()).toBe(0);
    expect(code(await call(t.core, 'auth.firstRun', { username: 'owner', password: 'owner-password' }, anon('::ffff:127.0.0.1')))).toBe('OK');
  });

  it('DESKTOP_AGENT_ADMIN_PASSWORD creates the first Admin on the first start only, and is never logged', async () => {
    await start({ firstAdmin: { username: 'admin', password: 'env-Secret-123' } });
    expect(t.core.users.service.list()).toMatchObject([{ username: 'admin', role: 'Admin', active: true }]);
    expect((await httpContext(t.core, { authorization: basic('admin', 'env-Secret-123') })).principal).toMatchObject({ role: 'Admin' });
    expect(t.logs.lines.join('\n')).toContain("Created the first Admin 'admin' from DESKTOP_AGENT_ADMIN_PASSWORD");
    expect(t.logs.lines.join('\n')).not.toContain('env-Secret-123');

    // Restart on the same data dir with another password: ignored, with a warning.
    const { createCore } = await import('../../app/create-core');
    await t.core.stop();
    const again = await createCore({ paths: t.core.paths, version: 'test', users: { scrypt: FAST_SCRYPT, firstAdmin: { username: 'other', password: 'other-Secret-456' } }, extraLogSinks: [t.logs] });
    await again.start();
    try {
      expect(again.users.service.list().map((u) => u.username)).toEqual(['admin']);
      expect(t.logs.lines.join('\n')).toContain('DESKTOP_AGENT_ADMIN_PASSWORD is set but users exist already; it is ignored');
      expect(t.logs.lines.join('\n')).not.toContain('other-Secret-456');
    } finally {
      await again.stop();
    }
  });
});

describe("the desktop app's principal (for the IPC adapter)", () => {
  it('is nobody before set-up, the only active user when there is one, and the window session when several', async () => {
    await start();
    const app = t.core.users.app;
    expect((await app.authenticate()).principal).toEqual({ kind: 'anonymous' });
    const owner = await addUser(t.core, 'owner', 'Admin');
    expect((await app.authenticate()).principal).toEqual({ kind: 'user', id: owner.id, username: 'owner', role: 'Admin', via: 'ipc' });
    await addUser(t.core, 'temp', 'Viewer', { active: false });
    expect((await app.authenticate()).principal).toMatchObject({ username: 'owner' });

    await addUser(t.core, 'alice', 'Runner');
    expect((await app.authenticate()).principal.kind).toBe('anonymous');
    // The login screen signs in over IPC; the adapter keeps the token for that window.
    const s = await t.core.invoke<{ token: string }>('auth.login', { username: 'alice', password: passwordOf('alice') }, anon('ipc'));
    const window = await app.authenticate(s.token);
    expect(window.principal).toMatchObject({ kind: 'user', username: 'alice', role: 'Runner', via: 'ipc' });
    const me = await t.core.invoke('auth.me', {}, { principal: window.principal, source: 'ipc' });
    expect(me).toMatchObject({ username: 'alice', role: 'Runner', permissions: ['read_runs', 'read_metrics', 'read_dashboard', 'create_runs', 'execute_templates'] });
    await t.core.invoke('auth.logout', {}, { principal: window.principal, source: 'ipc' });
    expect((await app.authenticate(s.token)).failure?.code).toBe('UNAUTHENTICATED');
    expect(t.core.audit.query({ action: 'auth.login' })[0]).toMatchObject({ user: 'alice', source: 'ipc', result: 'ok' });
  });
});

describe('parallel guessing', () => {
  it('checks at most two passwords at a time for one user and four for unknown names from one source; the rest are refused at once', async () => {
    await start();
    await addUser(t.core, 'alice', 'Viewer');
    const answers = await Promise.all(Array.from({ length: 10 }, (_, i) => login('alice', `guess-${i}-guess`, '10.0.0.7')));
    expect(answers.map(code)).toEqual([...Array(2).fill('UNAUTHENTICATED'), ...Array(8).fill('RATE_LIMITED')]);
    expect(details(answers[9]!)).toEqual({ retry_after_s: 1, scope: 'user' });
    const unknown = await Promise.all(Array.from({ length: 10 }, (_, i) => login(`ghost${i}`, `guess-${i}-guess`, '10.0.0.7')));
    expect(unknown.map(code)).toEqual([...Array(4).fill('UNAUTHENTICATED'), ...Array(6).fill('RATE_LIMITED')]);
    expect(details(unknown[9]!)).toEqual({ retry_after_s: 1, scope: 'source' });
    // Only the checked attempts count toward the back-off; a flood under made-up names takes no user's slot.
    expect(code(await login('alice', passwordOf('alice'), '10.0.0.7'))).toBe('OK');
  });
});
