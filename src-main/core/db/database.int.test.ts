import BetterSqlite3 from 'better-sqlite3';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openDatabase } from './database';
import { SchemaTooNewError } from './migrate';
import { MIGRATIONS } from './migrations';

const tmpFile = () => join(mkdtempSync(join(tmpdir(), 'da-db-')), 'desktop-agent.db');
const latest = Math.max(...MIGRATIONS.map((m) => m.version));

describe('openDatabase', () => {
  it('creates the schema in WAL mode with foreign keys on', () => {
    const db = openDatabase({ file: tmpFile() });
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
    expect(db.pragma('user_version', { simple: true })).toBe(latest);
    const tables = db.prepare("select name from sqlite_master where type='table'").pluck().all();
    expect(tables).toEqual(expect.arrayContaining(['runs', 'run_steps', 'audit_log', 'meta']));
    db.close();
  });

  it('refuses a database written by a newer schema and leaves it untouched', () => {
    const file = tmpFile();
    const raw = new BetterSqlite3(file);
    raw.pragma(`user_version = ${latest + 7}`);
    raw.exec('create table future_thing (x)');
    raw.close();
    expect(() => openDatabase({ file })).toThrow(SchemaTooNewError);
    expect(() => openDatabase({ file })).toThrow(/schema version \d+, newer than this build/);
    const again = new BetterSqlite3(file);
    expect(again.pragma('user_version', { simple: true })).toBe(latest + 7);
    again.close();
  });

  it('migrates an older database forward, keeping its data', () => {
    const file = tmpFile();
    const old = openDatabase({ file, migrations: MIGRATIONS.filter((m) => m.version === 1) });
    old.prepare("insert into meta(key, value) values ('first_start', '2026-01-01')").run();
    expect(old.pragma('user_version', { simple: true })).toBe(1);
    old.close();
    const db = openDatabase({ file });
    expect(db.pragma('user_version', { simple: true })).toBe(latest);
    expect(db.prepare("select value from meta where key='first_start'").pluck().get()).toBe('2026-01-01');
    db.close();
  });

  it('rolls back a failing migration as a whole', () => {
    const file = tmpFile();
    const bad = [...MIGRATIONS.filter((m) => m.version === 1), { version: 2, name: 'bad', sql: 'create table half (x); this is not sql;' }];
    expect(() => openDatabase({ file, migrations: bad })).toThrow();
    const db = new BetterSqlite3(file);
    expect(db.pragma('user_version', { simple: true })).toBe(1);
    expect(db.prepare("select count(*) from sqlite_master where name='half'").pluck().get()).toBe(0);
    db.close();
  });

  it('reports a file that is not a database with a clear error', () => {
    const file = tmpFile();
    writeFileSync(file, 'this is not a sqlite database at all, just text'.repeat(100));
    expect(() => openDatabase({ file })).toThrow(/not a database|integrity/i);
  });
});
