import { LOCK_NAMESPACE } from './lock-keys';
import { PG_MIGRATIONS, type PgMigration } from './migrations';
import type { PgClient, PgPool } from './pool';

export class PgSchemaTooNewError extends Error {
  constructor(readonly found: number, readonly supported: number) {
    super(
      `The fleet database has schema version ${found}, newer than this build of Desktop Agent supports (${supported}). ` +
        'Another node runs a newer version: upgrade this node. Nothing was changed.',
    );
    this.name = 'PgSchemaTooNewError';
  }
}

/**
 * Applies the numbered migrations the fleet database lacks, each in its own transaction under a
 * transaction-scoped advisory lock: nodes that start together queue on the lock, and each one
 * re-reads the version table once it holds it, so every migration is applied exactly once.
 * `schema_migrations` records each version with its name; a recorded name that differs from this
 * build's (two branches took one number) is refused rather than guessed at.
 */
export async function migratePostgres(pool: PgPool, migrations: readonly PgMigration[] = PG_MIGRATIONS): Promise<{ from: number; to: number; applied: number[] }> {
  const sorted = checkedOrder(migrations);
  const latest = sorted.at(-1)?.version ?? 0;
  const client = await pool.connect();
  try {
    await locked(client, () =>
      client.query(`create table if not exists schema_migrations (
        version integer primary key, name text not null, applied_at bigint not null)`),
    );
    const from = (await recorded(client)).reduce((m, r) => Math.max(m, r.version), 0);
    if (from > latest) throw new PgSchemaTooNewError(from, latest);
    const applied: number[] = [];
    for (const m of sorted) {
      const done = await locked(client, async () => {
        const have = new Map((await recorded(client)).map((r) => [r.version, r.name]));
        const name = have.get(m.version);
        if (name !== undefined) {
          if (name !== m.name) throw new Error(`Fleet database migration ${m.version} is recorded as '${name}', but this build's is '${m.name}': the builds disagree, nothing was changed`);
          return false;
        }
        try {
          await client.query(m.sql);
        } catch (e) {
          throw new Error(`Fleet database migration ${m.version} (${m.name}) failed: ${(e as Error).message}`, { cause: e });
        }
        await client.query('insert into schema_migrations(version, name, applied_at) values ($1, $2, $3)', [m.version, m.name, Date.now()]);
        return true;
      });
      if (done) applied.push(m.version);
    }
    return { from, to: Math.max(from, latest), applied };
  } finally {
    client.release();
  }
}

async function recorded(client: PgClient): Promise<{ version: number; name: string }[]> {
  return (await client.query<{ version: number; name: string }>('select version, name from schema_migrations')).rows;
}

/** fn in one transaction that first takes the migration lock (released at COMMIT or ROLLBACK). */
async function locked<T>(client: PgClient, fn: () => Promise<T>): Promise<T> {
  await client.query('begin');
  try {
    await client.query('select pg_advisory_xact_lock($1, 0)', [LOCK_NAMESPACE.migrate]);
    const result = await fn();
    await client.query('commit');
    return result;
  } catch (e) {
    await client.query('rollback').catch(() => undefined);
    throw e;
  }
}

function checkedOrder(migrations: readonly PgMigration[]): PgMigration[] {
  const sorted = [...migrations].sort((a, b) => a.version - b.version);
  sorted.forEach((m, i) => {
    if (!Number.isInteger(m.version) || m.version < 1) throw new Error(`Fleet database migration '${m.name}' has version ${m.version}: versions are whole numbers from 1`);
    if (i > 0 && sorted[i - 1]!.version === m.version) throw new Error(`Fleet database migrations '${sorted[i - 1]!.name}' and '${m.name}' share version ${m.version}`);
  });
  return sorted;
}
