import { mkdirSync, mkdtempSync, readFileSync, readdirSync, realpathSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { engineHarness, type EngineHarness } from '../../../test-support/engine';
import { REPO_ROOT } from '../../../test-support/temp-core';
import { writePdf } from '../../../test-support/files';
import { localDate } from '../engine/actions/file-access';

/**
 * The shipped file templates, run with their own default folders (`~/Downloads`,
 * `~/Documents/Reports`) under the default files.allowed_roots. HOME and TMPDIR point at two
 * separate temp folders (this file runs in its own process), so the home folder is allowed only
 * because `~` is a default root: without it the same runs are blocked.
 */
const read = (name: string) => readFileSync(join(REPO_ROOT, 'configs', 'templates', name), 'utf8');
const saved = { HOME: process.env.HOME, TMPDIR: process.env.TMPDIR };
let base: string;
let home: string;
let h: EngineHarness;

beforeAll(() => {
  base = realpathSync(mkdtempSync(join(tmpdir(), 'da-default-roots-')));
  home = join(base, 'home');
  mkdirSync(home);
  mkdirSync(join(base, 'tmp'));
  process.env.HOME = home;
  process.env.TMPDIR = join(base, 'tmp');
});
afterAll(() => {
  for (const [k, v] of Object.entries(saved)) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
  rmSync(base, { recursive: true, force: true });
});
afterEach(() => h?.cleanup());

async function downloads(): Promise<string> {
  const dl = join(home, 'Downloads');
  rmSync(dl, { recursive: true, force: true });
  rmSync(join(home, 'Documents'), { recursive: true, force: true });
  await writePdf(join(dl, '請求書.pdf'), 2, 'invoice');
  writeFileSync(join(dl, 'photo.jpg'), 'jpg');
  const old = new Date(Date.now() - 3 * 86_400_000);
  for (const f of ['請求書.pdf', 'photo.jpg']) utimesSync(join(dl, f), old, old);
  return dl;
}

describe('the shipped templates under the default files.allowed_roots', () => {
  it('downloads_tidy.yaml sorts ~/Downloads with its default variables', async () => {
    h = engineHarness();
    // The home folder is not under the temp dir: only the root `~` can allow it.
    expect(join(home, 'x').startsWith(tmpdir())).toBe(false);
    const dl = await downloads();
    const r = await h.run(read('downloads_tidy.yaml'));
    expect(r.outcome.status, JSON.stringify(r.view.steps.map((s) => s.error))).toBe('succeeded');
    expect(readdirSync(join(dl, 'PDF'))).toEqual(['請求書.pdf']);
    expect(readdirSync(join(dl, 'Images'))).toEqual(['photo.jpg']);
  });

  it('weekly_report.yaml files ~/Downloads into ~/Documents/Reports and attaches the summary, dry and for real', async () => {
    h = engineHarness();
    await downloads();
    utimesSync(join(home, 'Downloads', '請求書.pdf'), new Date(), new Date());
    const dry = await h.run(read('weekly_report.yaml'), { dryRun: true });
    expect(dry.outcome.status, JSON.stringify(dry.view.steps.map((s) => s.error))).toBe('succeeded');
    const r = await h.run(read('weekly_report.yaml'));
    expect(r.outcome.status, JSON.stringify(r.view.steps.map((s) => s.error))).toBe('succeeded');
    const date = localDate(Date.now());
    expect(readdirSync(join(home, 'Documents', 'Reports', date)).sort()).toEqual([`${date}_01_請求書.pdf`, `summary-${date}.pdf`, `weekly-report-${date}.pdf`]);
    expect(r.view.steps[6]).toMatchObject({ action: 'attach_files', status: 'succeeded' });
    expect(r.view.steps[7]).toMatchObject({ action: 'save_draft', status: 'succeeded' });
  });

  it('is blocked with PERMISSION_BLOCKED when ~ is taken out of the roots (so ~ is what allowed it)', async () => {
    h = engineHarness({ config: { files: { allowed_roots: ['<temp-dir>', '<data-dir>'] } } });
    await downloads();
    const r = await h.run(read('downloads_tidy.yaml'));
    expect(r.outcome).toMatchObject({ status: 'failed', errorCode: 'PERMISSION_BLOCKED' });
    expect(r.view.steps[0]!.error).toContain(`find_files: ${join(home, 'Downloads')} is outside files.allowed_roots`);
  });
});
