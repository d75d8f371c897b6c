import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLUSTER_START_BOUND_MS, startPostgres, type TestPostgres } from '../../../../test-support/postgres';
import { migratePostgres, PgSchemaTooNewError } from './migrate';
import { PG_MIGRATIONS, type PgMigration } from './migrations';
import { openPgPool, type PgPool } from './pool';

let server: TestPostgres;
let admin: PgPool;
const pools: PgPool[] = [];

beforeAll(async () => {
  server = await startPostgres();
  admin = openPgPool(server.url, { max: 1 });
}, CLUSTER_START_BOUND_MS);
afterAll(async () => {
  await Promise.all(pools.map((p) => p.end()));
  await admin?.end();
  await server?.stop();
});

let databases = 0;
/** A fresh database in the test cluster, and `n` pools on it (as `n` nodes would have). */
async function freshDatabase(n: number): Promise<PgPool[]> {
  const name = `m${++databases}`;
  await admin.query(`create database ${name}`);
  const url = server.url.replace(/\/fleet_test$/, `/${name}`);
  const made = Array.from({ length: n }, () => openPgPool(url, { max: 2 }));
  pools.push(...made);
  return made;
}

const counting: PgMigration[] = [
  { version: 1, name: 'first', sql: 'create table applied (version int not null); insert into applied values (1);' },
  { version: 2, name: 'second', sql: 'insert into applied values (2);' },
  { version: 3, name: 'third', sql: 'alter table applied add column note text; insert into applied values (3);' },
];

describe('migratePostgres', () => {
  it('applies each migration once when several nodes start together', async () => {
    const nodes = await freshDatabase(6);
    const results = await Promise.all(nodes.map((pool) => migratePostgres(pool, counting)));
    // Every node ends at the latest version; between them, each migration was applied by one node.
    expect(results.map((r) => r.to)).toEqual(Array(6).fill(3));
    expect(results.flatMap((r) => r.applied).sort()).toEqual([1, 2, 3]);
    const rows = await nodes[0]!.query<{ version: number }>('select version from applied order by version');
    expect(rows.rows.map((r) => r.version)).toEqual([1, 2, 3]);
    const recorded = await nodes[0]!.query('select version, name from schema_migrations order by version');
    expect(recorded.rows).toEqual([
      { version: 1, name: 'first' },
      { version: 2, name: 'second' },
      { version: 3, name: 'third' },
    ]);
    // A restart finds nothing to do.
    expect(await migratePostgres(nodes[1]!, counting)).toEqual({ from: 3, to: 3, applied: [] });
  });

  it('applies the fleet schema (runs domain) and stores epoch-ms times as numbers', async () => {
    const [pool] = await freshDatabase(1);
    const r = await migratePostgres(pool!);
    expect(r.applied).toEqual(PG_MIGRATIONS.map((m) => m.version));
    await pool!.query(`insert into runs (id, template, template_hash, trigger, status, available_at, enqueued_at, created_at)
      values ('r1', 't', 'h', 'manual', 'queued', $1, $1, $1)`, [1_765_000_000_123]);
    const row = await pool!.query('select created_at, seq, dry_run from runs');
    expect(row.rows[0]).toEqual({ created_at: 1_765_000_000_123, seq: 1, dry_run: false });
    await pool!.query('delete from runs');
    expect((await pool!.query('select n from runs_deleted')).rows[0].n).toBe(1);
  });

  it('rolls a failing migration back whole and says which one failed', async () => {
    const [pool] = await freshDatabase(1);
    const broken: PgMigration[] = [counting[0]!, { version: 2, name: 'broken', sql: 'insert into applied values (2); select no_such_column from applied;' }];
    await expect(migratePostgres(pool!, broken)).rejects.toThrow(/migration 2 \(broken\) failed: .*no_such_column/);
    const rows = await pool!.query<{ version: number }>('select version from applied');
    expect(rows.rows.map((r) => r.version)).toEqual([1]);
    expect((await pool!.query('select max(version) as v from schema_migrations')).rows[0].v).toBe(1);
  });

  it('refuses a database from a newer build, and a version recorded under another name', async () => {
    const [pool] = await freshDatabase(1);
    await migratePostgres(pool!, counting);
    await expect(migratePostgres(pool!, counting.slice(0, 2))).rejects.toThrow(PgSchemaTooNewError);
    const renamed = counting.map((m) => (m.version === 2 ? { ...m, name: 'other' } : m));
    await expect(migratePostgres(pool!, renamed)).rejects.toThrow(/migration 2 is recorded as 'second', but this build's is 'other'/);
    await expect(migratePostgres(pool!, [...counting, { version: 3, name: 'twin', sql: '' }])).rejects.toThrow(/share version 3/);
  });
});

describe('openPgPool', () => {
  it('refuses a URL that is not a PostgreSQL URL with a database', () => {
    expect(() => openPgPool('localhost:5432/db')).toThrow(/postgres:\/\//);
    expect(() => openPgPool('mysql://u@h/db')).toThrow(/must start with postgres:\/\//);
    expect(() => openPgPool('postgres://u@h:5432/')).toThrow(/names no database/);
  });
});
