import { ActionError, type ActionContext } from './action-types';

/** Throws the engine's cancel error if the step was aborted (cancel or step timeout). */
export function throwIfAborted(ctx: Pick<ActionContext, 'signal'>): void {
  if (ctx.signal.aborted) throw cancelled(ctx.signal);
}

export function cancelled(signal: AbortSignal): ActionError {
  const reason = signal.reason instanceof Error ? signal.reason.message : typeof signal.reason === 'string' ? signal.reason : 'the step was aborted';
  return new ActionError('CANCELLED', `Cancelled: ${reason}`, false);
}

/** Resolves after ms on the context's clock; rejects at once when the step is aborted. */
export function pause(ctx: Pick<ActionContext, 'signal' | 'clock'>, ms: number): Promise<void> {
  return new Promise((resolve, reject) => {
    if (ctx.signal.aborted) return reject(cancelled(ctx.signal));
    const onAbort = () => {
      timer.cancel();
      reject(cancelled(ctx.signal));
    };
    const timer = ctx.clock.setTimer(ms, () => {
      ctx.signal.removeEventListener('abort', onAbort);
      resolve();
    });
    ctx.signal.addEventListener('abort', onAbort, { once: true });
  });
}

export interface Polled<T> {
  value: T | undefined;
  waitedMs: number;
}

/**
 * Asks `probe` until it returns a value or `timeoutMs` has passed (it is asked at least once,
 * and once more at the deadline). Pages change under us (navigation, rendering), so element
 * lookups are polled the way Playwright's own auto-waiting does.
 */
export async function pollUntil<T>(
  ctx: Pick<ActionContext, 'signal' | 'clock'>,
  timeoutMs: number,
  probe: () => Promise<T | undefined>,
  intervalMs = 150,
): Promise<Polled<T>> {
  const start = ctx.clock.now();
  for (;;) {
    throwIfAborted(ctx);
    const value = await probe();
    const waitedMs = ctx.clock.now() - start;
    if (value !== undefined) return { value, waitedMs };
    if (waitedMs >= timeoutMs) return { value: undefined, waitedMs };
    await pause(ctx, Math.min(intervalMs, timeoutMs - waitedMs));
  }
}
