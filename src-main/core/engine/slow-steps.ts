import type { Clock, TimerHandle } from '../kernel/ports';

/**
 * Shows a step that takes a while as `running` (its row written once it has run `afterMs`), with
 * one timer for every step in flight instead of one per step: most steps end long before, and a
 * timer set and cancelled per step was a measurable part of a short run (issue 18).
 */
export class SlowSteps {
  private readonly steps = new Set<{ due: number; show: () => void }>();
  private timer: TimerHandle | undefined;

  constructor(
    private readonly clock: Clock,
    private readonly afterMs: number,
  ) {}

  /** Calls `show` once the step has run `afterMs`, unless the returned function is called first. */
  watch(show: () => void): () => void {
    const entry = { due: this.clock.now() + this.afterMs, show };
    this.steps.add(entry);
    if (!this.timer) this.arm(this.afterMs);
    return () => this.steps.delete(entry);
  }

  private arm(ms: number): void {
    this.timer = this.clock.setTimer(ms, () => this.tick());
  }

  private tick(): void {
    this.timer = undefined;
    const now = this.clock.now();
    let next = Infinity;
    for (const entry of this.steps) {
      if (entry.due > now) {
        next = Math.min(next, entry.due);
        continue;
      }
      this.steps.delete(entry);
      entry.show();
    }
    if (next !== Infinity) this.arm(next - now);
  }
}
