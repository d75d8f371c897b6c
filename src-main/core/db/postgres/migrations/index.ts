import m0001 from './0001_runs.sql';
import m0002 from './0002_schedules.sql';
import m0003 from './0003_webhooks.sql';
import m0004 from './0004_audit.sql';
import m0005 from './0005_nodes.sql';
import m0006 from './0006_approvals.sql';

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
export const PG_MIGRATIONS: readonly PgMigration[] = [
  { version: 1, name: 'runs', sql: m0001 },
  { version: 2, name: 'schedules', sql: m0002 },
  { version: 3, name: 'webhooks', sql: m0003 },
  { version: 4, name: 'audit', sql: m0004 },
  { version: 5, name: 'nodes', sql: m0005 },
  { version: 6, name: 'approvals', sql: m0006 },
];
