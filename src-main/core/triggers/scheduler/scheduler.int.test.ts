import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { scheduleSchema, type ScheduleConfig } from '@shared/config';
import { parseCron } from '@shared/cron/cron-parse';
import { openDatabase, type Database } from '../../db/database';
import { FakeClock } from '../../kernel/clock';
import { EventBus } from '../../kernel/event-bus';
import { silentLogger } from '../../kernel/logger';
import type { Clock } from '../../kernel/ports';
import type { TriggerEnqueueRequest, TriggerOrigin } from '../ports';
import { fireTimesAfter } from './fire-times';
import { Scheduler } from './scheduler';

/**
 * The fake-clock suite of issue 15: the scheduler on a real SQLite file, time moved by FakeClock.
 * The queue port records what the scheduler hands over, so a double hand-over is seen even though
 * the real queue would fold it by idempotency key.
 */

const MINUTE = 60_000;
const DAY = 86_400_000;
const WEEK = 7 * DAY;

interface Handed {
  request: TriggerEnqueueRequest;
  origin: TriggerOrigin;
  run_id: string;
  /** The clock when the scheduler handed it over. */
  at: number;
}

interface Harness {
  dir: string;
  db: Database;
  clock: FakeClock;
  handed: Handed[];
  active: Set<string>;
  bus: EventBus;
  schedules: ScheduleConfig[];
  scheduler: Scheduler;
  lateness: { ms: number };
  /** How long each enqueue takes on the clock (a slow commit on a loaded machine). */
  enqueueCost: { ms: number };
}

const open: { dir: string; db: Database; scheduler: Scheduler }[] = [];
afterEach(() => {
  for (const h of open.splice(0)) {
    h.scheduler.stop();
    h.db.close();
    rmSync(h.dir, { recursive: true, force: true });
  }
});

const schedule = (fields: Partial<ScheduleConfig> & { cron: string }): ScheduleConfig => scheduleSchema.parse({ id: 's1', name: 'test', template: 'daily_report.yaml', timezone: 'UTC', ...fields });

function harness(schedules: ScheduleConfig[], start: string | number = '2026-01-05T00:00:00Z', reuse?: Pick<Harness, 'dir' | 'clock' | 'handed' | 'active'>): Harness {
  const dir = reuse?.dir ?? mkdtempSync(join(tmpdir(), 'da-sched-'));
  const db = openDatabase({ file: join(dir, 'test.db') });
  const clock = reuse?.clock ?? new FakeClock(start);
  const handed = reuse?.handed ?? [];
  const active = reuse?.active ?? new Set<string>();
  const bus = new EventBus(() => clock.now());
  let n = handed.length;
  // Timers that fire `lateness.ms` after they are due: a slow or loaded machine.
  const lateness = { ms: 0 };
  const lateClock: Clock = { now: () => clock.now(), setTimer: (ms, fn) => clock.setTimer(ms + lateness.ms, fn) };
  const enqueueCost = { ms: 0 };
  const scheduler = new Scheduler({
    db,
    clock: lateClock,
    logger: silentLogger,
    bus,
    schedules: () => schedules,
    runActive: (id) => active.has(id),
    queue: {
      enqueue: (request, origin) => {
        const run_id = `run-${++n}`;
        handed.push({ request, origin, run_id, at: clock.now() });
        if (enqueueCost.ms) clock.set(clock.now() + enqueueCost.ms);
        return { run_id };
      },
    },
  });
  const h = { dir, db, clock, handed, active, bus, schedules, scheduler, lateness, enqueueCost };
  open.push(h);
  return h;
}

const firedTimes = (h: Pick<Harness, 'handed'>, id = 's1') => h.handed.filter((x) => x.origin.trigger === `schedule:${id}`).map((x) => Date.parse(String(x.origin.triggerData.scheduled_time)));
const isoList = (ms: number[]) => ms.map((t) => new Date(t).toISOString());
const outcomes = (h: Harness, id = 's1') =>
  h.db.prepare('select outcome, count(*) as n, sum(folded_count) as times from schedule_fires where schedule_id = ? group by outcome order by outcome').all(id) as { outcome: string; n: number; times: number }[];

