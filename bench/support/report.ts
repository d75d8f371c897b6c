/** Nearest-rank percentile (the definition SPEC section 11 uses). */
export function percentile(values: number[], p: number): number {
  if (!values.length) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[rank - 1]!;
}

export interface Row {
  what: string;
  unit: string;
  ours: number;
  peer: number;
  higherIsBetter: boolean;
  target?: string;
  /** Ours must reach peer × this to count as met (default 1). */
  minRatio?: number;
  /** A physical limit for the same work (e.g. bare SQLite), printed with ours as a fraction of it. */
  limit?: number;
  /**
   * Whether the row's own target was met, when the target is a bound of its own (e.g. p99 ≤ 50 ms)
   * and not a comparison with the peer; null: the row has no goal (the met column shows —).
   * Undefined: met means ours reaches the peer (× minRatio).
   */
  met?: boolean | null;
}

/** The met column: the row's own verdict when it has one, otherwise ours against the peer. */
export function metCell(r: Row): string {
  if (r.met === null) return '—';
  if (r.met !== undefined) return r.met ? 'yes' : 'NO';
  const ratio = r.ours / r.peer;
  const need = r.minRatio ?? 1;
  return (r.higherIsBetter ? ratio >= need : ratio <= 1 / need) ? 'yes' : 'NO';
}

const fmt = (n: number) => (Number.isNaN(n) ? 'n/a' : n >= 100 ? Math.round(n).toLocaleString('en-US') : n.toFixed(3));

/**
 * Prints each figure, the ratio ours/peer, and whether the row's goal is met (metCell). With
 * limits, also the limit and ours as a fraction of it (for a time: limit/ours).
 */
export function printTable(title: string, rows: Row[], peerName = 'BullMQ', limitName = 'limit'): void {
  const withLimit = rows.some((r) => r.limit !== undefined);
  console.log(`\n${title}`);
  const limitHead = withLimit ? ` ${limitName.padStart(12)} ${'of limit'.padStart(9)}` : '';
  console.log(`${'scenario'.padEnd(52)} ${'unit'.padEnd(7)} ${'ours'.padStart(12)} ${peerName.padStart(12)} ${'ours/peer'.padStart(10)}  ${'met'.padEnd(11)}${limitHead}  target`);
  for (const r of rows) {
    const ratio = r.ours / r.peer;
    const fraction = r.limit === undefined ? NaN : r.higherIsBetter ? r.ours / r.limit : r.limit / r.ours;
    const limitCells = withLimit ? ` ${(r.limit === undefined ? '' : fmt(r.limit)).padStart(12)} ${(Number.isFinite(fraction) ? `${(fraction * 100).toFixed(0)} %` : '').padStart(9)}` : '';
    console.log(
      `${r.what.padEnd(52)} ${r.unit.padEnd(7)} ${fmt(r.ours).padStart(12)} ${fmt(r.peer).padStart(12)} ${(Number.isFinite(ratio) ? ratio.toFixed(2) : 'n/a').padStart(10)}  ${metCell(r).padEnd(11)}${limitCells}  ${r.target ?? ''}`,
    );
  }
}
