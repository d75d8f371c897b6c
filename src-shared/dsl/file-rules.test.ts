import { describe, expect, it } from 'vitest';
import { compileGlob } from './glob';
import { FileQueryError, matchesQuery, parseFileQuery } from './file-query';
import { formatPages, parsePageSpec, selectPages } from './page-spec';
import { applyRenameRule, parseRenameRule } from './rename-rule';

const day = (s: string) => new Date(`${s}T12:00:00`).getTime();
const now = day('2026-01-15');
const file = (name: string, size = 1000, modified = '2026-01-10') => ({ name, size, mtimeMs: day(modified) });
const q = (query: string, f: ReturnType<typeof file>) => matchesQuery(parseFileQuery(query), f, now);

describe('find_files queries', () => {
  it('matches kind, ext, name globs and bare words', () => {
    expect(q('kind:pdf', file('Report.PDF'))).toBe(true);
    expect(q('kind:image', file('photo.heic'))).toBe(true);
    expect(q('kind:pdf', file('notes.txt'))).toBe(false);
    expect(q('ext:docx,.pdf', file('a.pdf'))).toBe(true);
    expect(q('name:"weekly report*"', file('Weekly Report 3.pdf'))).toBe(true);
    expect(q('name:請求書_*.pdf', file('請求書_2026-01.pdf'))).toBe(true);
    expect(q('invoice', file('my-INVOICE-2.pdf'))).toBe(true);
  });

  it('compares dates as local days and sizes with units', () => {
    expect(q('modified:>2026-01-09', file('a', 1, '2026-01-10'))).toBe(true);
    expect(q('modified:>2026-01-10', file('a', 1, '2026-01-10'))).toBe(false);
    expect(q('modified:2026-01-10', file('a', 1, '2026-01-10'))).toBe(true);
    expect(q('modified:<=2026-01-10', file('a', 1, '2026-01-10'))).toBe(true);
    expect(q('modified:<2026-01-10', file('a', 1, '2026-01-10'))).toBe(false);
    expect(q('newer_than:7d', file('a', 1, '2026-01-10'))).toBe(true);
    expect(q('older_than:7d', file('a', 1, '2026-01-01'))).toBe(true);
    expect(q('size:>1MB', file('a', 2 * 1024 * 1024))).toBe(true);
    expect(q('size:<=500KB', file('a', 600 * 1024))).toBe(false);
  });

  it('combines terms with AND, alternatives with OR, and negates with -', () => {
    expect(q('kind:pdf OR kind:image', file('x.png'))).toBe(true);
    expect(q('kind:pdf size:>1MB OR name:keep*', file('keep.txt'))).toBe(true);
    expect(q('kind:pdf size:>1MB OR name:keep*', file('small.pdf', 10))).toBe(false);
    expect(q('kind:pdf -name:draft*', file('draft-1.pdf'))).toBe(false);
    expect(q('', file('anything'))).toBe(true);
  });

  it('names the bad part of a query', () => {
    expect(() => parseFileQuery('knd:pdf')).toThrow("unknown query key 'knd:' (did you mean 'kind'?)");
    expect(() => parseFileQuery('kind:pfd')).toThrow("unknown kind 'pfd' (did you mean 'pdf'?)");
    expect(() => parseFileQuery('size:1MB')).toThrow(/size:1MB: expected >, >=, < or <=/);
    expect(() => parseFileQuery('modified:>2026-13-01')).toThrow(/expected a date YYYY-MM-DD/);
    expect(() => parseFileQuery('kind:pdf OR')).toThrow(FileQueryError);
    expect(() => parseFileQuery('name:"unclosed')).toThrow(/unclosed/);
  });
});

describe('globs', () => {
  it('matches *, ?, classes and braces, case-insensitively', () => {
    expect(compileGlob('*.{pdf,docx}')('a.DOCX')).toBe(true);
    expect(compileGlob('report-??.pdf')('report-01.pdf')).toBe(true);
    expect(compileGlob('[a-c]*')('b.txt')).toBe(true);
    expect(compileGlob('[!a-c]*')('b.txt')).toBe(false);
    expect(compileGlob('a*b*c')('aXXbYYc')).toBe(true);
    expect(compileGlob('a*b*c')('aXXbYY')).toBe(false);
  });

  it('answers patterns that make backtracking regexes explode (linear matching; a regex would not finish)', () => {
    // new RegExp('^(.*a){11}.*b$') on this name takes longer than the test timeout.
    expect(compileGlob('*a*a*a*a*a*a*a*a*a*a*a*b')('a'.repeat(250))).toBe(false);
  });
});

describe('rename rules and page lists', () => {
  it('fills placeholders', () => {
    const rule = parseRenameRule('{date}_{index:3}_{stem}.{ext}');
    expect(applyRenameRule(rule, { name: '週報 final.pdf', index: 7, date: '2026-01-15' })).toBe('2026-01-15_007_週報 final.pdf');
    expect(applyRenameRule(parseRenameRule('{stem}.{ext}'), { name: 'README', index: 1, date: 'd' })).toBe('README');
    expect(applyRenameRule(parseRenameRule('copy of {basename}'), { name: 'a.tar.gz', index: 1, date: 'd' })).toBe('copy of a.tar.gz');
  });

  it('refuses rules that are not names', () => {
    expect(() => parseRenameRule('{stm}.pdf')).toThrow("unknown placeholder {stm} (did you mean 'stem'?)");
    expect(() => parseRenameRule('sub/{basename}')).toThrow(/cannot contain '\/'/);
    expect(() => parseRenameRule('{date:3}')).toThrow(/only \{index\} takes a width/);
    expect(() => applyRenameRule(parseRenameRule('{ext}'), { name: 'noext', index: 1, date: 'd' })).toThrow(/empty name/);
  });

  it('selects pages and names the ones that do not exist', () => {
    expect(selectPages(parsePageSpec('1,3-5'), 5)).toEqual({ pages: [1, 3, 4, 5], missing: [] });
    expect(selectPages(parsePageSpec('4-'), 6)).toEqual({ pages: [4, 5, 6], missing: [] });
    expect(selectPages(parsePageSpec('2,6-8,12'), 5).missing).toEqual([6, 7, 8, 12]);
    expect(formatPages([6, 7, 8, 12])).toBe('6-8, 12');
    expect(() => parsePageSpec('1,,2')).toThrow(/not a page list/);
    expect(() => parsePageSpec('5-3')).toThrow(/runs backwards/);
    expect(() => parsePageSpec('0')).toThrow(/start at 1/);
  });
});