function expectExactlyOnce(fired: number[], from: number, to: number, stepMs: number): void {
  expect(new Set(fired).size).toBe(fired.length);
  const expected = (to - from) / stepMs;
  expect(fired.length).toBe(expected);
  expect(fired[0]).toBe(from + stepMs);
  expect(fired.at(-1)).toBe(to);
  for (let i = 1; i < fired.length; i++) expect(fired[i]! - fired[i - 1]!).toBe(stepMs);
}

describe('scheduler: exactly once per time (fake clock, real SQLite)', () => {
  it('an every-minute schedule fires once per minute over a simulated week, and the preview equals what fired', () => {
    const h = harness([schedule({ cron: '* * * * *' })]);
    const start = h.clock.now();
    const preview = fireTimesAfter(parseCron('* * * * *'), 'UTC', start, 10);
    h.scheduler.start();
    expect(isoList([h.scheduler.nextAt('s1')!])).toEqual(isoList(preview.slice(0, 1)));
    h.clock.advance(WEEK);
    const fired = firedTimes(h);
    expectExactlyOnce(fired, start, start + WEEK, MINUTE);
    expect(fired.slice(0, 10)).toEqual(preview);
    expect(h.handed[0]!.origin).toMatchObject({ trigger: 'schedule:s1', triggerData: { schedule_id: 's1', scheduled_time: '2026-01-05T00:01:00.000Z' } });
    expect(outcomes(h)).toEqual([{ outcome: 'fired', n: 7 * 1440, times: 7 * 1440 }]);
  }, 300_000);

  it('a 6-field every-second schedule fires once per second: an hour of exact timers, then a week on a machine whose timers are 50 s late', () => {
    const h = harness([schedule({ cron: '* * * * * *' })]);
    const start = h.clock.now();
    h.scheduler.start();
    h.clock.advance(3_600_000);
    expectExactlyOnce(firedTimes(h), start, start + 3_600_000, 1000);
    // From here every timer fires 50 s after it was due (a slow, loaded machine): each look hands
    // over the ~50 times that came due, still on time (within the 60 s grace), none twice.
    h.lateness.ms = 50_000;
    h.clock.advance(WEEK - 3_600_000 + 50_000);
    const fired = firedTimes(h).filter((t) => t <= start + WEEK);
    expectExactlyOnce(fired, start, start + WEEK, 1000);
    expect(outcomes(h)).toEqual([{ outcome: 'fired', n: h.handed.length, times: h.handed.length }]);
  }, 600_000);

  it('a fire whose enqueue takes 40 ms does not make the next one late: each time is handed over exactly when due', () => {
    const h = harness([schedule({ cron: '* * * * * *' })]);
    const start = h.clock.now();
    h.enqueueCost.ms = 40;
    h.scheduler.start();
    h.clock.advance(60_000);
    expectExactlyOnce(firedTimes(h), start, start + 60_000, 1000);
    // Before the fix the timer counted from the look's start: every time after the first came 40 ms late.
    expect(h.handed.map((x) => x.at - Date.parse(String(x.origin.triggerData.scheduled_time)))).toEqual(Array.from({ length: 60 }, () => 0));
  });

  it('a restart in the middle of the week loses and doubles nothing', () => {
    const first = harness([schedule({ cron: '* * * * *' }), schedule({ id: 's2', cron: '15 */3 * * * *' })]);
    const start = first.clock.now();
    first.scheduler.start();
    first.clock.advance(3.5 * DAY + 37_500);
    // The process stops; 40 s pass (12:01:00 comes due meanwhile) before the new one opens the same database.
    first.scheduler.stop();
    first.db.close();
    open.splice(open.findIndex((x) => x.db === first.db), 1);
    first.clock.advance(40_000);
    const second = harness(first.schedules, 0, first);
    second.scheduler.start();
    second.clock.advance(WEEK - 3.5 * DAY - 77_500);
    expectExactlyOnce(firedTimes(second), start, start + WEEK, MINUTE);
    expect(outcomes(second).map((o) => o.outcome)).toEqual(['fired']);
    const s2 = firedTimes(second, 's2');
    expect(new Set(s2).size).toBe(s2.length);
    expect(s2).toEqual(fireTimesAfter(parseCron('15 */3 * * * *'), 'UTC', start, 7 * 480));
  }, 300_000);
});

