import { describe, expect, it } from 'vitest';
import { compilePatterns, patternIssues } from './watch-patterns';

describe('watcher patterns (picomatch, bounded)', () => {
  it('matches names at any depth without a slash, relative paths with one', () => {
    const pdf = compilePatterns(['*.pdf']);
    expect(pdf('a.pdf')).toBe(true);
    expect(pdf('sub/dir/a.pdf')).toBe(true);
    expect(pdf('a.pdf.part')).toBe(false);
    expect(pdf('.hidden.pdf')).toBe(false);
    const inbox = compilePatterns(['in/**/*.csv', '請求書_*.{pdf,PDF}']);
    expect(inbox('in/2026/01/x.csv')).toBe(true);
    expect(inbox('out/x.csv')).toBe(false);
    expect(inbox('請求書_001.PDF')).toBe(true);
  });

  it('refuses what could backtrack for long or is not a pattern, saying where and why', () => {
    expect(patternIssues('patterns', ['*.pdf', '*a*a*b', '/abs/*.pdf', '', '+(a|ab)*'])).toEqual([
      { path: 'patterns[1]', message: "'*a*a*b': more than 2 wildcards (* or **); use several patterns instead" },
      { path: 'patterns[2]', message: "'/abs/*.pdf': patterns are relative to watch_path (like *.pdf or in/**/*.csv)" },
      { path: 'patterns[3]', message: "'': an empty pattern matches nothing" },
    ]);
    // Extglobs are off: the parentheses are literal characters, so the pattern is harmless.
    expect(compilePatterns(['+(a|ab)*'])('aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaac')).toBe(false);
    expect(compilePatterns(['*a*a*b'])('a.pdf')).toBe(false);
  });
});
