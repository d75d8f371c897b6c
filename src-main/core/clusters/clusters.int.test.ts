/**
 * The clusters service on a real SQLite file with a fake clock: counts, samples, resolve and
 * reopen, ids stable across a restart, trend_3d in local days around midnight and across DST.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from '../db/database';
import { FakeClock } from '../kernel/clock';
import { EventBus } from '../kernel/event-bus';
import { MemorySink, createLogger } from '../kernel/logger';
import { createClusters } from './clusters';
import type { FailureRecord } from '../runs/failure-sink';

let dir: string;
let db: Database;
const savedTz = process.env.TZ;
afterEach(() => {
  db?.close();
  rmSync(dir, { recursive: true, force: true });
});
afterAll(() => {
  process.env.TZ = savedTz;
});

function open(clock: FakeClock, rules: Record<string, never> = {}) {
  const bus = new EventBus(() => clock.now());
  const events: unknown[] = [];
  bus.subscribe((e) => events.push(e));
  const clusters = createClusters({ db, clock, logger: createLogger({ sinks: [new MemorySink()] }), bus, rules: () => rules });
  return { clusters, events };
}

const failure = (runId: string, message: string, at: number, extra: Partial<FailureRecord> = {}): FailureRecord => ({
  runId,
  template: 'monthly_invoices',
  stepIndex: 2,
  action: 'pdf_extract_pages',
  message,
  code: null,
  at,
  ...extra,
});

describe('failure clusters (service, fake clock)', () => {
  beforeAll(() => {
    process.env.TZ = 'Asia/Tokyo';
  });
  it('counts occurrences, distinct runs and templates, keeps 3 samples; resolve, and a new failure reopens', () => {
    dir = mkdtempSync(join(tmpdir(), 'da-clusters-'));
    db = openDatabase({ file: join(dir, 'db.sqlite') });
    const clock = new FakeClock('2026-12-07T01:00:00Z');
    const { clusters } = open(clock);
    const t = clock.now();
    for (const [run, page, file] of [['r1', 9, 'a'], ['r2', 12, 'b'], ['r3', 4, 'c'], ['r3', 5, 'd']] as const) {
      clusters.sink.record(failure(run, `pdf_extract_pages: page ${page} is out of range: /in/${file}.pdf has 2 pages`, t));
    }
    clusters.sink.record(failure('r4', 'read_csv: file not found: /in/x.csv', t, { code: 'FILE_NOT_FOUND', template: 'csv_import', action: 'read_csv', stepIndex: 0 }));
    const [mined, files] = clusters.list(7);
    expect(mined).toMatchObject({ source: 'mined', count: 4, runs: 3, templates: 1, steps: 1, severity: 'medium', resolved: false, trend_3d: [0, 0, 4] });
    expect(mined!.id).toMatch(/^AUTO_[0-9a-f]{8}$/);
    expect(mined!.display_name).toBe('pdf_extract_pages: page <*> is out of range: <*> has <*> pages');
    expect(mined!.samples).toHaveLength(3);
    expect(mined!.recommended_actions.length).toBeGreaterThan(0);
    expect(files).toMatchObject({ id: 'NO_FILES_FOUND', source: 'builtin', count: 1, display_name: 'No files found', samples: ['read_csv: file not found: /in/x.csv'] });

    clusters.resolve(files!.id, 'eddie');
    expect(clusters.get(files!.id, 7)).toMatchObject({ resolved: true, resolved_by: 'eddie' });
    expect(clusters.list(7, undefined, false).map((c) => c.id)).toEqual([mined!.id]);
    clock.advance(60_000);
    clusters.sink.record(failure('r5', 'read_csv: file not found: /in/y.csv', clock.now(), { code: 'FILE_NOT_FOUND' }));
    const reopened = clusters.get(files!.id, 7);
    expect(reopened).toMatchObject({ resolved: false, resolved_by: null, count: 2, total_count: 2 });
    expect(reopened.occurrences.map((o) => o.run_id)).toEqual(['r5', 'r4']);
    expect(clusters.metrics(clock.now())).toMatchObject({ failure_cluster_diversity: 2, top_failure_clusters_24h: [{ cluster: mined!.id, count: 4 }, { cluster: 'NO_FILES_FOUND', count: 2 }] });
  });

  it('keeps a mined cluster id across a restart; a new message of the same kind joins it', () => {
    dir = mkdtempSync(join(tmpdir(), 'da-clusters-'));
    db = openDatabase({ file: join(dir, 'db.sqlite') });
    const clock = new FakeClock('2026-12-07T01:00:00Z');
    const first = open(clock).clusters;
    first.sink.record(failure('r1', 'Portal rejected invoice INV-0042 for customer 7', clock.now()));
    const id = first.list(1)[0]!.id;
    db.close();
    db = openDatabase({ file: join(dir, 'db.sqlite') });
    const again = open(clock).clusters;
    again.sink.record(failure('r2', 'Portal rejected invoice INV-9999 for customer 12345', clock.now()));
    expect(again.list(1).map((c) => [c.id, c.count])).toEqual([[id, 2]]);
  });
});

/** Occurrences at the given local wall times; trend read at `now`. */
function trendAt(tz: string, times: string[], now: string): number[] {
  process.env.TZ = tz;
  dir = mkdtempSync(join(tmpdir(), 'da-clusters-'));
  db = openDatabase({ file: join(dir, 'db.sqlite') });
  const clock = new FakeClock(new Date(now).getTime());
  const { clusters } = open(clock);
  for (const [i, at] of times.entries()) clusters.sink.record(failure(`r${i}`, 'Portal rejected invoice INV-1 for customer 7', new Date(at).getTime()));
  return clusters.list(30)[0]!.trend_3d;
}

describe('trend_3d in local days', () => {
  it('puts 23:59 and 00:01 local in different days (Tokyo, UTC+9: local midnight is 15:00 UTC)', () => {
    // Local wall times (no Z): parsed in process.env.TZ.
    expect(trendAt('Asia/Tokyo', ['2026-12-05T00:00:00', '2026-12-05T23:59:00', '2026-12-06T00:01:00', '2026-12-07T00:00:00', '2026-12-04T23:59:59'], '2026-12-07T00:30:00')).toEqual([2, 1, 1]);
  });

  it('stays right across a DST change (New York, 2026-11-01 has 25 hours)', () => {
    // Today is Nov 2; yesterday (Nov 1) is 25 h long; the day before is Oct 31.
    expect(
      trendAt('America/New_York', ['2026-10-31T00:30:00', '2026-10-31T23:30:00', '2026-11-01T00:30:00', '2026-11-01T23:30:00', '2026-11-02T00:10:00', '2026-10-30T23:59:00'], '2026-11-02T08:00:00'),
    ).toEqual([2, 2, 1]);
    // Spring forward: 2027-03-14 has 23 hours; 23:30 on Mar 14 is still Mar 14.
    expect(trendAt('America/New_York', ['2027-03-14T00:30:00', '2027-03-14T23:30:00', '2027-03-15T00:05:00'], '2027-03-15T12:00:00')).toEqual([0, 2, 1]);
  });
});
