import { describe, expect, it } from 'vitest';
import { metCell, type Row } from './report';

const row = (r: Partial<Row>): Row => ({ what: 'x', unit: 'ms', ours: 1, peer: 1, higherIsBetter: false, ...r });

describe('the met column of a benchmark table', () => {
  it('follows a row’s own bound, not the peer, when the row has one (event-loop p99 ≤ 50 ms over an idle loop)', () => {
    // 19 ms is slower than the idle loop's 15 ms but meets its bound: "yes", as the target says.
    expect(metCell(row({ ours: 19, peer: 15, met: 19 <= 50 }))).toBe('yes');
    expect(metCell(row({ ours: 88, peer: 15, met: 88 <= 50 }))).toBe('NO');
  });

  it('shows — for a row without a goal', () => {
    expect(metCell(row({ ours: 30, peer: 10, met: null }))).toBe('—');
  });

  it('compares with the peer (× minRatio) when the row has no bound of its own', () => {
    expect(metCell(row({ ours: 150, peer: 100, higherIsBetter: true, minRatio: 1.5 }))).toBe('yes');
    expect(metCell(row({ ours: 149, peer: 100, higherIsBetter: true, minRatio: 1.5 }))).toBe('NO');
    expect(metCell(row({ ours: 9, peer: 10 }))).toBe('yes');
    expect(metCell(row({ ours: 11, peer: 10 }))).toBe('NO');
  });
});
