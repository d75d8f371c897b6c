import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(__dirname, '..', '..');
const JAPANESE = /[\u3040-\u30ff\u4e00-\u9fff]/;

/** Japanese in code that is not a text for people: words the engine matches, and rule data of two languages. */
const NOT_TEXTS: Record<string, string> = {
  'src-main/core/engine/web/label-synonyms.ts': 'form labels the web resolver matches on pages',
  'src-main/core/engine/web/page-scripts.ts': 'label words matched inside pages',
  'src-shared/dsl/actions/click-risk.ts': 'button words the risk check matches',
  'src-shared/domain/builtin-failure-rules.ts': 'failure rules carry {ja, en} like failure_rules.yaml, which users write',
};

function sources(dir: string): string[] {
  return readdirSync(join(ROOT, dir), { withFileTypes: true }).flatMap((e) => {
    const path = `${dir}/${e.name}`;
    if (e.isDirectory()) return sources(path);
    return /\.tsx?$/.test(e.name) && !/\.test\.tsx?$/.test(e.name) ? [path] : [];
  });
}

/** The code without its comments (Japanese in a comment is not shown to anyone). */
const code = (text: string) => text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|\s)\/\/.*$/gm, '$1');

describe('text for people lives in the catalogue (src-shared/i18n)', () => {
  it('has no Japanese string in src-main or src-shared outside the catalogue and the listed word tables', () => {
    const files = [...sources('src-main'), ...sources('src-shared')];
    expect(files.length).toBeGreaterThan(200);
    const offenders = files
      .filter((path) => !path.startsWith('src-shared/i18n/') && !(path in NOT_TEXTS))
      .filter((path) => JAPANESE.test(code(readFileSync(join(ROOT, path), 'utf8'))))
      .map((path) => relative('.', path));
    expect(offenders).toEqual([]);
  });

  it('would notice one (the check itself)', () => {
    expect(JAPANESE.test(code("const title = `承認が必要です: ${t}`; // 承認"))).toBe(true);
    expect(JAPANESE.test(code('const x = 1; // 承認\n/* 承認 */'))).toBe(false);
  });
});
