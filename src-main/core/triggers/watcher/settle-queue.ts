import type { Clock, TimerHandle } from '../../kernel/ports';

interface Entry<T> {
  due: number;
  value: T;
}

/**
 * Trailing-edge debounce for many keys with one timer: every touch moves a key to the back with a
 * new due time, so the map stays in due order (the delay is the same for all) and the head is the
 * next one due. When it is, every due entry is taken out and handed to `onDue` at once.
 */
export class SettleQueue<T> {
  private readonly entries = new Map<string, Entry<T>>();
  private timer: TimerHandle | undefined;
  private armedFor: number | undefined;

  constructor(
    private readonly clock: Clock,
    private readonly delayMs: number,
    private readonly onDue: (due: { key: string; value: T }[]) => void,
  ) {}

  /** Starts (or restarts) the key's wait: it is due `delayMs` from now. */
  touch(key: string, value: T): void {
    const due = this.clock.now() + this.delayMs;
    this.entries.delete(key);
    this.entries.set(key, { due, value });
    this.arm();
  }

  get(key: string): T | undefined {
    return this.entries.get(key)?.value;
  }

  remove(key: string): void {
    this.entries.delete(key);
  }

  values(): IterableIterator<Entry<T>> {
    return this.entries.values();
  }

  get size(): number {
    return this.entries.size;
  }

  clear(): void {
    this.entries.clear();
    this.timer?.cancel();
    this.timer = undefined;
    this.armedFor = undefined;
  }

  private arm(): void {
    const head = this.entries.values().next();
    if (head.done) return;
    const due = head.value.due;
    if (this.timer && this.armedFor !== undefined && this.armedFor <= due) return;
    this.timer?.cancel();
    this.armedFor = due;
    this.timer = this.clock.setTimer(due - this.clock.now(), () => this.fire());
  }

  private fire(): void {
    this.timer = undefined;
    this.armedFor = undefined;
    const now = this.clock.now();
    const due: { key: string; value: T }[] = [];
    for (const [key, e] of this.entries) {
      if (e.due > now) break;
      due.push({ key, value: e.value });
    }
    for (const d of due) this.entries.delete(d.key);
    this.arm();
    if (due.length) this.onDue(due);
  }
}
