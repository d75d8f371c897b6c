import { afterEach, describe, expect, it } from 'vitest';
import { postgresBackend, sqliteBackend } from '../../../../test-support/store-backends';
import { FakeClock } from '../../kernel/clock';
import { ScheduleStore, type FireOutcome, type FireRow, type ScheduleStorePort } from './schedule-store';
import { PgScheduleStore } from './schedule-store-pg';

/**
 * One suite, both backends (SPEC section 16): the scheduler's store in SQLite and in PostgreSQL
 * answers every case alike. Every call is awaited, so the synchronous SQLite store runs the same
 * cases as the PostgreSQL one.
 */

const sqlite = sqliteBackend<ScheduleStorePort>((db) => new ScheduleStore(db));
const postgres = postgresBackend<ScheduleStorePort>((pool) => new PgScheduleStore(pool, 'node-a'));
afterEach(async () => {
  await sqlite.closeAll();
  await postgres.closeAll();
});

const MINUTE = 60_000;
const T0 = Date.UTC(2026, 0, 5, 9, 0, 0);

const fire = (at: number, outcome: FireOutcome, handledAt: number, more: Partial<FireRow> = {}): FireRow => ({
  schedule_id: 's1',
  scheduled_at: at,
  outcome,
  handled_at: handledAt,
  run_id: outcome === 'fired' || outcome === 'caught_up' ? `run-${at}` : null,
  error: null,
  folded_count: 1,
  folded_until: null,
  ...more,
});

