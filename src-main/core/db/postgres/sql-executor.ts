import type { ClientBase, Pool, QueryResultRow } from 'pg';

/** What a PostgreSQL store runs its SQL on: the pool, or one client inside a transaction. */
export type SqlExecutor = Pool | ClientBase;

/** Rows of one statement. */
export async function rowsOf<R extends QueryResultRow>(db: SqlExecutor, text: string, values: unknown[] = []): Promise<R[]> {
  return (await db.query<R>(text, values)).rows;
}

/** How many rows one statement inserted, changed or deleted. */
export async function changesOf(db: SqlExecutor, text: string, values: unknown[] = []): Promise<number> {
  return (await db.query(text, values)).rowCount ?? 0;
}

/** BIGINT comes back as a string (it may exceed 2^53); our times and counts never do. */
export function num(v: string | number): number;
export function num(v: string | number | null): number | null;
export function num(v: string | number | null): number | null {
  return v === null ? null : Number(v);
}

/** Runs work on one client in one transaction: committed when it resolves, rolled back when it throws. */
export async function inTransaction<T>(pool: Pool, work: (client: ClientBase) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const value = await work(client);
    await client.query('COMMIT');
    return value;
  } catch (e) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw e;
  } finally {
    client.release();
  }
}
