import { describe, expect, it } from 'vitest';
import { lineCount, offsetOf, positionOf } from './text-position';

const YAML = 'dsl_version: "1.1"\nname: 日報\nsteps:\n  - log: { message: hi }\n';

describe('places in a template text', () => {
  it('finds the offset of a line and column, and back', () => {
    const at = offsetOf(YAML, { line: 4, column: 5 });
    expect(YAML.slice(at, at + 3)).toBe('log');
    expect(positionOf(YAML, at)).toEqual({ line: 4, column: 5 });
    expect(offsetOf(YAML, { line: 1, column: 1 })).toBe(0);
    expect(positionOf(YAML, 0)).toEqual({ line: 1, column: 1 });
  });

  it('counts Japanese characters as one column each, as the validator does', () => {
    const at = offsetOf(YAML, { line: 2, column: 7 });
    expect(YAML.slice(at, at + 2)).toBe('日報');
  });

  it('stays inside the text for a line or column past the end', () => {
    expect(offsetOf(YAML, { line: 99, column: 1 })).toBe(YAML.length);
    expect(offsetOf(YAML, { line: 2, column: 99 })).toBe(YAML.indexOf('\nsteps'));
    expect(offsetOf('', { line: 1, column: 1 })).toBe(0);
  });

  it('counts lines (a final newline starts an empty last line)', () => {
    expect(lineCount('')).toBe(1);
    expect(lineCount('a')).toBe(1);
    expect(lineCount(YAML)).toBe(5);
  });
});
