import type { QueryResultRow } from 'pg';
import type { PgClient, PgPool } from './pool';

/** What a PostgreSQL store runs its SQL on: the pool, or one client inside a transaction (its claim then commits with the caller's other writes). */
export type SqlExecutor = PgPool | PgClient;

/** Rows of one statement. */
export async function rowsOf<R extends QueryResultRow>(db: SqlExecutor, text: string, values: unknown[] = []): Promise<R[]> {
  return (await db.query<R>(text, values)).rows;
}

/** How many rows one statement inserted, changed or deleted. */
export async function changesOf(db: SqlExecutor, text: string, values: unknown[] = []): Promise<number> {
  return (await db.query(text, values)).rowCount ?? 0;
}
