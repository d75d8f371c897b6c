import { describe, expect, it } from 'vitest';
import { DEFAULT_RETRY_POLICY } from '@shared/config';
import { retryDelayMs, shouldRetry } from './backoff';

const policy = { ...DEFAULT_RETRY_POLICY, backoff_ms: 1000, backoff_multiplier: 1.5, max_backoff_ms: 5000, jitter: 0 };

describe('retryDelayMs', () => {
  it('waits backoff_ms before the first retry and multiplies after', () => {
    expect([1, 2, 3, 4].map((n) => retryDelayMs(policy, n))).toEqual([1000, 1500, 2250, 3375]);
  });
  it('caps at max_backoff_ms', () => {
    expect(retryDelayMs(policy, 10)).toBe(5000);
  });
  it('spreads by at most ± jitter', () => {
    const p = { ...policy, jitter: 0.1 };
    expect(retryDelayMs(p, 1, () => 0)).toBe(900);
    expect(retryDelayMs(p, 1, () => 1)).toBe(1100);
    expect(retryDelayMs(p, 1, () => 0.5)).toBe(1000);
  });
});

describe('shouldRetry', () => {
  const base = { policy: { ...policy, max_attempts: 3, only_idempotent: true }, attempts: 1, retryable: true, failedStepIdempotent: true };
  it('retries a retryable failure while attempts remain', () => {
    expect(shouldRetry(base)).toEqual({ retry: true });
  });
  it('stops when attempts are used up, the error is permanent, or the step is not idempotent', () => {
    expect(shouldRetry({ ...base, attempts: 3 })).toEqual({ retry: false, reason: 'all 3 attempts used' });
    expect(shouldRetry({ ...base, retryable: false }).retry).toBe(false);
    expect(shouldRetry({ ...base, failedStepIdempotent: false }).retry).toBe(false);
    expect(shouldRetry({ ...base, failedStepIdempotent: false, policy: { ...base.policy, only_idempotent: false } }).retry).toBe(true);
  });
});
