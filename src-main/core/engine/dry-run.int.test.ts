import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FakeClock } from '../kernel/clock';
import { engineHarness, mapSecrets, template, type EngineHarness } from '../../../test-support/engine';
import { hashTree, q, tempDir, writePdf, writeTree } from '../../../test-support/files';

let h: EngineHarness;
afterEach(() => h?.cleanup());

describe('dry runs', () => {
  it('run read-only actions, report would_* for every mutating one, and change nothing', async () => {
    h = engineHarness({ config: { mail: { smtp: { host: '127.0.0.1', port: 1, password_secret: 'secrets://smtp' } } }, secrets: mapSecrets({}) });
    const dir = tempDir('dry');
    await writePdf(join(dir, 'in', 'a.pdf'), 2);
    await writePdf(join(dir, 'in', 'b.pdf'), 3);
    writeTree(dir, { 'old.log': 'x', 'keep/readme.txt': 'r' });
    const before = hashTree(dir);
    const out = join(dir, 'out');
    const r = await h.run(
      template(`  - find_files: { query: "kind:pdf", roots: [${q(join(dir, 'in'))}], id: find }
  - copy_to: { dest: ${q(out)}, id: copy }
  - pdf_merge: { inputs: "{{steps.copy.out_paths}}", out: ${q(join(out, 'all.pdf'))}, id: merge }
  - pdf_extract_pages: { input: "{{steps.merge.out_path}}", pages: "2-", out: ${q(join(out, 'tail.pdf'))}, id: tail }
  - assert_pdf_pages: { path: "{{steps.tail.out_path}}", expected_pages: 4 }
  - zip_folder: { folder: ${q(join(dir, 'keep'))}, out: ${q(join(out, 'keep.zip'))} }
  - delete_files: { paths: [${q(join(dir, 'old.log'))}] }
  - compose_mail: { to: a@example.com, subject: "{{steps.merge.page_count}} pages" }
  - attach_files: { paths: ["{{steps.tail.out_path}}"] }
  - save_draft: {}
  - send_mail: {}
  - open_path: { path: ${q(join(dir, 'keep'))} }
`),
      { dryRun: true },
    );
    expect(r.outcome, JSON.stringify(r.view.steps.map((s) => s.error))).toMatchObject({ status: 'succeeded' });
    expect(hashTree(dir)).toEqual(before);
    expect(existsSync(out)).toBe(false);
    expect(h.opened).toEqual([]);
    const results = r.view.steps.map((s) => s.result as Record<string, unknown>);
    expect(results[1]).toMatchObject({ copied: 0, would_copy: [{ to: join(out, 'a.pdf') }, { to: join(out, 'b.pdf') }] });
    expect(results[2]).toMatchObject({ page_count: 5, would_write: join(out, 'all.pdf') });
    expect(results[3]).toMatchObject({ page_count: 4, pages: [2, 3, 4, 5], would_write: join(out, 'tail.pdf') });
    expect(results[4]).toEqual({ path: join(out, 'tail.pdf'), page_count: 4 });
    expect(results[5]).toMatchObject({ would_zip: { folder: join(dir, 'keep'), out: join(out, 'keep.zip'), files: 1 } });
    expect(results[6]).toEqual({ deleted: 0, would_delete: [join(dir, 'old.log')], missing: [] });
    expect(results[9]).toMatchObject({ would_save: { subject: '5 pages', attachments: ['tail.pdf'] } });
    expect(results[10]).toMatchObject({ sent: false, would_send: { to: ['a@example.com'], configured: true } });
    expect(results[11]).toEqual({ would_open: join(dir, 'keep') });
    expect(existsSync(join(h.artifactsDir, r.runId))).toBe(false);
  });

  it('still fails on what would fail for real (a missing input, out-of-range pages)', async () => {
    h = engineHarness();
    const dir = tempDir('dry-fail');
    await writePdf(join(dir, 'a.pdf'), 2);
    const r = await h.run(template(`  - pdf_extract_pages: { input: ${q(join(dir, 'a.pdf'))}, pages: "3", out: ${q(join(dir, 'x.pdf'))} }\n`), { dryRun: true });
    expect(r.outcome).toMatchObject({ status: 'failed', errorCode: 'PAGES_OUT_OF_RANGE' });
    const m = await h.run(template(`  - move_to: { paths: [${q(join(dir, 'gone.pdf'))}], dest: ${q(dir)} }\n`), { dryRun: true });
    expect(m.outcome).toMatchObject({ status: 'failed', errorCode: 'FILE_NOT_FOUND' });
  });
});

describe('open_path and the run scope', () => {
  it('opens an existing path through the notifier and refuses a missing one', async () => {
    h = engineHarness();
    const dir = tempDir('open');
    mkdirSync(join(dir, 'フォルダ'));
    const r = await h.run(template(`  - open_path: { path: ${q(join(dir, 'フォルダ'))} }\n  - open_path: { path: ${q(join(dir, 'nope'))} }\n`));
    expect(h.opened).toEqual([join(dir, 'フォルダ')]);
    expect(r.view.steps[0]!.result).toEqual({ opened: join(dir, 'フォルダ') });
    expect(r.view.steps[1]).toMatchObject({ status: 'failed', error_code: 'FILE_NOT_FOUND', error: `open_path: no such file or folder: ${join(dir, 'nope')}` });
  });

  it('renders date, now, run.* and trigger.* at step time', async () => {
    h = engineHarness({ clock: new FakeClock('2026-03-04T05:06:07Z') });
    const r = await h.run(template('  - log: { message: "{{date}} {{now}} {{run.id}} {{run.template}} {{run.dry_run}} {{trigger.type}} {{trigger.trigger_file | basename}}" }\n'), {
      trigger: 'watcher:invoices',
      triggerData: { trigger_file: '/in/請求書.pdf' },
    });
    const day = new Date('2026-03-04T05:06:07Z');
    const local = `${day.getFullYear()}-${String(day.getMonth() + 1).padStart(2, '0')}-${String(day.getDate()).padStart(2, '0')}`;
    expect(r.view.steps[0]!.result).toEqual({ message: `${local} 2026-03-04T05:06:07.000Z ${r.runId} test false watcher 請求書.pdf`, level: 'info' });
  });
});
