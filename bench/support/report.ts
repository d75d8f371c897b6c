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
}

const fmt = (n: number) => (Number.isNaN(n) ? 'n/a' : n >= 100 ? Math.round(n).toLocaleString('en-US') : n.toFixed(3));

/** Prints each figure, the ratio ours/peer, and whether ours is at least as good. */
export function printTable(title: string, rows: Row[], peerName = 'BullMQ'): void {
  console.log(`\n${title}`);
  console.log(`${'scenario'.padEnd(52)} ${'unit'.padEnd(7)} ${'ours'.padStart(12)} ${peerName.padStart(12)} ${'ours/peer'.padStart(10)}  ours ≥ peer  target`);
  for (const r of rows) {
    const ratio = r.ours / r.peer;
    const good = r.higherIsBetter ? ratio >= 1 : ratio <= 1;
    console.log(
      `${r.what.padEnd(52)} ${r.unit.padEnd(7)} ${fmt(r.ours).padStart(12)} ${fmt(r.peer).padStart(12)} ${(Number.isFinite(ratio) ? ratio.toFixed(2) : 'n/a').padStart(10)}  ${(good ? 'yes' : 'NO').padEnd(11)}  ${r.target ?? ''}`,
    );
  }
}
