import type { RetryPolicy } from '@shared/config';
import type { RunStatus } from '@shared/domain/runs';

/**
 * The one row type of the `runs` table (every column but the template text, which lives once per
 * content hash in `template_contents`). Every statement of core/runs that reads a run reads these
 * columns, so the queue, the engine, HITL, retention and the API see the same shape.
 */
export interface RunRow {
  rowid: number;
  id: string;
  template: string;
  template_hash: string;
  variables_json: string;
  trigger: string;
  trigger_json: string;
  requested_by: string | null;
  queue: string;
  priority: number;
  concurrency_tag: string | null;
  dry_run: number;
  idempotency_key: string | null;
  status: RunStatus;
  attempts: number;
  attempt_history_json: string;
  next_step: number;
  state_json: string | null;
  available_at: number;
  enqueued_at: number;
  created_at: number;
  started_at: number | null;
  finished_at: number | null;
  error: string | null;
  error_code: string | null;
  lease_owner: string | null;
  lease_expires_at: number | null;
  cancel_requested: number;
  retry_json: string | null;
  timeout_ms: number | null;
  retry_of: string | null;
  paused_from: string | null;
}

/**
 * What a run executes, in the core's words (camelCase, JSON columns parsed): the part of a run a
 * new run (run-insert.ts) and the engine's view of it (ExecutableRun) share, read from RunRow.
 */
export interface RunSubject {
  id: string;
  template: string;
  templateHash: string;
  templateYaml: string;
  /** Masked already. */
  variables: Record<string, unknown>;
  trigger: string;
  requestedBy: string | null;
  dryRun: boolean;
}

/** The columns of RunRow in the order `runRowOf` reads them. */
export const RUN_COLUMN_NAMES = [
  'rowid', 'id', 'template', 'template_hash', 'variables_json', 'trigger', 'trigger_json', 'requested_by', 'queue', 'priority',
  'concurrency_tag', 'dry_run', 'idempotency_key', 'status', 'attempts', 'attempt_history_json', 'next_step', 'state_json', 'available_at',
  'enqueued_at', 'created_at', 'started_at', 'finished_at', 'error', 'error_code', 'lease_owner', 'lease_expires_at', 'cancel_requested',
  'retry_json', 'timeout_ms', 'retry_of', 'paused_from',
] as const satisfies readonly (keyof RunRow)[];

/** The column list of RunRow, for `select`; read such a statement with `.raw()` and `runRowOf`. */
export const RUN_COLUMNS = RUN_COLUMN_NAMES.join(', ');

/**
 * A RunRow from the values of a `.raw()` statement that selects RUN_COLUMNS. better-sqlite3 builds
 * an object row by setting each of the 32 columns by name, which measured several times the cost
 * of this one literal (issue 18: it was most of the dispatcher's heads query).
 */
export function runRowOf(v: unknown[]): RunRow {
  return {
    rowid: v[0] as number,
    id: v[1] as string,
    template: v[2] as string,
    template_hash: v[3] as string,
    variables_json: v[4] as string,
    trigger: v[5] as string,
    trigger_json: v[6] as string,
    requested_by: v[7] as string | null,
    queue: v[8] as string,
    priority: v[9] as number,
    concurrency_tag: v[10] as string | null,
    dry_run: v[11] as number,
    idempotency_key: v[12] as string | null,
    status: v[13] as RunStatus,
    attempts: v[14] as number,
    attempt_history_json: v[15] as string,
    next_step: v[16] as number,
    state_json: v[17] as string | null,
    available_at: v[18] as number,
    enqueued_at: v[19] as number,
    created_at: v[20] as number,
    started_at: v[21] as number | null,
    finished_at: v[22] as number | null,
    error: v[23] as string | null,
    error_code: v[24] as string | null,
    lease_owner: v[25] as string | null,
    lease_expires_at: v[26] as number | null,
    cancel_requested: v[27] as number,
    retry_json: v[28] as string | null,
    timeout_ms: v[29] as number | null,
    retry_of: v[30] as string | null,
    paused_from: v[31] as string | null,
  };
}

/** The row of a `.raw()` statement selecting RUN_COLUMNS, or undefined. */
export function maybeRunRow(v: unknown): RunRow | undefined {
  return v === undefined ? undefined : runRowOf(v as unknown[]);
}

/** One attempt of a run, as kept in `attempt_history_json`. */
export interface AttemptRecord {
  attempt: number;
  started_at: string | null;
  finished_at: string | null;
  status: string;
  error: string | null;
  error_code?: string | null;
}

export function parseHistory(json: string | null): AttemptRecord[] {
  if (!json || json === '[]') return [];
  try {
    const v = JSON.parse(json) as unknown;
    return Array.isArray(v) ? (v as AttemptRecord[]) : [];
  } catch {
    return [];
  }
}

export function parsePolicy(json: string | null, fallback: RetryPolicy): RetryPolicy {
  if (!json) return fallback;
  try {
    return { ...fallback, ...(JSON.parse(json) as Partial<RetryPolicy>) };
  } catch {
    return fallback;
  }
}

/** A JSON object column, or the fallback when empty or damaged. */
export function parseObject(text: string | null, fallback: Record<string, unknown> = {}): Record<string, unknown> {
  if (!text) return fallback;
  if (text === '{}') return {};
  try {
    const v = JSON.parse(text) as unknown;
    return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : fallback;
  } catch {
    return fallback;
  }
}

export const FINAL_SQL = "('succeeded', 'failed', 'cancelled')";
