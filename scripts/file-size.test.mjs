import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { MAX_LINES, lineCount, oversizedFiles, sizeReason } from './file-size.mjs';

const lines = (n, head = []) => [...head, ...Array.from({ length: n - head.length }, (_, i) => `export const v${i} = ${i};`)].join('\n') + '\n';

let root;
function tree(files) {
  root = mkdtempSync(join(tmpdir(), 'file-size-'));
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  return root;
}
afterEach(() => root && rmSync(root, { recursive: true, force: true }));

describe('file-size: big source files say why', () => {
  it('fails a non-test source file over the limit without a reason, and names it with its length', () => {
    tree({
      'src-main/core/big.ts': lines(MAX_LINES + 1),
      'src-main/core/small.ts': lines(MAX_LINES),
      'src-renderer/view.tsx': lines(MAX_LINES + 20),
      'scripts/tool.mjs': lines(MAX_LINES + 2),
    });
    expect(oversizedFiles(root)).toEqual([
      { file: 'scripts/tool.mjs', lines: MAX_LINES + 2 },
      { file: 'src-main/core/big.ts', lines: MAX_LINES + 1 },
      { file: 'src-renderer/view.tsx', lines: MAX_LINES + 20 },
    ]);
  });

  it('passes a big file with a `// size:` reason at its top, tests, declarations and translation catalogues', () => {
    tree({
      'src-main/core/parser.ts': lines(MAX_LINES + 50, ['// size: one recursive-descent parser; its rules call each other']),
      'src-main/core/big.test.ts': lines(MAX_LINES + 50),
      'src-main/core/big.int.test.ts': lines(MAX_LINES + 50),
      'src-main/types.d.ts': lines(MAX_LINES + 50),
      'src-renderer/i18n/ja.ts': lines(MAX_LINES + 300),
      'src-shared/i18n/en.ts': lines(MAX_LINES + 300),
    });
    expect(oversizedFiles(root)).toEqual([]);
  });

  it('does not take a reason that is empty, too short to say anything, or far from the top', () => {
    tree({
      'src-main/a.ts': lines(MAX_LINES + 1, ['// size:']),
      'src-main/b.ts': lines(MAX_LINES + 1, ['// size: big']),
      'src-main/c.ts': lines(MAX_LINES + 1, ['// one', '// two', '// three', '// four', '// five', '// size: a reason placed too far down']),
      'src-main/i18n/messages.ts': lines(MAX_LINES + 1),
    });
    expect(oversizedFiles(root).map((f) => f.file)).toEqual(['src-main/a.ts', 'src-main/b.ts', 'src-main/c.ts', 'src-main/i18n/messages.ts']);
  });

  it('counts lines as wc -l does and reads the reason', () => {
    expect([lineCount(''), lineCount('a'), lineCount('a\n'), lineCount('a\nb')]).toEqual([0, 1, 1, 2]);
    expect(sizeReason('#!/usr/bin/env node\n// size: a parser kept in one piece\n')).toBe('a parser kept in one piece');
    expect(sizeReason('// sizes: not the marker\n')).toBeUndefined();
  });

  it('holds for this repository (npm run lint runs the same check)', () => {
    expect(oversizedFiles(fileURLToPath(new URL('..', import.meta.url)))).toEqual([]);
  });
});
