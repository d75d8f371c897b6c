import type { RunView } from '@shared/contract/runs';
import { AppError } from '../kernel/errors';
import { parseHistory, parseObject, type RunRow } from './run-row';
import type { ArtifactRef } from './run-state';

/** The fixed API shapes of SPEC section 12, from stored rows. */

export interface StepRow {
  idx: number;
  step_id: string | null;
  action: string;
  status: RunView['steps'][number]['status'];
  params_json: string | null;
  result_json: string | null;
  error: string | null;
  error_code: string | null;
  attempt: number;
  started_at: number | null;
  finished_at: number | null;
  duration_ms: number | null;
  artifacts_json: string;
}

const iso = (ms: number | null) => (ms === null || ms === undefined ? null : new Date(ms).toISOString());
const json = <T>(text: string | null, fallback: T): T => {
  if (!text) return fallback;
  try {
    return JSON.parse(text) as T;
  } catch {
    return fallback;
  }
};

export function runView(r: RunRow): Omit<RunView, 'steps'> {
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
    variables: parseObject(r.variables_json),
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

export function stepView(s: StepRow): RunView['steps'][number] {
  return {
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
  };
}

/** Every artifact of a run's steps, with the step that made it. */
export function artifactsOf(steps: readonly StepRow[]): (ArtifactRef & { step: number })[] {
  return steps.flatMap((s) => (JSON.parse(s.artifacts_json) as ArtifactRef[]).map((a) => ({ ...a, step: s.idx })));
}

/** The list's cursor: base64url of `created_at:rowid` of the last item (stable under concurrent inserts). */
export function encodeCursor(last: Pick<RunRow, 'created_at' | 'rowid'>): string {
  return Buffer.from(`${last.created_at}:${last.rowid}`).toString('base64url');
}

/** The list's cursor back into the last item's `created_at` and rowid (`seq` on PostgreSQL); VALIDATION_ERROR when damaged. */
export function decodeCursor(cursor: string): { created: number; rowid: number } {
  const [created, rowid] = Buffer.from(cursor, 'base64url').toString('utf8').split(':').map(Number);
  if (!Number.isFinite(created) || !Number.isFinite(rowid)) throw new AppError('VALIDATION_ERROR', 'Invalid cursor; use next_cursor from the previous page', { issues: [{ path: 'cursor', message: 'invalid' }] });
  return { created: created!, rowid: rowid! };
}