describe('scheduler: catch_up after an 8-hour sleep', () => {
  const sleep8h = (catchUp: ScheduleConfig['catch_up'], wake: 'resume' | 'timer') => {
    const h = harness([schedule({ cron: '*/30 * * * *', catch_up: catchUp })], '2026-01-05T08:10:00Z');
    h.scheduler.start();
    h.clock.advance(30 * MINUTE); // 08:30 fires on time
    // Suspended: the wall clock moves 8 hours while no timer runs.
    h.clock.set(h.clock.now() + 8 * 3_600_000);
    if (wake === 'resume') h.scheduler.resume();
    else h.clock.advance(10_000);
    return h;
  };

  it('skip: the 16 times slept through are listed as missed, none runs', () => {
    const h = sleep8h('skip', 'resume');
    expect(isoList(firedTimes(h))).toEqual(['2026-01-05T08:30:00.000Z']);
    expect(outcomes(h)).toEqual([
      { outcome: 'fired', n: 1, times: 1 },
      { outcome: 'missed', n: 16, times: 16 },
    ]);
    // and the schedule goes on from the next time, not from the sleep
    h.clock.advance(30 * MINUTE);
    expect(isoList(firedTimes(h)).at(-1)).toBe('2026-01-05T17:00:00.000Z');
  });

  it('once: the latest missed time runs once, the others are listed as missed', () => {
    const h = sleep8h('once', 'timer');
    expect(isoList(firedTimes(h))).toEqual(['2026-01-05T08:30:00.000Z', '2026-01-05T16:30:00.000Z']);
    expect(outcomes(h)).toEqual([
      { outcome: 'caught_up', n: 1, times: 1 },
      { outcome: 'fired', n: 1, times: 1 },
      { outcome: 'missed', n: 15, times: 15 },
    ]);
  });

  it('all: each missed time runs once, in order', () => {
    const h = sleep8h('all', 'resume');
    const fired = firedTimes(h);
    expect(fired).toHaveLength(17);
    expect(isoList(fired.slice(0, 3))).toEqual(['2026-01-05T08:30:00.000Z', '2026-01-05T09:00:00.000Z', '2026-01-05T09:30:00.000Z']);
    expect(outcomes(h)).toEqual([
      { outcome: 'caught_up', n: 16, times: 16 },
      { outcome: 'fired', n: 1, times: 1 },
    ]);
    // waking again changes nothing
    h.scheduler.resume();
    expect(firedTimes(h)).toHaveLength(17);
  });
});

