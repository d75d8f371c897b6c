import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { auditRowHeight, AUDIT_ROW_HEIGHT, DETAILS_LINE_HEIGHT, DETAILS_MAX_LINES } from '../views/audit/audit-layout';
import { rowAt, rowOffsets, visibleRange } from './window-range';

describe('windowing', () => {
  it('places rows at the sum of the heights above them', () => {
    const offsets = rowOffsets(4, (i) => [34, 100, 34, 34][i]!);
    expect([...offsets]).toEqual([0, 34, 134, 168, 202]);
    expect(rowAt(offsets, 0)).toBe(0);
    expect(rowAt(offsets, 33.9)).toBe(0);
    expect(rowAt(offsets, 34)).toBe(1);
    expect(rowAt(offsets, 133)).toBe(1);
    expect(rowAt(offsets, 10_000)).toBe(3);
  });

  it('renders a screenful of 10,000 rows, wherever the list is scrolled', () => {
    const offsets = rowOffsets(10_000, () => 34);
    expect(visibleRange(offsets, 0, 600, 6)).toEqual({ start: 0, end: 24 });
    expect(visibleRange(offsets, 34 * 5000, 600, 6)).toEqual({ start: 4994, end: 5024 });
    expect(visibleRange(offsets, 34 * 10_000, 600, 6)).toEqual({ start: 9993, end: 10_000 });
    expect(visibleRange(rowOffsets(0, () => 34), 0, 600)).toEqual({ start: 0, end: 0 });
  });

  it('covers the viewport exactly as checking every row would (any heights, any scroll)', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 300 }), { minLength: 1, maxLength: 300 }), fc.nat(20_000), fc.integer({ min: 1, max: 1200 }), (heights, scroll, viewport) => {
        const offsets = rowOffsets(heights.length, (i) => heights[i]!);
        const top = Math.min(scroll, offsets[heights.length]!);
        const { start, end } = visibleRange(offsets, top, viewport, 0);
        const shown = heights.map((_, i) => i).filter((i) => offsets[i + 1]! > top && offsets[i]! <= top + viewport);
        expect(start).toBe(shown[0] ?? heights.length - 1);
        expect(end).toBeGreaterThanOrEqual((shown[shown.length - 1] ?? start) + 1);
        expect(end - start).toBeLessThanOrEqual(shown.length + 1);
      }),
    );
  });

  it('makes an expanded audit row as tall as its details, up to a cap', () => {
    expect(auditRowHeight({ a: 1 }, false)).toBe(AUDIT_ROW_HEIGHT);
    expect(auditRowHeight(null, true)).toBe(AUDIT_ROW_HEIGHT);
    // `{`, one line per key, `}`
    expect(auditRowHeight({ a: 1, b: 2 }, true)).toBe(AUDIT_ROW_HEIGHT + 4 * DETAILS_LINE_HEIGHT + 16);
    const big = Object.fromEntries(Array.from({ length: 50 }, (_, i) => [`k${i}`, i]));
    expect(auditRowHeight(big, true)).toBe(AUDIT_ROW_HEIGHT + DETAILS_MAX_LINES * DETAILS_LINE_HEIGHT + 16);
  });
});
