import pg from 'pg';
import schedules from '../src-main/core/db/postgres/migrations/9001_schedules.sql';
import webhooks from '../src-main/core/db/postgres/migrations/9002_webhooks.sql';
import audit from '../src-main/core/db/postgres/migrations/9003_audit.sql';

let counter = 0;

/** A fresh database on the test file's cluster with the migrations applied, and a pool on it. */
export async function freshDatabase(clusterUrl: string): Promise<{ url: string; pool: pg.Pool; close(): Promise<void> }> {
  const name = `t${process.pid}_${++counter}`;
  const admin = new pg.Client(clusterUrl);
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  const url = clusterUrl.replace(/\/[^/]*$/, `/${name}`);
  const pool = new pg.Pool({ connectionString: url, max: 8 });
  for (const sql of [schedules, webhooks, audit]) await pool.query(sql);
  return { url, pool, close: () => pool.end() };
}
