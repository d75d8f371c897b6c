import { idOfHash } from '../../components/use-hash-view';
import type { Messages } from '../../i18n';

/** Milliseconds between two ISO times (to `now` while the second is missing), or undefined before the start. */
export function elapsedMs(startedAt: string | null, finishedAt: string | null, now: number): number | undefined {
  if (!startedAt) return undefined;
  const start = Date.parse(startedAt);
  const end = finishedAt ? Date.parse(finishedAt) : now;
  return Number.isNaN(start) || Number.isNaN(end) ? undefined : Math.max(0, end - start);
}

/** `0.4 s`, `12.0 s`, `3 min 05 s`, `1 h 02 min`. */
export function formatDuration(ms: number | null | undefined, t: Messages): string {
  if (ms === null || ms === undefined) return t.values.none;
  if (ms < 60_000) return t.runs.seconds((ms / 1000).toFixed(1));
  const s = Math.round(ms / 1000);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = String(s % 60).padStart(2, '0');
  return h ? `${h} h ${String(m).padStart(2, '0')} min` : `${m} min ${sec} s`;
}

/** Rendered parameters or a result as indented JSON (what the core stored, already masked). */
export function jsonText(value: unknown): string {
  return value === undefined ? '' : JSON.stringify(value, null, 2);
}

/** The run ID in a `#/runs/<id>` route. */
export function runIdOfHash(hash: string): string | undefined {
  return idOfHash(hash, 'runs');
}

export const runHash = (id?: string) => (id ? `#/runs/${encodeURIComponent(id)}` : '#/runs');
