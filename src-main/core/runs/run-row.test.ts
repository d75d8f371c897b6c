import { describe, expect, it } from 'vitest';
import { RUN_COLUMN_NAMES, RUN_COLUMNS, maybeRunRow, runRowOf } from './run-row';

describe('runRowOf', () => {
  it('reads each value as the column RUN_COLUMNS names at its position', () => {
    // Each value is its own column name, so a shifted or missing field shows as a mismatch.
    const row = runRowOf([...RUN_COLUMN_NAMES]) as unknown as Record<string, unknown>;
    expect(Object.keys(row)).toEqual([...RUN_COLUMN_NAMES]);
    for (const name of RUN_COLUMN_NAMES) expect(row[name]).toBe(name);
    expect(RUN_COLUMNS.split(', ')).toEqual([...RUN_COLUMN_NAMES]);
  });

  it('gives undefined for a statement that found no row', () => {
    expect(maybeRunRow(undefined)).toBeUndefined();
  });
});
