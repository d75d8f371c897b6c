import { describe, expect, it } from 'vitest';
import { messagesFor } from '../../i18n';
import { elapsedMs, formatDuration, runHash, runIdOfHash } from './run-format';

describe('run formatting', () => {
  it('shows durations in seconds, minutes and hours in both languages', () => {
    const en = messagesFor('en');
    const ja = messagesFor('ja');
    expect(formatDuration(420, en)).toBe('0.4 s');
    expect(formatDuration(420, ja)).toBe('0.4 秒');
    expect(formatDuration(185_000, en)).toBe('3 min 05 s');
    expect(formatDuration(3_720_000, en)).toBe('1 h 02 min');
    expect(formatDuration(undefined, en)).toBe('—');
  });

  it('measures a running run up to now and a finished one to its end', () => {
    expect(elapsedMs('2026-01-01T00:00:00.000Z', '2026-01-01T00:00:02.500Z', 0)).toBe(2500);
    expect(elapsedMs('2026-01-01T00:00:00.000Z', null, Date.parse('2026-01-01T00:00:01.000Z'))).toBe(1000);
    expect(elapsedMs(null, null, 5)).toBeUndefined();
  });

  it('routes a run as #/runs/<id>', () => {
    expect(runIdOfHash(runHash('run_01 x'))).toBe('run_01 x');
    expect(runIdOfHash('#/runs')).toBeUndefined();
    expect(runIdOfHash('#/queues')).toBeUndefined();
  });
});
