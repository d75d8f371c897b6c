import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FakeClock } from '../../kernel/clock';
import { engineHarness, template, type EngineHarness } from '../../../../test-support/engine';
import { q, tempDir, writeTree } from '../../../../test-support/files';

let h: EngineHarness;
let dir: string;
beforeEach(() => {
  h = engineHarness({ clock: new FakeClock('2026-01-15T03:00:00Z') });
  dir = tempDir();
  writeTree(dir, {
    '週報 2026-01.pdf': { text: 'pdf-1', mtime: '2026-01-10' },
    'report final.PDF': { text: 'pdf-2', mtime: '2025-12-01' },
    'photo.png': { bytes: 2 * 1024 * 1024, mtime: '2026-01-12' },
    '.hidden.pdf': { text: 'h', mtime: '2026-01-12' },
    'sub/nested 10.pdf': { text: 'n10', mtime: '2026-01-11' },
    'sub/nested 9.pdf': { text: 'n9', mtime: '2026-01-11' },
    'notes.txt': { text: 'notes', mtime: '2026-01-14' },
  });
});
afterEach(() => h.cleanup());

const step = (yaml: string) => template(yaml);
const files = (r: Awaited<ReturnType<EngineHarness['run']>>, i = 0) => (r.view.steps[i]!.result as { files: string[] }).files.map((f) => f.slice(dir.length + 1));

describe('find_files', () => {
  it('finds by kind, name, ext, dates, sizes and OR, in natural name order', async () => {
    const cases: [string, string[]][] = [
      ['kind:pdf', ['report final.PDF', 'sub/nested 9.pdf', 'sub/nested 10.pdf', '週報 2026-01.pdf']],
      ['kind:pdf modified:>2026-01-01', ['sub/nested 9.pdf', 'sub/nested 10.pdf', '週報 2026-01.pdf']],
      ['name:週報* OR ext:txt', ['notes.txt', '週報 2026-01.pdf']],
      ['size:>1MB', ['photo.png']],
      ['newer_than:4d -kind:image', ['notes.txt', 'sub/nested 9.pdf', 'sub/nested 10.pdf']],
      ['"report final"', ['report final.PDF']],
    ];
    for (const [query, expected] of cases) {
      const r = await h.run(step(`  - find_files: { query: ${q(query)}, roots: [${q(dir)}] }\n`));
      expect(r.outcome.status, query).toBe('succeeded');
      expect(files(r), query).toEqual(expected);
      expect((r.view.steps[0]!.result as { found: number }).found, query).toBe(expected.length);
    }
  });

  it('honours limit, recursive and include_hidden, and adds up the bytes', async () => {
    const r = await h.run(step(`  - find_files: { query: "kind:pdf", roots: [${q(dir)}], recursive: false, include_hidden: true, limit: 2 }\n`));
    expect(files(r)).toEqual(['.hidden.pdf', 'report final.PDF']);
    expect(r.view.steps[0]!.result).toMatchObject({ found: 2, truncated: true, total_bytes: 6 });
  });

  it('fails with the folder named when a root is missing or is a file', async () => {
    const missing = await h.run(step(`  - find_files: { roots: [${q(join(dir, 'nope'))}] }\n`));
    expect(missing.outcome).toMatchObject({ status: 'failed', errorCode: 'FOLDER_NOT_FOUND', retryable: false });
    expect(missing.view.steps[0]!.error).toBe(`find_files: folder not found: ${join(dir, 'nope')}`);
    const file = await h.run(step(`  - find_files: { roots: [${q(join(dir, 'notes.txt'))}] }\n`));
    expect(file.view.steps[0]).toMatchObject({ status: 'failed', error_code: 'NOT_A_FOLDER' });
  });
});

