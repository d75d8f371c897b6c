import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type pg from 'pg';
import { openDatabase, type Database } from '../src-main/core/db/database';
import { clusterForFile, freshDatabase } from './postgres-db';

/**
 * The two backends a conformance suite runs its cases on: SQLite in a temp dir and PostgreSQL
 * (one throw-away cluster per test file, a fresh database per case). `open` gives a case its own
 * empty, migrated store; `close` undoes everything it opened.
 */
export interface Backend<S> {
  name: 'sqlite' | 'postgres';
  open(): Promise<S>;
  closeAll(): Promise<void>;
}

export function sqliteBackend<S>(make: (db: Database) => S): Backend<S> {
  const opened: { dir: string; db: Database }[] = [];
  return {
    name: 'sqlite',
    open: async () => {
      const dir = mkdtempSync(join(tmpdir(), 'da-conf-'));
      const db = openDatabase({ file: join(dir, 'test.db') });
      opened.push({ dir, db });
      return make(db);
    },
    closeAll: async () => {
      for (const o of opened.splice(0)) {
        o.db.close();
        rmSync(o.dir, { recursive: true, force: true });
      }
    },
  };
}

/**
 * Call at the top of a test file: the file's cluster starts in a `beforeAll` hook with the cluster
 * start bound (not inside the first case, whose 90 s limit a start on a busy machine can pass),
 * and stops after the file.
 */
export function postgresBackend<S>(make: (pool: pg.Pool, url: string) => S): Backend<S> {
  const cluster = clusterForFile();
  const pools: { close(): Promise<void> }[] = [];
  return {
    name: 'postgres',
    open: async () => {
      const fresh = await freshDatabase(cluster.url);
      pools.push(fresh);
      return make(fresh.pool, fresh.url);
    },
    closeAll: async () => {
      for (const p of pools.splice(0)) await p.close();
    },
  };
}
