import type { StopReason } from '../queue';
import { StepAborted } from './errors';

/** Why one attempt of an action was stopped: the run's stop reason, or its own step timeout. */
export type AttemptStopReason = StopReason | 'step_timeout';

/**
 * How one attempt of an action is stopped: the run is cancelled, timed out or shut down (a pause
 * lets the step finish), or the step's own timeout passes. `stopped` rejects then, so the runner
 * can race the action against it. The action's AbortSignal is made only when the action reads
 * it: an AbortController (an EventTarget) per attempt was a measurable part of a short run, and
 * most actions never look at their signal (issue 18).
 */
export class AttemptStop {
  reason: AttemptStopReason | undefined;
  readonly stopped: Promise<never>;
  private controller: AbortController | undefined;
  private reject!: (e: unknown) => void;

  constructor() {
    this.stopped = new Promise<never>((_, reject) => (this.reject = reject));
    // Nobody may be racing it any more when it rejects (the action won).
    this.stopped.catch(() => undefined);
  }

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
    this.reject(new StepAborted(reason));
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
