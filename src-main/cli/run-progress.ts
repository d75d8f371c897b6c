import type { CliIo } from './io';

export function seconds(ms: number): string {
  return ms < 1000 ? `${ms} ms` : `${(ms / 1000).toFixed(1)} s`;
}

/** One short line per finished step for people watching a terminal. */
export function progress(io: CliIo, total: number) {
  const mark: Record<string, string> = { succeeded: '✓', failed: '✗', skipped: '-', waiting_approval: '…' };
  return {
    stepFinished(e: { index: number; action: string; id?: string; status: string; error?: string; durationMs: number; result?: unknown }) {
      const label = `[${e.index + 1}/${total}] ${e.action}${e.id ? ` (${e.id})` : ''}`;
      const detail =
        e.status === 'failed' ? `: ${e.error}` : e.status === 'skipped' ? ' skipped (when was false)' : e.status === 'waiting_approval' ? ' waiting for approval' : ` ${seconds(e.durationMs)}${summarize(e.result)}`;
      io.stderr(`${mark[e.status] ?? '?'} ${label}${detail}\n`);
    },
    itemFinished(e: { item: number; count: number; status: string; error?: string }) {
      io.stderr(`    ${e.status === 'succeeded' ? '✓' : '✗'} item ${e.item + 1}/${e.count}${e.error ? `: ${e.error}` : ''}\n`);
    },
  };
}

/** A few telling result fields (`found=3`, `page_count=12`, `would_move=…`). */
function summarize(result: unknown): string {
  if (!result || typeof result !== 'object') return '';
  const parts: string[] = [];
  for (const [k, v] of Object.entries(result)) {
    if (parts.length >= 4) break;
    if (typeof v === 'number' || typeof v === 'boolean') parts.push(`${k}=${v}`);
    else if (typeof v === 'string' && v.length <= 80 && k !== 'message') parts.push(`${k}=${v}`);
    else if (Array.isArray(v) && k.startsWith('would_')) parts.push(`${k}=${v.length} item(s)`);
  }
  return parts.length ? ` ${parts.join(' ')}` : '';
}
