import { existsSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ACTION_SPECS } from '@shared/dsl/actions';
import { engineHarness, template, type EngineHarness } from '../../../test-support/engine';
import { hashTree, insideAndOutside, q, writePdf } from '../../../test-support/files';

/**
 * Every action that reads or writes a path a template names goes through the one guard
 * (path-guard.ts), in runs and dry runs: with `files.allowed_roots` set to one folder, each of
 * them fails with PERMISSION_BLOCKED on a path next to it, and nothing outside changes.
 */
let h: EngineHarness;
let inside: string;
let outside: string;
let cleanup: () => void;
beforeEach(async () => {
  ({ inside, outside, cleanup } = insideAndOutside('roots'));
  writeFileSync(join(inside, 'ok.csv'), 'a,b\n1,2\n');
  writeFileSync(join(outside, 'secret.csv'), 'user,hash\nroot,PlantedHash42\n');
  await writePdf(join(inside, 'ok.pdf'), 1);
  await writePdf(join(outside, 'secret.pdf'), 2);
  writeFileSync(join(outside, 'page.html'), '<p>PlantedHash42</p>');
  h = engineHarness({ config: { files: { allowed_roots: [inside] } } });
});
afterEach(() => {
  h.cleanup();
  cleanup();
});

/** One step (or a few) per action, each naming a path outside `inside` in one of its path params. */
function cases(): [action: string, steps: string][] {
  const i = (name: string) => q(join(inside, name));
  const o = (name: string) => q(join(outside, name));
  return [
    ['find_files', `  - find_files: { roots: [${q(outside)}] }\n`],
    ['rename', `  - rename: { rule: "x_{basename}", paths: [${o('secret.csv')}] }\n`],
    ['move_to', `  - move_to: { dest: ${q(join(outside, 'dest'))}, paths: [${i('ok.csv')}] }\n`],
    ['move_to', `  - move_to: { dest: ${i('dest')}, paths: [${o('secret.csv')}] }\n`],
    ['copy_to', `  - copy_to: { dest: ${q(join(outside, 'dest'))}, paths: [${i('ok.csv')}] }\n`],
    ['copy_to', `  - copy_to: { dest: ${i('dest')}, paths: [${o('secret.csv')}] }\n`],
    ['zip_folder', `  - zip_folder: { folder: ${q(outside)}, out: ${i('x.zip')} }\n`],
    ['zip_folder', `  - zip_folder: { folder: ${q(inside)}, out: ${o('x.zip')} }\n`],
    ['delete_files', `  - delete_files: { paths: [${o('secret.csv')}] }\n`],
    ['assert_file_exists', `  - assert_file_exists: { path: ${o('secret.csv')} }\n`],
    ['read_csv', `  - read_csv: { path: ${o('secret.csv')} }\n`],
    ['pdf_merge', `  - pdf_merge: { inputs: [${i('ok.pdf')}, ${o('secret.pdf')}], out: ${i('m.pdf')} }\n`],
    ['pdf_merge', `  - pdf_merge: { inputs_from: ${q(outside)}, out: ${i('m.pdf')} }\n`],
    ['pdf_merge', `  - pdf_merge: { inputs: [${i('ok.pdf')}], out: ${o('m.pdf')} }\n`],
    ['pdf_extract_pages', `  - pdf_extract_pages: { input: ${o('secret.pdf')}, pages: 1, out: ${i('e.pdf')} }\n`],
    ['pdf_extract_pages', `  - pdf_extract_pages: { input: ${i('ok.pdf')}, pages: 1, out: ${o('e.pdf')} }\n`],
    ['assert_pdf_pages', `  - assert_pdf_pages: { path: ${o('secret.pdf')}, expected_pages: 2 }\n`],
    ['open_path', `  - open_path: { path: ${o('secret.csv')} }\n`],
    ['attach_files', `  - compose_mail: { to: a@example.com, subject: s, body: b }\n  - attach_files: { paths: [${o('secret.csv')}] }\n`],
    ['upload_file', `  - upload_file: { path: ${o('secret.csv')}, selector: "#f" }\n`],
    ['download_file', `  - download_file: { url: "http://127.0.0.1:9/x.csv", to: ${q(outside + '/')} }\n`],
    ['wait_for_download', `  - wait_for_download: { to: ${o('x.csv')} }\n`],
    ['open_browser', `  - open_browser: { url: ${q(`file://${join(outside, 'page.html')}`)} }\n`],
    ['for_each', `  - for_each:\n      items: [${o('secret.csv')}]\n      steps:\n        - read_csv: { path: "{{row}}" }\n`],
  ];
}

/** Actions that name no file path of their own (save_draft and send_mail read what attach_files checked, and check it again). */
const NO_PATHS = [
  'log', 'wait', 'human_confirm', 'mouse_move', 'mouse_click', 'type_text', 'press_keys', 'screenshot', 'make_request', 'compose_mail', 'save_draft', 'send_mail',
  'fill_by_label', 'click_by_text', 'wait_for_selector', 'wait_for_element', 'assert_element', 'assert_text', 'take_screenshot', 'capture_dom_schema',
];

describe('files.allowed_roots in every action', () => {
  it('covers every action of DSL 1.1: each names a path and is checked below, or names none', () => {
    const checked = new Set(cases().map(([a]) => a));
    const all = [...ACTION_SPECS.keys()];
    expect(all.filter((a) => !checked.has(a) && !NO_PATHS.includes(a))).toEqual([]);
    expect(NO_PATHS.filter((a) => checked.has(a) || !ACTION_SPECS.has(a))).toEqual([]);
  });

  for (const dryRun of [false, true]) {
    it(`fails each with PERMISSION_BLOCKED naming the setting${dryRun ? ' in a dry run' : ''}, and changes nothing outside`, async () => {
      const before = hashTree(outside);
      for (const [action, steps] of cases()) {
        const r = await h.run(template(steps), { dryRun });
        const failed = r.view.steps.find((s) => s.status === 'failed') ?? { error: r.outcome.error, error_code: r.outcome.errorCode };
        const where = `${action}${dryRun ? ' (dry run)' : ''}: ${steps.trim()}`;
        expect(r.outcome.status, where).toBe('failed');
        expect(failed?.error, where).toContain('outside files.allowed_roots in orchestrator.yaml');
        expect(failed?.error, where).toContain(outside);
        if (action !== 'for_each') expect(failed?.error_code, where).toBe('PERMISSION_BLOCKED');
        expect(JSON.stringify(r.view), where).not.toContain('PlantedHash42');
      }
      expect(hashTree(outside)).toEqual(before);
      expect(readdirSync(inside).sort()).toEqual(['ok.csv', 'ok.pdf']);
    });
  }

  it('leaves out of find_files a link that leads outside (listed as unreadable), and refuses it when named', async () => {
    symlinkSync(join(outside, 'secret.csv'), join(inside, 'linked.csv'));
    const r = await h.run(template(`  - find_files: { roots: [${q(inside)}] }\n  - copy_to: { dest: ${q(join(inside, 'copies'))} }\n`));
    expect(r.outcome.status).toBe('succeeded');
    expect(r.view.steps[0]!.result).toMatchObject({ files: [join(inside, 'ok.csv'), join(inside, 'ok.pdf')], unreadable: [{ path: join(inside, 'linked.csv'), reason: 'a link to a place outside files.allowed_roots' }] });
    expect(readdirSync(join(inside, 'copies')).sort()).toEqual(['ok.csv', 'ok.pdf']);
    const named = await h.run(template(`  - read_csv: { path: ${q(join(inside, 'linked.csv'))} }\n`));
    expect(named.view.steps[0]).toMatchObject({ status: 'failed', error_code: 'PERMISSION_BLOCKED' });
    expect(existsSync(join(inside, 'copies', 'linked.csv'))).toBe(false);
  });
});
