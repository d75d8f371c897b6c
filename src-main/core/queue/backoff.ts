import type { RetryPolicy } from '@shared/config';

/**
 * Delay before attempt n+1 after attempt n failed (SPEC section 5):
 * backoff_ms × backoff_multiplier^(n-1), capped by max_backoff_ms, then ± jitter.
 * The first retry waits backoff_ms. `random` is injectable so tests are exact.
 */
export function retryDelayMs(policy: RetryPolicy, failedAttempt: number, random: () => number = Math.random): number {
  const n = Math.max(1, failedAttempt);
  const base = Math.min(policy.backoff_ms * Math.pow(policy.backoff_multiplier, n - 1), policy.max_backoff_ms);
  const spread = base * policy.jitter;
  const jittered = base + (random() * 2 - 1) * spread;
  return Math.max(0, Math.round(Math.min(jittered, policy.max_backoff_ms)));
}

export interface RetryDecisionInput {
  policy: RetryPolicy;
  attempts: number;
  retryable: boolean;
  failedStepIdempotent: boolean;
}

/** Whether a failed attempt is retried, and why not when it is not. */
export function shouldRetry(i: RetryDecisionInput): { retry: true } | { retry: false; reason: string } {
  if (!i.retryable) return { retry: false, reason: 'the failure is not retryable' };
  if (i.attempts >= i.policy.max_attempts) return { retry: false, reason: `all ${i.policy.max_attempts} attempts used` };
  if (i.policy.only_idempotent && !i.failedStepIdempotent) return { retry: false, reason: 'the failed step is not idempotent (retry.only_idempotent is true)' };
  return { retry: true };
}
