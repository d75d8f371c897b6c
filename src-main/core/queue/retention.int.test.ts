import { existsSync, mkdirSync, mkdtempSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../kernel/logger';
import { openDatabase } from '../db/database';
import { RunRepository } from '../runs';
import { pruneOnce } from './retention';

const DAY = 86_400_000;

function setup() {
  const dir = mkdtempSync(join(tmpdir(), 'da-retention-'));
  const dbFile = join(dir, 'desktop-agent.db');
  const db = openDatabase({ file: dbFile });
  const now = Date.UTC(2026, 5, 1);
  const insert = db.prepare(`insert into runs (id, template, template_hash, variables_json, trigger, queue, priority, status, available_at, enqueued_at, created_at, finished_at)
    values (?, 't', 'h', ?, 'api', 'default', 5, ?, ?, ?, ?, ?)`);
  db.prepare("insert into template_contents(hash, yaml) values ('h', 'name: t')").run();
  const add = (id: string, status: string, finishedDaysAgo: number | null, yamlBytes = 10) => {
    const t = now - (finishedDaysAgo ?? 0) * DAY;
    insert.run(id, JSON.stringify({ pad: 'x'.repeat(yamlBytes) }), status, t, t, t, finishedDaysAgo === null ? null : t);
    db.prepare("insert into run_steps(run_id, idx, action, status) values (?, 0, 'log', 'succeeded')").run(id);
    mkdirSync(join(dir, 'artifacts', id), { recursive: true });
    writeFileSync(join(dir, 'artifacts', id, 'shot.png'), 'png');
  };
  return { dir, dbFile, db, now, add, artifacts: join(dir, 'artifacts') };
}

describe('retention', () => {
  it('prunes finished runs older than runs_days with their steps and artifacts, keeping the rest', () => {
    const s = setup();
    s.add('old-ok', 'succeeded', 100);
    s.add('old-failed', 'failed', 91);
    s.add('recent', 'succeeded', 10);
    s.add('old-but-waiting', 'queued', null);
    const r = pruneOnce({ db: s.db, runs: new RunRepository(s.db), dbFile: s.dbFile, artifactsDir: s.artifacts, logger: createLogger({ sinks: [] }), now: () => s.now, runsDays: 90, maxDbMb: 2048, auditDays: 365, batchSize: 1 });
    expect(r.runsDeleted).toBe(2);
    expect(s.db.prepare('select id from runs order by id').pluck().all()).toEqual(['old-but-waiting', 'recent']);
    expect(s.db.prepare('select count(*) from run_steps').pluck().get()).toBe(2);
    expect(existsSync(join(s.artifacts, 'old-ok'))).toBe(false);
    expect(existsSync(join(s.artifacts, 'recent'))).toBe(true);
  });

  it('prunes the oldest finished runs while the database is over max_db_mb, and the file shrinks', () => {
    const s = setup();
    for (let i = 0; i < 120; i++) s.add(`r${String(i).padStart(3, '0')}`, 'succeeded', 60 - i / 10, 200_000);
    s.db.pragma('wal_checkpoint(TRUNCATE)');
    const r = pruneOnce({ db: s.db, runs: new RunRepository(s.db), dbFile: s.dbFile, artifactsDir: s.artifacts, logger: createLogger({ sinks: [] }), now: () => s.now, runsDays: 90, maxDbMb: 16, auditDays: 365, batchSize: 5 });
    expect(r.runsDeleted).toBeGreaterThan(0);
    const remaining = s.db.prepare('select id from runs order by id').pluck().all() as string[];
    // The newest runs are the ones kept.
    expect(remaining.at(-1)).toBe('r119');
    expect(remaining[0]! > 'r000').toBe(true);
    expect(r.bytesAfter).toBeLessThan(r.bytesBefore);
    expect(r.bytesAfter).toBeLessThanOrEqual(16 * 1024 * 1024 + 1024 * 1024);
  });

  it('a pass that frees nothing does not checkpoint on the event loop (the WAL is left to the checkpoint worker)', () => {
    const s = setup();
    for (let i = 0; i < 50; i++) s.add(`recent${i}`, 'succeeded', 1, 10_000);
    const wal = statSync(`${s.dbFile}-wal`).size;
    expect(wal).toBeGreaterThan(0);
    const r = pruneOnce({ db: s.db, runs: new RunRepository(s.db), dbFile: s.dbFile, artifactsDir: s.artifacts, logger: createLogger({ sinks: [] }), now: () => s.now, runsDays: 90, maxDbMb: 2048, auditDays: 365 });
    expect(r.runsDeleted).toBe(0);
    // A TRUNCATE checkpoint here (as before) blocked the loop for as long as copying the WAL took: 0 bytes after.
    expect(statSync(`${s.dbFile}-wal`).size).toBe(wal);
  });

  it('stores a template text again for the next run once retention deleted it (the repository forgets what it stored)', () => {
    const s = setup();
    const runs = new RunRepository(s.db);
    const yaml = 'dsl_version: "1.1"\nname: kept\nsteps:\n  - log: { message: hi }\n';
    const run = (id: string, now: number) => ({ id, template: 'kept', templateHash: 'kept-hash', templateYaml: yaml, variables: {}, trigger: 'api', requestedBy: null, queue: 'default', priority: 5, concurrencyTag: null, dryRun: false, status: 'queued' as const, now });
    runs.insert.insertMany([run('first', s.now - 100 * DAY)]);
    s.db.prepare("update runs set status = 'succeeded', finished_at = ? where id = 'first'").run(s.now - 100 * DAY);
    pruneOnce({ db: s.db, runs, dbFile: s.dbFile, artifactsDir: s.artifacts, logger: createLogger({ sinks: [] }), now: () => s.now, runsDays: 90, maxDbMb: 2048, auditDays: 365 });
    expect(runs.read.row('first')).toBeUndefined();
    runs.insert.insertMany([run('second', s.now)]);
    expect(s.db.prepare("select yaml from template_contents where hash = 'kept-hash'").pluck().get()).toBe(yaml);
  });
});