describe('rename, move_to and copy_to', () => {
  it('previews renames and applies them with a real move (the originals are gone)', async () => {
    const out = join(dir, 'アーカイブ 2026');
    const r = await h.run(
      step(`  - find_files: { query: "kind:pdf", roots: [${q(dir)}], recursive: false }
  - rename: { rule: "{date}_{index:2}_{stem}.{ext}" }
  - move_to: { dest: ${q(out)} }
`),
    );
    expect(r.outcome.status).toBe('succeeded');
    expect(r.view.steps[1]!.result).toMatchObject({
      count: 2,
      renamed_previews: [
        { from: join(dir, 'report final.PDF'), to: join(dir, '2026-01-15_01_report final.PDF') },
        { from: join(dir, '週報 2026-01.pdf'), to: join(dir, '2026-01-15_02_週報 2026-01.pdf') },
      ],
    });
    expect(readdirSync(out).sort()).toEqual(['2026-01-15_01_report final.PDF', '2026-01-15_02_週報 2026-01.pdf']);
    expect(existsSync(join(dir, 'report final.PDF'))).toBe(false);
    expect(existsSync(join(dir, '週報 2026-01.pdf'))).toBe(false);
    expect(readFileSync(join(out, '2026-01-15_02_週報 2026-01.pdf'), 'utf8')).toBe('pdf-1');
    expect(r.view.steps[2]!.result).toEqual({ moved: 2, out_paths: [join(out, '2026-01-15_01_report final.PDF'), join(out, '2026-01-15_02_週報 2026-01.pdf')] });
  });

  it('resolves name collisions: suffix keeps both, overwrite replaces, fail moves nothing', async () => {
    const dest = join(dir, 'dest');
    writeTree(dest, { 'notes.txt': 'old notes' });
    const suffix = await h.run(step(`  - copy_to: { paths: [${q(join(dir, 'notes.txt'))}, ${q(join(dir, 'notes.txt'))}], dest: ${q(dest)} }\n`));
    expect(suffix.outcome.status).toBe('succeeded');
    expect(readdirSync(dest).sort()).toEqual(['notes (1).txt', 'notes (2).txt', 'notes.txt']);
    expect(readFileSync(join(dest, 'notes.txt'), 'utf8')).toBe('old notes');

    const fail = await h.run(step(`  - move_to: { paths: [${q(join(dir, 'notes.txt'))}, ${q(join(dir, 'photo.png'))}], dest: ${q(dest)}, on_conflict: fail }\n`));
    expect(fail.outcome).toMatchObject({ status: 'failed', errorCode: 'FILE_EXISTS' });
    expect(fail.view.steps[0]!.error).toBe(`move_to: 1 file(s) already exist (on_conflict: fail): ${join(dest, 'notes.txt')}`);
    expect(existsSync(join(dir, 'notes.txt')) && existsSync(join(dir, 'photo.png'))).toBe(true);

    const overwrite = await h.run(step(`  - move_to: { paths: [${q(join(dir, 'notes.txt'))}], dest: ${q(dest)}, on_conflict: overwrite }\n`));
    expect(overwrite.outcome.status).toBe('succeeded');
    expect(readFileSync(join(dest, 'notes.txt'), 'utf8')).toBe('notes');
    expect(existsSync(join(dir, 'notes.txt'))).toBe(false);
  });

  it('puts back what it moved when a later file fails', async () => {
    // The same file twice: the second is planned as 'notes (1).txt', but the first move took it.
    const sources = ['report final.PDF', 'notes.txt', 'notes.txt'].map((n) => join(dir, n));
    const dest = join(dir, 'dest');
    const r = await h.run(step(`  - move_to: { paths: [${sources.map(q).join(', ')}], dest: ${q(dest)}, on_conflict: suffix }\n`));
    expect(r.outcome).toMatchObject({ status: 'failed', errorCode: 'FILE_NOT_FOUND' });
    expect(r.view.steps[0]!.error).toMatch(/^move_to: .*notes\.txt → .*notes \(1\)\.txt: .*; 2 of 2 file\(s\) already moved were put back$/);
    expect(sources.every((f) => existsSync(f))).toBe(true);
    expect(readdirSync(dest)).toEqual([]);
  });

  it('removes what it copied when a later file cannot be copied', async () => {
    // A socket passes the plan (it exists, it is not a folder), but cannot be opened for reading.
    const socket = join(dir, 'agent.sock');
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(socket, resolve));
    try {
      const dest = join(dir, 'dest');
      const r = await h.run(step(`  - copy_to: { paths: [${q(join(dir, 'notes.txt'))}, ${q(join(dir, 'photo.png'))}, ${q(socket)}], dest: ${q(dest)} }\n`));
      expect(r.outcome.status).toBe('failed');
      expect(r.view.steps[0]!.error).toMatch(/^copy_to: .*agent\.sock → .*; 2 of the 2 copies made were removed$/);
      expect(readdirSync(dest)).toEqual([]);
    } finally {
      server.close();
    }
  });

  it('lists every missing input and moves nothing', async () => {
    const r = await h.run(step(`  - move_to: { paths: [${q(join(dir, 'notes.txt'))}, ${q(join(dir, 'gone 1.pdf'))}, ${q(join(dir, 'gone 2.pdf'))}], dest: ${q(join(dir, 'd'))} }\n`));
    expect(r.outcome).toMatchObject({ status: 'failed', errorCode: 'FILE_NOT_FOUND', retryable: false });
    expect(r.view.steps[0]!.error).toBe(`move_to: 2 file(s) not found: ${join(dir, 'gone 1.pdf')}, ${join(dir, 'gone 2.pdf')}`);
    expect(existsSync(join(dir, 'notes.txt'))).toBe(true);
    expect(existsSync(join(dir, 'd'))).toBe(false);
  });

  it('cannot write under a path whose parent is a file (fails for root too) and leaves the sources', async () => {
    const r = await h.run(step(`  - move_to: { paths: [${q(join(dir, 'notes.txt'))}], dest: ${q(join(dir, 'photo.png', 'sub'))} }\n`));
    expect(r.outcome).toMatchObject({ status: 'failed', errorCode: 'NOT_A_FOLDER' });
    expect(r.view.steps[0]!.error).toContain(`move_to: cannot create the folder ${join(dir, 'photo.png', 'sub')}`);
    expect(existsSync(join(dir, 'notes.txt'))).toBe(true);
  });

  it('needs files to work on', async () => {
    const r = await h.run(step('  - rename: { rule: "{stem}-x.{ext}" }\n'));
    expect(r.view.steps[0]).toMatchObject({ status: 'failed', error_code: 'NO_FILES', error: 'rename: no files to work on; run find_files first or give paths' });
  });
});

