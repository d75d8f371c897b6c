import { afterEach, describe, expect, it } from 'vitest';
import { postgresBackend, sqliteBackend } from '../../../../test-support/store-backends';
import { FakeClock } from '../../kernel/clock';
import type { Principal } from '../../kernel/principal';
import { Redactor } from '../redaction';
import { AuditLog, type AuditInput, type AuditLogPort, type AuditResult } from './audit-log';
import { PgAuditLog } from './audit-log-pg';

/**
 * One suite, both backends (SPEC section 16): the audit log in SQLite and in PostgreSQL answers
 * every case alike. Every call is awaited, so the synchronous SQLite log runs the same cases.
 */

interface Subject {
  log: AuditLogPort;
  clock: FakeClock;
  redactor: Redactor;
}
const subject = (make: (clock: FakeClock, redactor: Redactor) => AuditLogPort): Subject => {
  const clock = new FakeClock();
  const redactor = new Redactor();
  return { log: make(clock, redactor), clock, redactor };
};
const sqlite = sqliteBackend((db) => subject((clock, redactor) => new AuditLog(db, () => clock.now(), redactor)));
const postgres = postgresBackend((pool) => subject((clock, redactor) => new PgAuditLog(pool, () => clock.now(), redactor)));
afterEach(async () => {
  await sqlite.closeAll();
  await postgres.closeAll();
});

const alice: Principal = { kind: 'user', id: 'u-alice', username: 'alice', role: 'Admin' } as Principal;
const entry = (action: string, result: AuditResult, more: Partial<AuditInput> = {}): AuditInput => ({ user: 'alice', action, result, source: '127.0.0.1', ...more });

describe.each([sqlite, postgres])('audit log conformance ($name)', (backend) => {
  it('appends entries and lists them newest first with every field; secrets are masked before they are stored', async () => {
    const { log, clock, redactor } = await backend.open();
    redactor.register('hunter2-very-secret');
    await log.record(entry('auth.login', 'ok', { details: { method: 'password' } }));
    clock.advance(1000);
    await log.recordFor({ principal: alice, source: 'ipc' }, { action: 'secrets.read', permission: 'manage_secrets', resource: 'secrets://db?v=hunter2-very-secret', result: 'granted', details: { value: 'hunter2-very-secret' } });
    await log.recordFor({ principal: { kind: 'anonymous' }, source: '10.0.0.7' }, { action: 'auth.login', result: 'denied' });
    const all = await log.query();
    expect(all.map((e) => [e.action, e.user, e.source, e.result])).toEqual([
      ['auth.login', null, '10.0.0.7', 'denied'],
      ['secrets.read', 'alice', 'ipc', 'granted'],
      ['auth.login', 'alice', '127.0.0.1', 'ok'],
    ]);
    expect(all[0]!.id).toBeGreaterThan(all[1]!.id);
    expect(all[1]).toMatchObject({ permission: 'manage_secrets', time: new Date(clock.now()).toISOString() });
    expect(JSON.stringify(all[1])).not.toContain('hunter2-very-secret');
    expect(all[2]).toMatchObject({ permission: null, resource: null, details: { method: 'password' }, time: new Date(clock.now() - 1000).toISOString() });
  });

  it('filters by action (exact or family), user, result and time, and pages by id', async () => {
    const { log, clock } = await backend.open();
    for (const [action, result, user] of [
      ['auth.login', 'ok', 'alice'],
      ['auth.logout', 'ok', 'bob'],
      ['runs.create', 'denied', 'bob'],
      ['auth.login', 'error', 'bob'],
      ['users.create', 'granted', 'alice'],
    ] as const) {
      await log.record(entry(action, result, { user }));
      clock.advance(60_000);
    }
    const actions = async (q: Parameters<AuditLogPort['query']>[0]) => (await log.query(q)).map((e) => `${e.action}/${e.user}`);
    expect(await actions({ action: 'auth.' })).toEqual(['auth.login/bob', 'auth.logout/bob', 'auth.login/alice']);
    expect(await actions({ action: 'auth.*' })).toEqual(await actions({ action: 'auth.' }));
    expect(await actions({ action: 'auth.login' })).toEqual(['auth.login/bob', 'auth.login/alice']);
    expect(await actions({ user: 'alice' })).toEqual(['users.create/alice', 'auth.login/alice']);
    expect(await actions({ result: 'denied' })).toEqual(['runs.create/bob']);
    expect(await actions({ since: clock.now() - 2 * 60_000 })).toEqual(['users.create/alice', 'auth.login/bob']);
    const page1 = await log.query({ limit: 2 });
    const page2 = await log.query({ limit: 2, beforeId: page1[1]!.id });
    const page3 = await log.query({ limit: 2, beforeId: page2[1]!.id });
    expect([...page1, ...page2, ...page3].map((e) => e.action)).toEqual(['users.create', 'auth.login', 'runs.create', 'auth.logout', 'auth.login']);
    expect(await log.query({ limit: 0 })).toHaveLength(1);
    expect(await actions({ user: 'nobody' })).toEqual([]);
  });

  it('counts entries since a time and ranks denied permissions', async () => {
    const { log, clock } = await backend.open();
    await log.record(entry('runs.create', 'denied', { permission: 'create_runs' }));
    clock.advance(25 * 3_600_000);
    const since = clock.now() - 24 * 3_600_000;
    for (let i = 0; i < 3; i++) await log.record(entry('users.create', 'denied', { permission: 'manage_users' }));
    await log.record(entry('runs.create', 'denied', { permission: 'create_runs' }));
    await log.record(entry('auth.login', 'denied'));
    await log.record(entry('runs.create', 'granted', { permission: 'create_runs' }));
    expect(await log.countSince(since)).toBe(6);
    expect(await log.countSince(since, 'denied')).toBe(5);
    expect(await log.countSince(0, 'denied')).toBe(6);
    expect(await log.countSince(clock.now() + 1)).toBe(0);
    expect(await log.topDenied(since)).toEqual([
      { permission: 'manage_users', count: 3 },
      { permission: 'create_runs', count: 1 },
    ]);
    expect(await log.topDenied(since, 1)).toEqual([{ permission: 'manage_users', count: 3 }]);
  });

  it('refuses an entry with an unknown result or without an action, and stores nothing of it', async () => {
    const { log } = await backend.open();
    await expect(async () => log.record(entry('auth.login', 'maybe' as AuditResult))).rejects.toThrow(/check constraint/i);
    await expect(async () => log.record(entry(null as unknown as string, 'ok'))).rejects.toThrow(/not[- ]null/i);
    expect(await log.countSince(0)).toBe(0);
  });
});