describe.each([sqlite, postgres])('schedule store conformance ($name)', (backend) => {
  it('keeps one state per schedule: saved, overwritten, listed and deleted; an unknown one is undefined', async () => {
    const store = await backend.open();
    expect(await store.state('nope')).toBeUndefined();
    await store.saveState({ schedule_id: 's1', fingerprint: '0 9 * * *|UTC', next_at: T0, last_run_id: null, updated_at: T0 - MINUTE });
    await store.saveState({ schedule_id: 's2', fingerprint: '*/5 * * * *|Asia/Tokyo', next_at: null, last_run_id: 'r0', updated_at: T0 });
    await store.saveState({ schedule_id: 's1', fingerprint: '0 9 * * *|UTC', next_at: T0 + 86_400_000, last_run_id: 'r1', updated_at: T0 });
    expect(await store.state('s1')).toEqual({ schedule_id: 's1', fingerprint: '0 9 * * *|UTC', next_at: T0 + 86_400_000, last_run_id: 'r1', updated_at: T0 });
    expect(await store.state('s2')).toEqual({ schedule_id: 's2', fingerprint: '*/5 * * * *|Asia/Tokyo', next_at: null, last_run_id: 'r0', updated_at: T0 });
    expect((await store.states()).map((s) => s.schedule_id).sort()).toEqual(['s1', 's2']);
    await store.deleteState('s1');
    await store.deleteState('never-there');
    expect(await store.state('s1')).toBeUndefined();
    expect((await store.states()).map((s) => s.schedule_id)).toEqual(['s2']);
  });

  it('records a scheduled time once: the duplicate is refused and leaves the first record as it was', async () => {
    const store = await backend.open();
    expect(await store.recordFire(fire(T0, 'fired', T0))).toBe(true);
    expect(await store.recordFire(fire(T0, 'skipped', T0 + 1, { run_id: null, error: 'a second claim' }))).toBe(false);
    // The same time of another schedule is its own.
    expect(await store.recordFire(fire(T0, 'fired', T0, { schedule_id: 's2' }))).toBe(true);
    const history = await store.history('s1', 10);
    expect(history).toHaveLength(1);
    expect(history[0]).toMatchObject(fire(T0, 'fired', T0));
  });

  it('updates a recorded time and finds the oldest waiting one (overlap: queue)', async () => {
    const store = await backend.open();
    expect(await store.oldestWaiting('s1')).toBeUndefined();
    for (const at of [T0 + 2 * MINUTE, T0, T0 + MINUTE]) await store.recordFire(fire(at, 'waiting', T0 + 3 * MINUTE));
    await store.recordFire(fire(T0 - MINUTE, 'fired', T0 - MINUTE));
    expect((await store.oldestWaiting('s1'))?.scheduled_at).toBe(T0);
    await store.updateFire({ schedule_id: 's1', scheduled_at: T0, outcome: 'fired', handled_at: T0 + 4 * MINUTE, run_id: 'r-late', error: null });
    expect((await store.oldestWaiting('s1'))?.scheduled_at).toBe(T0 + MINUTE);
    await store.updateFire({ schedule_id: 's1', scheduled_at: T0 + MINUTE, outcome: 'failed', handled_at: T0 + 5 * MINUTE, run_id: null, error: 'queue full' });
    const history = await store.history('s1', 10);
    expect(history.map((f) => [f.scheduled_at, f.outcome, f.run_id, f.error])).toEqual([
      [T0 + 2 * MINUTE, 'waiting', null, null],
      [T0 + MINUTE, 'failed', null, 'queue full'],
      [T0, 'fired', 'r-late', null],
      [T0 - MINUTE, 'fired', `run-${T0 - MINUTE}`, null],
    ]);
    expect(await store.history('s1', 2)).toHaveLength(2);
    expect(await store.history('unknown', 5)).toEqual([]);
  });

  it('counts outcomes since a time on the clock: caught_up counts as fired, folded missed times count each', async () => {
    const store = await backend.open();
    const clock = new FakeClock(T0);
    await store.recordFire(fire(clock.now(), 'fired', clock.now()));
    clock.advance(25 * 60 * MINUTE);
    const dayAgo = clock.now() - 24 * 60 * MINUTE;
    await store.recordFire(fire(clock.now() - 3 * MINUTE, 'missed', clock.now(), { folded_count: 40, folded_until: clock.now() - 2 * MINUTE }));
    await store.recordFire(fire(clock.now() - MINUTE, 'caught_up', clock.now()));
    await store.recordFire(fire(clock.now(), 'fired', clock.now()));
    await store.recordFire(fire(clock.now() + MINUTE, 'skipped', clock.now() + MINUTE, { error: 'still running' }));
    await store.recordFire(fire(clock.now(), 'failed', clock.now(), { schedule_id: 's2', error: 'no such queue' }));
    const counts = (await store.countsSince(dayAgo)).sort((a, b) => a.schedule_id.localeCompare(b.schedule_id));
    expect(counts).toEqual([
      { schedule_id: 's1', fired: 2, missed: 40, failed: 0, skipped: 1 },
      { schedule_id: 's2', fired: 0, missed: 0, failed: 1, skipped: 0 },
    ]);
    expect(await store.countsSince(clock.now() + 2 * MINUTE)).toEqual([]);
  });

  it('prunes times handled before the cut-off; an expired time is no longer in the ledger', async () => {
    const store = await backend.open();
    const clock = new FakeClock(T0);
    await store.recordFire(fire(clock.now(), 'fired', clock.now()));
    clock.advance(31 * 24 * 60 * MINUTE);
    await store.recordFire(fire(clock.now(), 'fired', clock.now()));
    const cutOff = clock.now() - 30 * 24 * 60 * MINUTE;
    expect(await store.pruneBefore(cutOff)).toBe(1);
    expect(await store.pruneBefore(cutOff)).toBe(0);
    expect((await store.history('s1', 10)).map((f) => f.scheduled_at)).toEqual([clock.now()]);
    expect(await store.recordFire(fire(T0, 'missed', clock.now()))).toBe(true);
  });

  it('refuses an outcome outside the list and stores nothing of it', async () => {
    const store = await backend.open();
    await expect(async () => store.recordFire(fire(T0, 'exploded' as FireOutcome, T0))).rejects.toThrow(/check constraint/i);
    await store.recordFire(fire(T0 + MINUTE, 'fired', T0));
    await expect(async () => store.updateFire({ schedule_id: 's1', scheduled_at: T0 + MINUTE, outcome: 'done' as FireOutcome, handled_at: T0, run_id: null, error: null })).rejects.toThrow(
      /check constraint/i,
    );
    expect((await store.history('s1', 10)).map((f) => [f.scheduled_at, f.outcome])).toEqual([[T0 + MINUTE, 'fired']]);
  });
});
