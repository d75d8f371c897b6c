/**
 * Windowing for long lists: rows have known heights (a fixed row height, more for an expanded
 * row), so the top of every row is a prefix sum and the rows in view are found by binary search.
 * Only those (and a few either side) are rendered; the list's full height is kept by its container.
 */

/** `offsets[i]` is the top of row i; `offsets[n]` the total height. */
export function rowOffsets(count: number, heightOf: (index: number) => number): Float64Array {
  const offsets = new Float64Array(count + 1);
  for (let i = 0; i < count; i++) offsets[i + 1] = offsets[i]! + Math.max(0, heightOf(i));
  return offsets;
}

/** The row at a vertical position: the last row whose top is at or above it. */
export function rowAt(offsets: Float64Array, y: number): number {
  const count = offsets.length - 1;
  if (count <= 0) return 0;
  let lo = 0;
  let hi = count - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (offsets[mid]! <= y) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/** Rows `[start, end)` to render for a viewport at `scrollTop` of `viewportHeight`, with `overscan` rows either side. */
export function visibleRange(offsets: Float64Array, scrollTop: number, viewportHeight: number, overscan = 6): { start: number; end: number } {
  const count = offsets.length - 1;
  if (count <= 0) return { start: 0, end: 0 };
  const top = Math.max(0, scrollTop);
  const first = rowAt(offsets, top);
  const last = rowAt(offsets, top + Math.max(0, viewportHeight));
  return { start: Math.max(0, first - overscan), end: Math.min(count, last + 1 + overscan) };
}
