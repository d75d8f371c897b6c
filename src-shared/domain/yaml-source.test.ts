import { describe, expect, it } from 'vitest';
import { formatPath, parseYamlSource } from './yaml-source';

describe('parseYamlSource', () => {
  const text = ['queues:', '  default:', '    max_concurrent: three', 'global:', '  max_total_concurrent: 10', ''].join('\n');

  it('locates a value by path with 1-based line and column', () => {
    const src = parseYamlSource(text);
    expect(src.syntaxErrors).toEqual([]);
    expect(src.locate(['queues', 'default', 'max_concurrent'])).toEqual({ line: 3, column: 5 });
    expect(src.locate(['queues', 'default', 'max_concurrent'], false)).toEqual({ line: 3, column: 21 });
  });

  it('points a missing key at the deepest existing parent', () => {
    const src = parseYamlSource(text);
    expect(src.locate(['global', 'missing'])).toEqual({ line: 4, column: 1 });
  });

  it('reports syntax errors with their position', () => {
    const src = parseYamlSource('a: [1, 2\nb: 3\n');
    expect(src.value).toBeUndefined();
    expect(src.syntaxErrors[0]).toMatchObject({ line: expect.any(Number), column: expect.any(Number) });
  });

  it('refuses duplicate keys', () => {
    expect(parseYamlSource('a: 1\na: 2\n').syntaxErrors.length).toBeGreaterThan(0);
  });

  it('bounds alias expansion', () => {
    const bomb = ['a: &a [x, x, x, x, x, x, x, x, x, x]', 'b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]', 'c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]', 'd: [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]'].join('\n');
    const src = parseYamlSource(bomb, { maxAliasCount: 20 });
    expect(src.syntaxErrors.length).toBeGreaterThan(0);
  });

  it('formats paths the way validation errors print them', () => {
    expect(formatPath(['steps', 2, 'pdf_merge', 'out'])).toBe('steps[2].pdf_merge.out');
    expect(formatPath([])).toBe('(root)');
  });
});
