import { describe, expect, it } from 'vitest';
import { parseCron, tryParseCron } from './cron-parse';

describe('parseCron', () => {
  it('reads 5 and 6 fields, lists, ranges, steps and names', () => {
    const s = parseCron('*/20 0-10/5 1,15 JAN-MAR mon-fri');
    expect(s.hasSeconds).toBe(false);
    expect(s.minute.flatMap((v, i) => (v ? [i] : []))).toEqual([0, 20, 40]);
    expect(s.hour.flatMap((v, i) => (v ? [i] : []))).toEqual([0, 5, 10]);
    expect(s.month.flatMap((v, i) => (v ? [i] : []))).toEqual([1, 2, 3]);
    expect(s.dayOfWeek.flatMap((v, i) => (v ? [i] : []))).toEqual([1, 2, 3, 4, 5]);
    expect(parseCron('*/10 * * * * *').second.filter(Boolean)).toHaveLength(6);
    expect(parseCron('0 0 * * 7').dayOfWeek[0]).toBe(true);
  });
  it('names the field and the problem', () => {
    expect(tryParseCron('0 25 * * *')).toMatchObject({ ok: false, field: 'hour', message: 'hour: 25 is outside 0-23' });
    expect(tryParseCron('0 9 * *')).toMatchObject({ ok: false, message: expect.stringContaining('has 4') });
    expect(tryParseCron('@often')).toMatchObject({ ok: false, message: expect.stringContaining('unknown alias') });
    expect(tryParseCron('0 0 L * *')).toMatchObject({ ok: false, field: 'day-of-month', message: expect.stringContaining('not supported') });
    expect(tryParseCron('0 0 30 2 *')).toMatchObject({ ok: false, message: expect.stringContaining('never matches') });
    expect(tryParseCron('*/0 * * * *')).toMatchObject({ ok: false, field: 'minute' });
    expect(tryParseCron('5-1 * * * *')).toMatchObject({ ok: false, message: expect.stringContaining('backwards') });
  });
});
