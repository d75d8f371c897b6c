import pg from 'pg';
import { afterAll, beforeAll } from 'vitest';
import { migratePostgres } from '../src-main/core/db/postgres/migrate';
import { openPgPool, type PgClient, type PgPool } from '../src-main/core/db/postgres/pool';
import { CLUSTER_START_BOUND_MS, startPostgres, type TestPostgres } from './postgres';

let counter = 0;

/** A throw-away cluster for the calling test file: started before its tests, stopped after them. */
export function clusterForFile(): { readonly url: string } {
  let cluster: TestPostgres | undefined;
  beforeAll(async () => {
    cluster = await startPostgres();
  }, CLUSTER_START_BOUND_MS);
  afterAll(() => cluster?.stop());
  return {
    get url() {
      if (!cluster) throw new Error('The test cluster is not started yet (use it inside a test)');
      return cluster.url;
    },
  };
}

/** A fresh database on a test file's cluster (test-support/postgres.ts), migrated, with a pool on it. */
export async function freshDatabase(clusterUrl: string): Promise<{ url: string; pool: PgPool; close(): Promise<void> }> {
  const name = `case_${process.pid}_${++counter}`;
  const admin = new pg.Client({ connectionString: clusterUrl });
  await admin.connect();
  try {
    await admin.query(`create database ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(clusterUrl);
  url.pathname = `/${name}`;
  const pool = openPgPool(url.toString(), { max: 8 });
  await migratePostgres(pool);
  return { url: url.toString(), pool, close: () => pool.end() };
}

/** A node of a fleet in a test: its own pool and one connection held from it (for BEGIN … COMMIT). */
export async function testNode(url: string, id: string): Promise<{ id: string; client: PgClient; close(): Promise<void> }> {
  const pool = openPgPool(url, { max: 1, applicationName: id, onIdleError: () => undefined });
  const client = await pool.connect();
  // A node whose session the server ends (a test kills it) must not crash the test process.
  client.on('error', () => undefined);
  return {
    id,
    client,
    close: async () => {
      client.release(true);
      await pool.end();
    },
  };
}
