import type { Clock, TimerHandle } from './ports';

export const MINUTE_MS = 60_000;
export const HOUR_MS = 60 * MINUTE_MS;
export const DAY_MS = 24 * HOUR_MS;

export const systemClock: Clock = {
  now: () => Date.now(),
  setTimer(ms, fn): TimerHandle {
    const t = setTimeout(fn, Math.max(0, ms));
    t.unref?.();
    return { cancel: () => clearTimeout(t) };
  },
};

let lastMs = NaN;
let lastIso = '';

/**
 * `new Date(ms).toISOString()`, remembering the last one: a busy queue stamps several events,
 * log lines and history entries in the same millisecond (issue 18).
 */
export function isoAt(ms: number): string {
  if (ms !== lastMs) {
    lastIso = new Date(ms).toISOString();
    lastMs = ms;
  }
  return lastIso;
}

/**
 * A clock that only moves when told to. Timers fire in due order during `advance`,
 * each seeing `now()` equal to its due time.
 */
export class FakeClock implements Clock {
  private current: number;
  private timers: { id: number; due: number; fn: () => void }[] = [];
  private nextId = 1;

  constructor(start: number | string = Date.UTC(2026, 0, 15, 9, 0, 0)) {
    this.current = typeof start === 'string' ? Date.parse(start) : start;
  }

  now(): number {
    return this.current;
  }

  setTimer(ms: number, fn: () => void): TimerHandle {
    const id = this.nextId++;
    this.timers.push({ id, due: this.current + Math.max(0, ms), fn });
    return { cancel: () => (this.timers = this.timers.filter((t) => t.id !== id)) };
  }

  /** Moves time forward by ms, firing due timers in order (and timers they schedule within the window). */
  advance(ms: number): void {
    const target = this.current + ms;
    while (this.fireNext(target));
    this.current = target;
  }

  /** Like advance, but lets promises settle between timers so async work started by a timer can proceed. */
  async advanceAsync(ms: number): Promise<void> {
    const target = this.current + ms;
    do await flushMicrotasks();
    while (this.fireNext(target));
    this.current = target;
    await flushMicrotasks();
  }

  /** Fires the earliest timer due by `target`, if any. */
  private fireNext(target: number): boolean {
    const next = this.timers.filter((t) => t.due <= target).sort((a, b) => a.due - b.due || a.id - b.id)[0];
    if (!next) return false;
    this.timers = this.timers.filter((t) => t.id !== next.id);
    this.current = Math.max(this.current, next.due);
    next.fn();
    return true;
  }

  set(ms: number | string): void {
    this.current = typeof ms === 'string' ? Date.parse(ms) : ms;
  }

  /** Whether a timer is due at exactly this time (a test waits for the one its code under test set). */
  hasTimerDueAt(due: number): boolean {
    return this.timers.some((t) => t.due === due);
  }

  pendingTimers(): number {
    return this.timers.length;
  }
}

async function flushMicrotasks(): Promise<void> {
  for (let i = 0; i < 5; i++) await new Promise<void>((r) => setImmediate(r));
}
