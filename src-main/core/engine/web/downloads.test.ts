import { describe, expect, it } from 'vitest';
import { responseFileName, safeFileName } from './downloads';

describe('download file names', () => {
  it('reads Content-Disposition, preferring the UTF-8 filename*', () => {
    expect(responseFileName(`attachment; filename="report.csv"; filename*=UTF-8''%E3%83%AC%E3%83%9D%E3%83%BC%E3%83%88.csv`, 'http://h/x')).toBe('レポート.csv');
    expect(responseFileName('attachment; filename="a b.pdf"', 'http://h/x')).toBe('a b.pdf');
    expect(responseFileName('attachment; filename=plain.txt', 'http://h/x')).toBe('plain.txt');
    expect(responseFileName(undefined, 'http://h/files/%E8%A6%8B%E7%A9%8D.pdf?v=1')).toBe('見積.pdf');
    expect(responseFileName(undefined, 'http://h/')).toBe('download');
  });

  it('never lets a server pick a directory', () => {
    expect(safeFileName('../../etc/passwd')).toBe('passwd');
    expect(safeFileName('..\\..\\win.ini')).toBe('win.ini');
    expect(safeFileName('a:b*c?.txt')).toBe('a_b_c_.txt');
    expect(safeFileName('..')).toBe('download');
  });
});
