import m0001 from './0001_runs.sql';

export interface PgMigration {
  version: number;
  /** Recorded with the version: two builds that numbered different migrations alike are refused. */
  name: string;
  sql: string;
}

/**
 * The fleet database's numbered migrations (PostgreSQL), in order. Add a file `NNNN_name.sql` and
 * list it here; never edit a shipped one. One list for every domain, so the numbers never collide.
 */
export const PG_MIGRATIONS: readonly PgMigration[] = [{ version: 1, name: 'runs', sql: m0001 }];
