import { spawnSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CLI, requireBuild } from '../support/serve-process';

/**
 * Permission denied for real. Tests run as root, for whom chmod changes nothing, so the built CLI
 * runs as `nobody` (setpriv) against folders owned by root; as an ordinary user the folders are
 * simply made read-only.
 */
const NOBODY = 65534;
const asRoot = process.getuid?.() === 0;

function workspace() {
  const base = mkdtempSync(join(tmpdir(), 'da-perm-'));
  chmodSync(base, 0o755);
  const mine = join(base, 'mine 自分');
  const locked = join(base, 'locked 施錠');
  const data = join(base, 'data');
  for (const d of [mine, locked, data]) mkdirSync(d);
  writeFileSync(join(mine, 'report.txt'), 'mine');
  mkdirSync(join(mine, 'secret sub'));
  writeFileSync(join(mine, 'secret sub', 'hidden.txt'), 'x');
  writeFileSync(join(locked, 'root-only.pdf'), '%PDF-1.4');
  if (asRoot) {
    for (const p of [mine, join(mine, 'report.txt'), data]) chownSync(p, NOBODY, NOBODY);
    chmodSync(join(mine, 'secret sub'), 0o700);
    chmodSync(join(locked, 'root-only.pdf'), 0o600);
  } else {
    chmodSync(join(mine, 'secret sub'), 0o000);
    chmodSync(join(locked, 'root-only.pdf'), 0o000);
    chmodSync(locked, 0o555);
  }
  return { base, mine, locked, data };
}

function run(template: string, data: string) {
  const file = join(data, '..', 'template.yaml');
  writeFileSync(file, template);
  chmodSync(file, 0o644);
  const argv = [CLI, 'run', file, '--data-dir', data, '--json'];
  const r = asRoot
    ? spawnSync('setpriv', [`--reuid=${NOBODY}`, `--regid=${NOBODY}`, '--clear-groups', process.execPath, ...argv], { encoding: 'utf8', env: { PATH: process.env.PATH } })
    : spawnSync(process.execPath, argv, { encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr, json: r.stdout ? (JSON.parse(r.stdout) as { status: string; steps: { status: string; error: string | null; error_code: string | null; result: unknown }[] }) : undefined };
}

describe.runIf(!asRoot || spawnSync('setpriv', ['--version']).status === 0)('permission denied, for real', () => {
  it('fails a move into a folder the user may not write, names it, and leaves the file', () => {
    requireBuild();
    const w = workspace();
    const r = run(`dsl_version: "1.1"\nname: perm\nsteps:\n  - move_to: { paths: [${JSON.stringify(join(w.mine, 'report.txt'))}], dest: ${JSON.stringify(w.locked)} }\n`, w.data);
    expect(r.code, r.stderr).toBe(1);
    expect(r.json!.steps[0]).toMatchObject({ status: 'failed', error_code: 'PERMISSION_DENIED' });
    expect(r.json!.steps[0]!.error).toMatch(new RegExp(`^move_to: ${join(w.mine, 'report.txt')} → ${join(w.locked, 'report.txt')}: Permission denied`));
    expect(readFileSync(join(w.mine, 'report.txt'), 'utf8')).toBe('mine');
    expect(existsSync(join(w.locked, 'report.txt'))).toBe(false);
  });

  it('reads around an unreadable subfolder and reports it; an unreadable PDF fails with Permission denied', () => {
    requireBuild();
    const w = workspace();
    const r = run(
      `dsl_version: "1.1"\nname: perm\nsteps:\n  - find_files: { roots: [${JSON.stringify(w.mine)}] }\n  - pdf_merge: { inputs: [${JSON.stringify(join(w.locked, 'root-only.pdf'))}], out: ${JSON.stringify(join(w.mine, 'out.pdf'))} }\n`,
      w.data,
    );
    expect(r.json!.steps[0]).toMatchObject({
      status: 'succeeded',
      result: { found: 1, files: [join(w.mine, 'report.txt')], unreadable: [{ path: join(w.mine, 'secret sub'), reason: `Permission denied: ${join(w.mine, 'secret sub')}` }] },
    });
    expect(r.json!.steps[1]).toMatchObject({ status: 'failed', error_code: 'PERMISSION_DENIED', error: `Permission denied: ${join(w.locked, 'root-only.pdf')}` });
    expect(existsSync(join(w.mine, 'out.pdf'))).toBe(false);
  });
});