describe('zip_folder', () => {
  it('writes a zip that unzip reads, with Japanese and spaced names, without itself', async () => {
    const out = join(dir, 'backup 週報.zip');
    const r = await h.run(step(`  - zip_folder: { folder: ${q(dir)}, out: ${q(out)} }\n`));
    expect(r.outcome.status).toBe('succeeded');
    const result = r.view.steps[0]!.result as { zip: string; bytes: number; files: number };
    expect(result).toMatchObject({ zip: out, files: 7 });
    expect(result.bytes).toBe(readFileSync(out).length);
    const test = spawnSync('unzip', ['-t', out], { encoding: 'utf8' });
    expect(test.status, test.stdout + test.stderr).toBe(0);
    const list = spawnSync('unzip', ['-Z1', out], { encoding: 'utf8' }).stdout.split('\n').filter(Boolean).sort();
    expect(list).toEqual(['.hidden.pdf', 'notes.txt', 'photo.png', 'report final.PDF', 'sub/nested 10.pdf', 'sub/nested 9.pdf', '週報 2026-01.pdf']);
    expect(spawnSync('unzip', ['-p', out, '週報 2026-01.pdf'], { encoding: 'utf8' }).stdout).toBe('pdf-1');
  });

  it('fails on a missing folder and refuses to replace with on_conflict: fail', async () => {
    const missing = await h.run(step(`  - zip_folder: { folder: ${q(join(dir, 'nope'))}, out: ${q(join(dir, 'x.zip'))} }\n`));
    expect(missing.view.steps[0]).toMatchObject({ status: 'failed', error_code: 'FOLDER_NOT_FOUND' });
    writeFileSync(join(dir, 'x.zip'), 'keep');
    const exists = await h.run(step(`  - zip_folder: { folder: ${q(join(dir, 'sub'))}, out: ${q(join(dir, 'x.zip'))}, on_conflict: fail }\n`));
    expect(exists.view.steps[0]).toMatchObject({ status: 'failed', error_code: 'FILE_EXISTS' });
    expect(readFileSync(join(dir, 'x.zip'), 'utf8')).toBe('keep');
  });
});