describe('scheduler: DST (SPEC 6)', () => {
  // Fixed-time (01:30 and 02:30 daily) and interval (every 20 minutes) schedules across both
  // transitions of 2026; Tokyo has none.
  const cases = [
    { zone: 'Europe/Berlin', spring: '2026-03-28T12:00:00Z', fall: '2026-10-24T12:00:00Z', fixed: '30 1,2 * * *' },
    { zone: 'America/New_York', spring: '2026-03-07T12:00:00Z', fall: '2026-10-31T12:00:00Z', fixed: '30 1,2 * * *' },
    { zone: 'Asia/Tokyo', spring: '2026-03-28T12:00:00Z', fall: '2026-10-24T12:00:00Z', fixed: '30 1,2 * * *' },
  ];
  for (const c of cases) {
    for (const [season, start] of [['spring', c.spring], ['fall', c.fall]] as const) {
      it(`${c.zone}, ${season}: fixed-time and interval schedules fire each wall time once, exactly as previewed`, () => {
        const configs = [schedule({ id: 'fixed', cron: c.fixed, timezone: c.zone }), schedule({ id: 'interval', cron: '*/20 * * * *', timezone: c.zone })];
        const h = harness(configs, start);
        const from = h.clock.now();
        const previews = Object.fromEntries(configs.map((s) => [s.id, fireTimesAfter(parseCron(s.cron), c.zone, from, 500).filter((t) => t <= from + 2 * DAY)]));
        h.scheduler.start();
        h.clock.advance(2 * DAY);
        for (const s of configs) {
          const fired = firedTimes(h, s.id);
          expect(new Set(fired).size).toBe(fired.length);
          expect(isoList(fired)).toEqual(isoList(previews[s.id]!));
        }
        const fixed = firedTimes(h, 'fixed');
        const interval = firedTimes(h, 'interval');
        const dst = c.zone !== 'Asia/Tokyo';
        // 02:30 in the spring gap fires once at 03:00; the repeated 01:30 (New York) or 02:30 (Berlin) once.
        expect(fixed).toHaveLength(4);
        const wallTimes = new Set(fixed.map((t) => new Intl.DateTimeFormat('en-GB', { timeZone: c.zone, hour: '2-digit', minute: '2-digit' }).format(t)));
        expect([...wallTimes].sort()).toEqual(dst && season === 'spring' ? ['01:30', '02:30', '03:00'] : ['01:30', '02:30']);
        // Interval: in instants, spring's gap keeps the 20-minute rhythm (its wall times collapse into
        // 03:00); fall's repeated hour fires once, so its three second-pass times are not fired.
        expect(interval).toHaveLength(144 - (dst && season === 'fall' ? 3 : 0));
      });
    }
  }
});

describe('scheduler: overlap and reload', () => {
  it('overlap skip records the time as skipped while the last run is active; queue starts it when that run finishes', () => {
    const h = harness([schedule({ cron: '*/10 * * * *', overlap: 'skip' }), schedule({ id: 'q', cron: '*/10 * * * *', overlap: 'queue' })]);
    h.scheduler.start();
    h.clock.advance(10 * MINUTE);
    for (const x of h.handed) h.active.add(x.run_id);
    h.clock.advance(20 * MINUTE);
    expect(firedTimes(h)).toHaveLength(1);
    expect(firedTimes(h, 'q')).toHaveLength(1);
    expect(outcomes(h)).toEqual([
      { outcome: 'fired', n: 1, times: 1 },
      { outcome: 'skipped', n: 2, times: 2 },
    ]);
    const qRun = h.handed.find((x) => x.origin.trigger === 'schedule:q')!.run_id;
    h.active.delete(qRun);
    h.bus.publish('run.finished', { runId: qRun, status: 'succeeded' });
    expect(isoList(firedTimes(h, 'q'))).toEqual(['2026-01-05T00:10:00.000Z', '2026-01-05T00:20:00.000Z']);
  });

  it('a changed cron starts afresh from now; a disabled schedule does not fire and is not "missed" when enabled again', () => {
    const h = harness([schedule({ cron: '0 * * * *' })]);
    h.scheduler.start();
    h.clock.advance(3_600_000);
    h.schedules[0] = { ...h.schedules[0]!, enabled: false };
    h.scheduler.reload();
    h.clock.advance(5 * 3_600_000);
    h.schedules[0] = { ...h.schedules[0]!, enabled: true, cron: '30 * * * *' };
    h.scheduler.reload();
    h.clock.advance(3_600_000);
    expect(isoList(firedTimes(h))).toEqual(['2026-01-05T01:00:00.000Z', '2026-01-05T06:30:00.000Z']);
    expect(outcomes(h).map((o) => o.outcome)).toEqual(['fired']);
  });

  it('a schedule with a bad cron or zone is reported and not scheduled', () => {
    const h = harness([schedule({ cron: '0 25 * * *' }), schedule({ id: 'z', cron: '0 * * * *', timezone: 'Mars/Olympus' })]);
    h.scheduler.start();
    expect(h.scheduler.problems).toEqual([
      { id: 's1', message: "cron '0 25 * * *': hour: 25 is outside 0-23" },
      { id: 'z', message: "timezone 'Mars/Olympus' is not an IANA zone name (like Asia/Tokyo)" },
    ]);
    h.clock.advance(DAY);
    expect(h.handed).toHaveLength(0);
  });
});
