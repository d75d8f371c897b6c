import type { Database } from 'better-sqlite3';
import type { RunView } from '@shared/contract/runs';
import type { RunStatus } from '@shared/domain/runs';
import { AppError } from '../kernel/errors';
import { parseHistory } from './queue-store';

/** Reading runs for the API: the fixed shapes of SPEC section 12. */

interface RunRow {
  rowid: number;
  id: string;
  template: string;
  template_hash: string;
  status: RunStatus;
  queue: string;
  priority: number;
  trigger: string;
  requested_by: string | null;
  attempts: number;
  attempt_history_json: string;
  variables_json: string;
  dry_run: number;
  concurrency_tag: string | null;
  created_at: number;
  started_at: number | null;
  finished_at: number | null;
  available_at: number;
  error: string | null;
  error_code: string | null;
  retry_of: string | null;
}

interface StepRow {
  idx: number;
  step_id: string | null;
  action: string;
  status: RunView['steps'][number]['status'];
  params_json: string | null;
  result_json: string | null;
  error: string | null;
  error_code: string | null;
  started_at: number | null;
  finished_at: number | null;
  duration_ms: number | null;
  artifacts_json: string;
}

const COLUMNS = `rowid, id, template, template_hash, status, queue, priority, trigger, requested_by, attempts, attempt_history_json,
  variables_json, dry_run, concurrency_tag, created_at, started_at, finished_at, available_at, error, error_code, retry_of`;

const iso = (ms: number | null) => (ms === null || ms === undefined ? null : new Date(ms).toISOString());
const json = <T>(text: string | null, fallback: T): T => {
  if (!text) return fallback;
  try {
    return JSON.parse(text) as T;
  } catch {
    return fallback;
  }
};

function toView(r: RunRow): Omit<RunView, 'steps'> {
  return {
    id: r.id,
    template: r.template,
    template_hash: r.template_hash,
    status: r.status,
    queue: r.queue,
    priority: r.priority,
    trigger: r.trigger,
    requested_by: r.requested_by,
    attempts: r.attempts,
    attempt_history: parseHistory(r.attempt_history_json).map((a) => ({ ...a, error_code: a.error_code ?? null })),
    variables: json(r.variables_json, {}),
    dry_run: r.dry_run === 1,
    concurrency_tag: r.concurrency_tag,
    created_at: iso(r.created_at)!,
    started_at: iso(r.started_at),
    finished_at: iso(r.finished_at),
    available_at: r.status === 'retry_wait' ? iso(r.available_at) : null,
    error: r.error,
    error_code: r.error_code,
    retry_of: r.retry_of,
  };
}

export interface ListFilter {
  status?: RunStatus;
  queue?: string;
  template?: string;
  limit: number;
  cursor?: string;
}

/** Cursor = base64url of `created_at:rowid` of the last item: stable under concurrent inserts. */
function decodeCursor(cursor: string): { created: number; rowid: number } {
  const [created, rowid] = Buffer.from(cursor, 'base64url').toString('utf8').split(':').map(Number);
  if (!Number.isFinite(created) || !Number.isFinite(rowid)) throw new AppError('VALIDATION_ERROR', 'Invalid cursor; use next_cursor from the previous page', { issues: [{ path: 'cursor', message: 'invalid' }] });
  return { created: created!, rowid: rowid! };
}

export function listRuns(db: Database, f: ListFilter): { items: Omit<RunView, 'steps'>[]; next_cursor: string | null } {
  const where: string[] = [];
  const args: unknown[] = [];
  for (const [column, value] of [['status', f.status], ['queue', f.queue], ['template', f.template]] as const) {
    if (value === undefined) continue;
    where.push(`${column} = ?`);
    args.push(value);
  }
  if (f.cursor) {
    const c = decodeCursor(f.cursor);
    where.push('(created_at < ? or (created_at = ? and rowid < ?))');
    args.push(c.created, c.created, c.rowid);
  }
  const rows = db
    .prepare(`select ${COLUMNS} from runs ${where.length ? 'where ' + where.join(' and ') : ''} order by created_at desc, rowid desc limit ?`)
    .all(...args, f.limit + 1) as RunRow[];
  const page = rows.slice(0, f.limit);
  const last = page[page.length - 1];
  return {
    items: page.map(toView),
    next_cursor: rows.length > f.limit && last ? Buffer.from(`${last.created_at}:${last.rowid}`).toString('base64url') : null,
  };
}

export function getRun(db: Database, id: string): RunView {
  const r = db.prepare(`select ${COLUMNS} from runs where id = ?`).get(id) as RunRow | undefined;
  if (!r) throw new AppError('NOT_FOUND', `Run ${id} not found`);
  const steps = db.prepare('select * from run_steps where run_id = ? order by idx').all(id) as StepRow[];
  return {
    ...toView(r),
    steps: steps.map((s) => ({
      index: s.idx,
      id: s.step_id,
      action: s.action,
      status: s.status,
      params: json(s.params_json, null),
      result: json(s.result_json, null),
      error: s.error,
      error_code: s.error_code,
      started_at: iso(s.started_at),
      finished_at: iso(s.finished_at),
      duration_ms: s.duration_ms,
      artifacts: json(s.artifacts_json, []),
    })),
  };
}
