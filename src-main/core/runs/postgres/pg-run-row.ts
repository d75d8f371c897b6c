import type { QueryResult } from 'pg';
import { RUN_COLUMN_NAMES, runRowOf, type RunRow } from '../run-row';

/**
 * RUN_COLUMNS as the fleet database names and types them, in runRowOf's order: `seq` (insertion
 * order) stands in for SQLite's rowid, and the boolean flags read as the 0/1 RunRow carries.
 * Statements read with `rowMode: 'array'` and map with runRowOf, so both backends build RunRow
 * in one place.
 */
export const PG_RUN_COLUMNS = RUN_COLUMN_NAMES.map((c) => (c === 'rowid' ? 'seq' : c === 'dry_run' || c === 'cancel_requested' ? `${c}::int` : c)).join(', ');

/** The same list qualified by a table alias (`r.seq, r.id, …`). */
export function pgRunColumnsOf(alias: string): string {
  return PG_RUN_COLUMNS.split(', ').map((c) => `${alias}.${c}`).join(', ');
}

export function runRowsOf(result: QueryResult<unknown[]>): RunRow[] {
  return result.rows.map((v) => runRowOf(v));
}

/** The channel a node LISTENs on to hear of new queued runs; the payload is the queue's name. */
export const RUNS_QUEUED_CHANNEL = 'da_runs_queued';
