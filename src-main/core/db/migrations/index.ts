import m0001 from './0001_foundation.sql';
import m0002 from './0002_runs.sql';
import m0003 from './0003_users.sql';
import m0004 from './0004_queue.sql';
import m0005 from './0005_secrets.sql';
import m0006 from './0006_approvals.sql';
import m0007 from './0007_run_counts.sql';
import m0008 from './0008_schedules.sql';
import m0009 from './0009_webhooks.sql';
import m0010 from './0010_failure_clusters.sql';
import m0011 from './0011_step_journal.sql';
import m0012 from './0012_watchers.sql';

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

/** Numbered migrations, in order. Add a file `NNNN_name.sql` and list it here; never edit a shipped one. */
export const MIGRATIONS: readonly Migration[] = [
  { version: 1, name: 'foundation', sql: m0001 },
  { version: 2, name: 'runs', sql: m0002 },
  { version: 3, name: 'users', sql: m0003 },
  { version: 4, name: 'queue', sql: m0004 },
  { version: 5, name: 'secrets', sql: m0005 },
  { version: 6, name: 'approvals', sql: m0006 },
  { version: 7, name: 'run_counts', sql: m0007 },
  { version: 8, name: 'schedules', sql: m0008 },
  { version: 9, name: 'webhooks', sql: m0009 },
  { version: 10, name: 'failure_clusters', sql: m0010 },
  { version: 11, name: 'step_journal', sql: m0011 },
  { version: 12, name: 'watchers', sql: m0012 },
];