describe('delete_files and assert_file_exists', () => {
  it('deletes the selection, reports missing files, refuses folders', async () => {
    const r = await h.run(step(`  - find_files: { query: "ext:txt", roots: [${q(dir)}] }\n  - delete_files: { from_state: true }\n`));
    expect(r.view.steps[1]!.result).toEqual({ deleted: 1, paths: [join(dir, 'notes.txt')], missing: [] });
    expect(existsSync(join(dir, 'notes.txt'))).toBe(false);
    const again = await h.run(step(`  - delete_files: { paths: [${q(join(dir, 'notes.txt'))}] }\n`));
    expect(again.view.steps[0]!.result).toEqual({ deleted: 0, paths: [], missing: [join(dir, 'notes.txt')] });
    const folder = await h.run(step(`  - delete_files: { paths: [${q(join(dir, 'sub'))}, ${q(join(dir, 'photo.png'))}] }\n`));
    expect(folder.view.steps[0]).toMatchObject({ status: 'failed', error_code: 'IS_A_FOLDER' });
    expect(existsSync(join(dir, 'photo.png'))).toBe(true);
  });

  it('asserts a file exists', async () => {
    const ok = await h.run(step(`  - assert_file_exists: { path: ${q(join(dir, '週報 2026-01.pdf'))} }\n`));
    expect(ok.view.steps[0]!.result).toEqual({ exists: true, path: join(dir, '週報 2026-01.pdf'), bytes: 5 });
    const no = await h.run(step(`  - assert_file_exists: { path: ${q(join(dir, 'missing.pdf'))} }\n`));
    expect(no.outcome).toMatchObject({ status: 'failed', errorCode: 'ASSERTION_FAILED', error: `steps[0] assert_file_exists: File not found: ${join(dir, 'missing.pdf')}` });
  });
});

describe('read_csv', () => {
  it('reads UTF-8 with a BOM, quotes, newlines in fields and Japanese headers', async () => {
    writeTree(dir, { 'people.csv': '\ufeff氏名,メール,"メモ"\r\n山田 太郎,taro@example.com,"a, ""b""\nc"\r\n\r\n佐藤,sato@example.com,\r\n' });
    const r = await h.run(step(`  - read_csv: { path: ${q(join(dir, 'people.csv'))} }\n`));
    expect(r.view.steps[0]!.result).toEqual({
      columns: ['氏名', 'メール', 'メモ'],
      count: 2,
      rows: [
        { 氏名: '山田 太郎', メール: 'taro@example.com', メモ: 'a, "b"\nc' },
        { 氏名: '佐藤', メール: 'sato@example.com', メモ: '' },
      ],
    });
  });

  it('reads Shift_JIS from Japanese Excel when told, and says so when not', async () => {
    // "氏名\r\n山田\r\n" in Shift_JIS.
    writeFileSync(join(dir, 'sjis.csv'), Buffer.from([0x8e, 0x81, 0x96, 0xbc, 0x0d, 0x0a, 0x8e, 0x52, 0x93, 0x63, 0x0d, 0x0a]));
    const r = await h.run(step(`  - read_csv: { path: ${q(join(dir, 'sjis.csv'))}, encoding: shift_jis }\n`));
    expect(r.view.steps[0]!.result).toMatchObject({ rows: [{ 氏名: '山田' }] });
    const wrong = await h.run(step(`  - read_csv: { path: ${q(join(dir, 'sjis.csv'))} }\n`));
    expect(wrong.view.steps[0]!.error).toMatch(/is not valid utf-8; CSV files saved by Excel on Japanese Windows need encoding: shift_jis/);
  });
});
