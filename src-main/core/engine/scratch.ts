import type { RunScratch } from './action-types';

/**
 * The per-run scratch: plain data (file selection, pending renames, the mail draft) is saved
 * with the run after every step so a resumed run has it; live objects (a browser) are kept in
 * memory only, since they cannot survive a restart anyway.
 */
export class MapScratch implements RunScratch {
  private readonly values = new Map<string, unknown>();

  constructor(initial: Record<string, unknown> = {}) {
    for (const [k, v] of Object.entries(initial)) this.values.set(k, v);
  }

  get<T>(key: string): T | undefined {
    return this.values.get(key) as T | undefined;
  }

  set<T>(key: string, value: T): void {
    this.values.set(key, value);
  }

  delete(key: string): void {
    this.values.delete(key);
  }

  /** The plain-data entries, for the run's saved state. */
  toJSON(): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const [k, v] of this.values) if (isPlain(v)) out[k] = v;
    return out;
  }
}

export function isPlain(v: unknown, depth = 0): boolean {
  if (depth > 32) return false;
  if (v === null || typeof v === 'string' || typeof v === 'boolean') return true;
  if (typeof v === 'number') return Number.isFinite(v);
  if (Array.isArray(v)) return v.every((x) => isPlain(x, depth + 1));
  if (typeof v === 'object') {
    const proto = Object.getPrototypeOf(v) as unknown;
    if (proto !== Object.prototype && proto !== null) return false;
    return Object.values(v as Record<string, unknown>).every((x) => isPlain(x, depth + 1));
  }
  return false;
}
