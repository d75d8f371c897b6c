import { describe, expect, it } from 'vitest';
import type { RetryPolicy } from '@shared/config';
import { DESKTOP_LOCKED, DESKTOP_LOCKED_RECHECK_MS } from '@shared/domain/runs';
import type { RunRow } from '../runs';
import { decideAttemptEnd } from './attempt-end';

const now = Date.UTC(2026, 2, 2, 9, 0, 0);
const policy: RetryPolicy = { max_attempts: 1, backoff_ms: 1000, backoff_multiplier: 2, max_backoff_ms: 10_000, jitter: 0, only_idempotent: false };
const run = (attempts: number) => ({ id: 'run_1', attempts, attempt_history_json: '[]', timeout_ms: null, enqueued_at: now - 1000 }) as unknown as RunRow;
const deps = { now, policy: () => policy, mask: (s: string) => s };

describe('how an attempt ends when the screen is locked', () => {
  it('defers the run (retry_wait, rechecked later) even when its retry policy allows no more attempts', () => {
    const locked = { status: 'failed' as const, error: 'DESKTOP_LOCKED: the session is locked; the run waits until it is unlocked', errorCode: DESKTOP_LOCKED, retryable: true };
    for (const attempts of [1, 5]) {
      const end = decideAttemptEnd(run(attempts), now - 500, locked, undefined, deps);
      expect(end.next).toBe('retry_wait');
      expect(end.due).toBe(now + DESKTOP_LOCKED_RECHECK_MS);
      // The try is no attempt: the count goes back, nothing is added to the history.
      expect(end.settlement).toEqual({ kind: 'defer', due: now + DESKTOP_LOCKED_RECHECK_MS, attempts: attempts - 1, error: locked.error, errorCode: DESKTOP_LOCKED });
    }
  });

  it('still fails a run whose desktop was merely unavailable once its attempts are used up', () => {
    const unavailable = { status: 'failed' as const, error: 'DESKTOP_UNAVAILABLE: no display', errorCode: 'DESKTOP_UNAVAILABLE', retryable: true };
    expect(decideAttemptEnd(run(1), now - 500, unavailable, undefined, deps).next).toBe('failed');
  });

  it('a cancel or a timeout while locked is what it is, not a deferral', () => {
    const locked = { status: 'failed' as const, error: 'locked', errorCode: DESKTOP_LOCKED, retryable: true };
    expect(decideAttemptEnd(run(1), now - 500, locked, 'cancel', deps).next).toBe('cancelled');
    expect(decideAttemptEnd(run(1), now - 500, locked, 'timeout', deps).next).toBe('failed');
  });
});
