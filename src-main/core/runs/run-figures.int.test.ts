import { describe, expect, it } from 'vitest';
import type { Database } from '../db/database';
import { tempDatabases } from '../../../test-support/temp-database';
import { createRunFigures, nearestRank } from './run-figures';
import { DAY_MS, HOUR_MS } from '../kernel/clock';

const NOW = Date.parse('2026-03-10T12:00:00Z');
const database = tempDatabases('da-figures-');

let n = 0;
function insert(db: Database, r: { status: string; created: number; started?: number; finished?: number; trigger?: string; attempts?: number }) {
  db.prepare(
    `insert into runs(id, template, template_hash, trigger, status, attempts, available_at, enqueued_at, created_at, started_at, finished_at)
     values (?, 't', 'h', ?, ?, ?, ?, ?, ?, ?, ?)`,
  ).run(`r${++n}`, r.trigger ?? 'manual', r.status, r.attempts ?? 1, r.created, r.created, r.created, r.started ?? null, r.finished ?? null);
}

describe('run figures (SPEC section 11 definitions)', () => {
  it('reads null rates and empty series from an empty database', () => {
    const f = createRunFigures(database())(NOW);
    expect(f).toMatchObject({ total_runs: 0, success_rate_24h: null, retry_rate_24h: null, median_duration_ms_24h: null, p95_duration_ms_24h: null, runs_per_hour_24h: 0 });
    expect(f.hourly.created).toEqual(new Array(24).fill(0));
  });

  it('counts runs finished inside the rolling 24 h window, edges included and excluded exactly', () => {
    const db = database();
    const since = NOW - DAY_MS;
    // Finished exactly at the window's start: inside. One millisecond earlier: outside.
    insert(db, { status: 'succeeded', created: since - 5000, started: since - 1000, finished: since });
    insert(db, { status: 'failed', created: since - 5000, started: since - 1000, finished: since - 1 });
    // Three more inside: two failed (one after a retry), one cancelled that never started.
    insert(db, { status: 'failed', created: NOW - 3 * HOUR_MS, started: NOW - 3 * HOUR_MS, finished: NOW - 3 * HOUR_MS + 400, attempts: 2 });
    insert(db, { status: 'succeeded', created: NOW - 60_000, started: NOW - 60_000, finished: NOW - 60_000 + 100, trigger: 'schedule:nightly' });
    insert(db, { status: 'cancelled', created: NOW - 30_000, finished: NOW - 20_000, trigger: 'webhook:deploy' });
    // Created in the window, still waiting or running: counted as created, not as finished.
    insert(db, { status: 'queued', created: NOW, trigger: 'watcher:inbox' });
    insert(db, { status: 'running', created: NOW - 10, started: NOW - 5, trigger: 'watcher:inbox' });
    // Finished in the future of this clock: outside.
    insert(db, { status: 'succeeded', created: NOW - 10, started: NOW - 5, finished: NOW + 1 });
    const f = createRunFigures(db)(NOW);
    expect(f.total_runs).toBe(8);
    expect([f.succeeded_24h, f.failed_24h, f.cancelled_24h]).toEqual([2, 1, 1]);
    expect(f.success_rate_24h).toBe(0.6667);
    // Durations of finished runs that started: 1000, 400, 100 → median (rank 2) 400, p95 (rank 3) 1000.
    expect([f.median_duration_ms_24h, f.p95_duration_ms_24h]).toEqual([400, 1000]);
    // Created in the window: the last six rows (created at since - 5000 twice are outside).
    expect(f.runs_per_hour_24h).toBe(0.25);
    expect(f.retry_rate_24h).toBe(0.25);
    expect([f.scheduled_runs_24h, f.folder_triggers_24h, f.webhook_triggers_24h]).toEqual([1, 2, 1]);
    // Hourly series: hour 23 is the last hour before now (now itself falls into it).
    expect(f.hourly.created[21]).toBe(1);
    expect(f.hourly.created[23]).toBe(5);
    expect(f.hourly.failed[21]).toBe(1);
    expect(f.hourly.succeeded[0]).toBe(1);
    expect(f.hourly.succeeded[23]).toBe(1);
  });

  it('keeps counting deleted runs in total_runs (retention, DELETE /api/runs/{id})', () => {
    const db = database();
    for (let i = 0; i < 5; i++) insert(db, { status: 'succeeded', created: NOW - 40 * DAY_MS, started: NOW - 40 * DAY_MS, finished: NOW - 40 * DAY_MS + 1 });
    const figures = createRunFigures(db);
    expect(figures(NOW).total_runs).toBe(5);
    db.prepare("delete from runs where id in (select id from runs limit 3)").run();
    expect(db.prepare('select count(*) from runs').pluck().get()).toBe(2);
    expect(figures(NOW).total_runs).toBe(5);
    insert(db, { status: 'queued', created: NOW });
    expect(figures(NOW).total_runs).toBe(6);
  });

  it('takes percentiles by nearest rank', () => {
    expect(nearestRank([], 0.5)).toBeNull();
    expect(nearestRank([7], 0.95)).toBe(7);
    const hundred = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(nearestRank(hundred, 0.5)).toBe(50);
    expect(nearestRank(hundred, 0.95)).toBe(95);
    expect(nearestRank([1, 2, 3, 4], 0.5)).toBe(2);
  });
});
