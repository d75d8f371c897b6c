import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { engineHarness, template, type EngineHarness } from '../../../../test-support/engine';
import { encryptedPdfBytes, pageCountOf, q, tempDir, writePdf } from '../../../../test-support/files';

let h: EngineHarness;
let dir: string;
beforeEach(async () => {
  h = engineHarness();
  dir = tempDir('pdf');
  await writePdf(join(dir, '請求書 2.pdf'), 2, 'two');
  await writePdf(join(dir, '請求書 10.pdf'), 3, 'ten');
  await writePdf(join(dir, 'a cover.pdf'), 1, 'cover');
});
afterEach(() => h.cleanup());

const pdfinfoPages = (path: string) => Number(/Pages:\s+(\d+)/.exec(spawnSync('pdfinfo', [path], { encoding: 'utf8' }).stdout)?.[1]);
const pageText = (path: string, page: number) => spawnSync('pdftotext', ['-f', String(page), '-l', String(page), path, '-'], { encoding: 'utf8' }).stdout.trim();

describe('pdf_merge', () => {
  it('merges a list in the given order into a real PDF', async () => {
    const out = join(dir, 'out', '結合 済み.pdf');
    const r = await h.run(template(`  - pdf_merge: { inputs: [${q(join(dir, 'a cover.pdf'))}, ${q(join(dir, '請求書 10.pdf'))}], out: ${q(out)} }\n`));
    expect(r.outcome.status).toBe('succeeded');
    expect(r.view.steps[0]!.result).toEqual({ out_path: out, page_count: 4, inputs: [join(dir, 'a cover.pdf'), join(dir, '請求書 10.pdf')] });
    expect(pdfinfoPages(out)).toBe(4);
    expect(pageText(out, 1)).toBe('cover page 1');
    expect(pageText(out, 4)).toBe('ten page 3');
  });

  it('merges every PDF of a folder in natural name order, never its own previous output', async () => {
    const out = join(dir, 'merged.pdf');
    const yaml = template(`  - pdf_merge: { inputs_from: ${q(dir)}, out: ${q(out)} }\n`);
    const first = await h.run(yaml);
    expect(first.view.steps[0]!.result).toMatchObject({ page_count: 6, inputs: [join(dir, 'a cover.pdf'), join(dir, '請求書 2.pdf'), join(dir, '請求書 10.pdf')] });
    const again = await h.run(yaml);
    expect((again.view.steps[0]!.result as { page_count: number }).page_count).toBe(6);
    expect(await pageCountOf(out)).toBe(6);
    expect(pageText(out, 2)).toBe('two page 1');
  });

  it('names the corrupt, encrypted or missing input and writes nothing', async () => {
    writeFileSync(join(dir, 'broken.pdf'), '%PDF-1.7\nthis is not a pdf at all');
    writeFileSync(join(dir, 'locked.pdf'), await encryptedPdfBytes());
    const out = join(dir, 'never.pdf');
    const cases: [string, string, RegExp][] = [
      ['broken.pdf', 'PDF_PARSE_ERROR', new RegExp(`Cannot read PDF ${join(dir, 'broken.pdf')}: `)],
      ['locked.pdf', 'PDF_ENCRYPTED', /it is encrypted \(password-protected\)/],
      ['missing.pdf', 'FILE_NOT_FOUND', new RegExp(`PDF not found: ${join(dir, 'missing.pdf')}`)],
    ];
    for (const [name, code, message] of cases) {
      const r = await h.run(template(`  - pdf_merge: { inputs: [${q(join(dir, 'a cover.pdf'))}, ${q(join(dir, name))}], out: ${q(out)} }\n`));
      expect(r.view.steps[0]!.error_code, `${name}: ${r.view.steps[0]!.error}`).toBe(code);
      expect(r.view.steps[0]!.error, name).toMatch(message);
      expect(existsSync(out), name).toBe(false);
    }
    expect(readdirSync(dir).filter((f) => f.includes('.tmp'))).toEqual([]);
  });

  it('fails when there is nothing to merge, and keeps an existing output with on_conflict: fail', async () => {
    const empty = join(dir, 'empty folder');
    spawnSync('mkdir', [empty]);
    const r = await h.run(template(`  - pdf_merge: { inputs_from: ${q(empty)}, out: ${q(join(dir, 'x.pdf'))} }\n`));
    expect(r.view.steps[0]).toMatchObject({ status: 'failed', error_code: 'NO_FILES', error: `pdf_merge: no PDF files found in ${empty}` });
    const keep = await h.run(template(`  - pdf_merge: { inputs: [${q(join(dir, 'a cover.pdf'))}], out: ${q(join(dir, '請求書 2.pdf'))}, on_conflict: fail }\n`));
    expect(keep.view.steps[0]!.error_code).toBe('FILE_EXISTS');
    expect(await pageCountOf(join(dir, '請求書 2.pdf'))).toBe(2);
  });
});

describe('pdf_extract_pages and assert_pdf_pages', () => {
  it('extracts "1,3-5" in order', async () => {
    await writePdf(join(dir, 'six.pdf'), 6, 'six');
    const out = join(dir, 'extract 抜粋.pdf');
    const r = await h.run(template(`  - pdf_extract_pages: { input: ${q(join(dir, 'six.pdf'))}, pages: "1,3-5", out: ${q(out)} }\n  - assert_pdf_pages: { path: ${q(out)}, expected_pages: 4 }\n`));
    expect(r.outcome.status).toBe('succeeded');
    expect(r.view.steps[0]!.result).toEqual({ out_path: out, page_count: 4, pages: [1, 3, 4, 5] });
    expect(pdfinfoPages(out)).toBe(4);
    expect(pageText(out, 2)).toBe('six page 3');
    expect(r.view.steps[1]!.result).toEqual({ path: out, page_count: 4 });
  });

  it('names out-of-range pages', async () => {
    const r = await h.run(template(`  - pdf_extract_pages: { input: ${q(join(dir, '請求書 10.pdf'))}, pages: "2,5-7,9", out: ${q(join(dir, 'x.pdf'))} }\n`));
    expect(r.outcome).toMatchObject({ status: 'failed', errorCode: 'PAGES_OUT_OF_RANGE' });
    expect(r.view.steps[0]!.error).toBe(`pdf_extract_pages: pages 5-7, 9 are out of range: ${join(dir, '請求書 10.pdf')} has 3 pages`);
    expect(existsSync(join(dir, 'x.pdf'))).toBe(false);
  });

  it('fails the run when the page count does not match, saying expected vs actual', async () => {
    const r = await h.run(template(`  - assert_pdf_pages: { path: ${q(join(dir, '請求書 10.pdf'))}, expected_pages: 5 }\n  - log: { message: never }\n`));
    expect(r.outcome).toMatchObject({ status: 'failed', errorCode: 'ASSERTION_FAILED', retryable: false });
    expect(r.view.steps[0]!.error).toBe(`assert_pdf_pages: expected 5 pages, found 3 in ${join(dir, '請求書 10.pdf')}`);
    expect(r.view.steps.map((s) => s.status)).toEqual(['failed']);
  });
});
