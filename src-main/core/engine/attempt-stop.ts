import type { StopReason } from '../queue';
import { StepAborted } from './errors';

/** Why one attempt of an action was stopped: the run's stop reason, or its own step timeout. */
export type AttemptStopReason = StopReason | 'step_timeout';

/**
 * How one attempt of an action is stopped: the run is cancelled, timed out or shut down (a pause
 * lets the step finish), or the step's own timeout passes. `race` runs the action and settles
 * with its outcome, or rejects (StepAborted) as soon as the attempt is stopped, without waiting
 * for an action that does not notice. The action's AbortSignal is made only when the action reads
 * it, and the race is one promise: an AbortController (an EventTarget) per attempt, a promise to
 * reject, `Promise.race` and the deferred start were a measurable part of a short run (issue 18).
 */
export class AttemptStop {
  reason: AttemptStopReason | undefined;
  private controller: AbortController | undefined;
  private onStop: ((e: StepAborted) => void) | undefined;

  get signal(): AbortSignal {
    if (!this.controller) {
      this.controller = new AbortController();
      if (this.reason !== undefined) this.controller.abort(this.reason);
    }
    return this.controller.signal;
  }

  get aborted(): boolean {
    return this.reason !== undefined;
  }

  stop(reason: AttemptStopReason): void {
    if (this.reason !== undefined) return;
    this.reason = reason;
    this.controller?.abort(reason);
    this.onStop?.(new StepAborted(reason));
  }

  /** The action's result, or StepAborted once stopped; an attempt stopped before it starts does not start the action. */
  race<T>(action: () => T | Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      if (this.reason !== undefined) return reject(new StepAborted(this.reason));
      this.onStop = reject;
      let work: T | Promise<T>;
      try {
        work = action();
      } catch (e) {
        return reject(e);
      }
      // An action that lost the race still settles later: its outcome goes nowhere (no unhandled rejection).
      Promise.resolve(work).then(resolve, reject);
    });
  }
}

/**
 * The run's stop, told to whatever attempt is in flight: one listener on the run's signal for the
 * whole run, instead of one added and removed per attempt.
 */
export class RunStops {
  private readonly attempts = new Set<AttemptStop>();

  constructor(private readonly signal: AbortSignal) {
    signal.addEventListener('abort', () => this.onAbort(), { once: true });
  }

  /** Follows the run's stop until the returned function is called. */
  follow(attempt: AttemptStop): () => void {
    this.attempts.add(attempt);
    if (this.signal.aborted) this.onAbort();
    return () => this.attempts.delete(attempt);
  }

  private onAbort(): void {
    const reason = this.signal.reason as unknown;
    // A pause lets the running step finish; it stops before the next one.
    if (reason === 'pause') return;
    const stop: StopReason = reason === 'shutdown' || reason === 'timeout' || reason === 'cancel' ? reason : 'cancel';
    for (const a of this.attempts) a.stop(stop);
  }
}
