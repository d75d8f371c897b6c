import type { Envelope, ErrorBody } from '@shared/contract/errors';

/** Problems of one form, by input field (`password`), as the dispatcher's 400 lists them. */
export type FieldIssues = Readonly<Record<string, readonly string[]>>;

/** What a form gets back from an action: the data, or the error with its problems per field. */
export type Outcome<T> = { ok: true; data: T } | { ok: false; error: ErrorBody; fields: FieldIssues };

/** `details.issues[]` of a VALIDATION_ERROR, grouped by field; `(root)` for problems of the whole input. */
export function fieldIssues(error: ErrorBody | undefined): FieldIssues {
  const issues = (error?.details as { issues?: unknown } | undefined)?.issues;
  if (!Array.isArray(issues)) return {};
  const out: Record<string, string[]> = {};
  for (const i of issues as { path?: unknown; message?: unknown }[]) {
    if (typeof i?.message !== 'string') continue;
    const path = typeof i.path === 'string' && i.path ? i.path : '(root)';
    (out[path] ??= []).push(i.message);
  }
  return out;
}

export function outcomeOf<T>(envelope: Envelope<T>): Outcome<T> {
  return envelope.ok ? envelope : { ok: false, error: envelope.error, fields: fieldIssues(envelope.error) };
}

/** `details.reason` (`last_admin`, `not_local`, `already_set_up`, `bad_credentials`, …). */
export function reasonOf(error: ErrorBody | undefined): string | undefined {
  const reason = (error?.details as { reason?: unknown } | undefined)?.reason;
  return typeof reason === 'string' ? reason : undefined;
}

/** The wait a 429 asks for (`details.retry_after_s`, the source of the Retry-After header). */
export function retryAfterSeconds(error: ErrorBody | undefined): number | undefined {
  const s = (error?.details as { retry_after_s?: unknown } | undefined)?.retry_after_s;
  return typeof s === 'number' && Number.isFinite(s) && s > 0 ? Math.ceil(s) : undefined;
}

/** Whole seconds from `now` until `until` (epoch ms), never below zero. */
export function secondsLeft(until: number | undefined, now: number): number {
  return until === undefined ? 0 : Math.max(0, Math.ceil((until - now) / 1000));
}
