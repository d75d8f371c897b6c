import type { Envelope, ErrorBody } from '@shared/contract/errors';

/**
 * What a view can honestly say about one query: the procedure is not in this version's contract,
 * is loading, answered, or was refused (sign-in, permission) or failed.
 */
export type QueryStatus = 'unavailable' | 'loading' | 'ready' | 'unauthenticated' | 'forbidden' | 'error';

export interface QueryResult<T> {
  status: QueryStatus;
  data?: T;
  error?: ErrorBody;
}

export function resultOf<T>(envelope: Envelope<T>): QueryResult<T> {
  if (envelope.ok) return { status: 'ready', data: envelope.data };
  const code = envelope.error.code;
  const status: QueryStatus = code === 'UNAUTHENTICATED' ? 'unauthenticated' : code === 'FORBIDDEN' ? 'forbidden' : 'error';
  return { status, error: envelope.error };
}

/** The permission a FORBIDDEN answer names (the dispatcher puts it in details). */
export function missingPermission(error: ErrorBody | undefined): string {
  const d = error?.details as { permission?: unknown } | undefined;
  return typeof d?.permission === 'string' ? d.permission : '?';
}

/** Coalesces bursts of events into one refetch per view. */
export function debounce(fn: () => void, ms: number): () => void {
  let timer: ReturnType<typeof setTimeout> | undefined;
  return () => {
    if (timer !== undefined) clearTimeout(timer);
    timer = setTimeout(() => {
      timer = undefined;
      fn();
    }, ms);
  };
}
