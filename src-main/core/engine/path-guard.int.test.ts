import { mkdirSync, realpathSync, symlinkSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { insideAndOutside } from '../../../test-support/files';
import { ActionError } from './action-types';
import { PathGuard, pathGuards, type FileScope } from './path-guard';

/** Real folders and links in a temp dir: `allowed` is the only root, `outside` is not. */
let base: string;
let allowed: string;
let outside: string;
let cleanup: () => void;
beforeEach(() => {
  ({ base, inside: allowed, outside, cleanup } = insideAndOutside('guard'));
  writeFileSync(join(outside, 'secret.txt'), 'root:$6$hash:19000:0:99999:7:::\n');
  writeFileSync(join(allowed, 'ok.txt'), 'ok');
});
afterEach(() => cleanup());

function guard(over: Partial<FileScope> = {}): PathGuard {
  const dataDir = join(base, 'data');
  return new PathGuard({
    allowedRoots: [allowed],
    home: homedir(),
    temp: tmpdir(),
    dataDir,
    artifactsDir: join(dataDir, 'artifacts'),
    configDir: join(dataDir, 'configs'),
    ...over,
  });
}

/** The ActionError a check throws (the test fails when it does not throw). */
function refusal(g: PathGuard, path: string): ActionError {
  try {
    g.check(path, 'read_csv');
  } catch (e) {
    expect(e).toBeInstanceOf(ActionError);
    return e as ActionError;
  }
  throw new Error(`${path} was allowed`);
}

describe('PathGuard', () => {
  it('allows files under a root, existing or not yet, and answers the absolute path', () => {
    const g = guard();
    expect(g.check(join(allowed, 'ok.txt'), 'read_csv')).toBe(join(allowed, 'ok.txt'));
    expect(g.check(join(allowed, 'new', 'deeper', '報告 1.pdf'), 'pdf_merge')).toBe(join(allowed, 'new', 'deeper', '報告 1.pdf'));
    expect(g.check(`  ${allowed}/sub/../ok.txt  `, 'read_csv')).toBe(join(allowed, 'ok.txt'));
    expect(g.check(allowed, 'find_files')).toBe(allowed);
  });

  it('refuses a path outside with PERMISSION_BLOCKED naming the setting and the path', () => {
    const e = refusal(guard(), join(outside, 'secret.txt'));
    expect(e.code).toBe('PERMISSION_BLOCKED');
    expect(e.retryable).toBe(false);
    expect(e.message).toBe(`read_csv: ${join(outside, 'secret.txt')} is outside files.allowed_roots in orchestrator.yaml (${allowed}); to allow it, add its folder to that list in ${join(base, 'data', 'configs', 'orchestrator.yaml')}`);
    expect(e.details).toEqual({ path: join(outside, 'secret.txt'), setting: 'files.allowed_roots' });
    expect(refusal(guard(), '/etc/shadow').code).toBe('PERMISSION_BLOCKED');
  });

  it('catches .. that climbs out of a root', () => {
    const e = refusal(guard(), `${allowed}/../outside/secret.txt`);
    expect(e.message).toContain(`${join(outside, 'secret.txt')} is outside files.allowed_roots`);
    expect(refusal(guard(), `${allowed}/sub/../../outside/new.txt`).code).toBe('PERMISSION_BLOCKED');
  });

  it('follows links: to a file outside, a folder outside, and a dangling link whose target would be created outside', () => {
    symlinkSync(join(outside, 'secret.txt'), join(allowed, 'innocent.csv'));
    symlinkSync(outside, join(allowed, 'reports'));
    symlinkSync(join(outside, 'not-yet.txt'), join(allowed, 'dangling.txt'));
    const g = guard();
    expect(refusal(g, join(allowed, 'innocent.csv')).message).toContain(`(it leads to ${join(outside, 'secret.txt')}) is outside files.allowed_roots`);
    expect(refusal(g, join(allowed, 'reports', 'secret.txt')).code).toBe('PERMISSION_BLOCKED');
    // Not there yet, under a linked folder: where a write would land decides.
    expect(refusal(g, join(allowed, 'reports', 'new', 'out.pdf')).message).toContain(`leads to ${join(outside, 'new', 'out.pdf')}`);
    expect(refusal(g, join(allowed, 'dangling.txt')).message).toContain(`leads to ${join(outside, 'not-yet.txt')}`);
    // A relative dangling link, resolved from the link's real folder.
    mkdirSync(join(allowed, 'sub'));
    symlinkSync('../../outside/rel.txt', join(allowed, 'sub', 'rel-link'));
    expect(refusal(g, join(allowed, 'sub', 'rel-link')).message).toContain(`leads to ${join(outside, 'rel.txt')}`);
    expect(g.allows(join(allowed, 'reports'))).toBe(false);
    expect(g.allows(join(allowed, 'ok.txt'))).toBe(true);
  });

  it('allows links that stay inside, and a root that is itself a link', () => {
    symlinkSync(join(allowed, 'ok.txt'), join(allowed, 'alias.txt'));
    expect(guard().check(join(allowed, 'alias.txt'), 'read_csv')).toBe(join(allowed, 'alias.txt'));
    const rootLink = join(base, 'root-link');
    symlinkSync(allowed, rootLink);
    const g = guard({ allowedRoots: [rootLink] });
    expect(g.roots).toEqual([allowed]);
    expect(g.check(join(rootLink, 'ok.txt'), 'read_csv')).toBe(join(rootLink, 'ok.txt'));
    expect(g.check(join(allowed, 'new.txt'), 'read_csv')).toBe(join(allowed, 'new.txt'));
    expect(refusal(g, join(outside, 'secret.txt')).message).toContain(`files.allowed_roots in orchestrator.yaml (${allowed})`);
  });

  it('does not take a sibling whose name starts with a root for the root (/tmp-evil is not /tmp)', () => {
    const evil = `${allowed}-evil`;
    mkdirSync(evil);
    writeFileSync(join(evil, 'x.csv'), 'a');
    expect(refusal(guard(), join(evil, 'x.csv')).code).toBe('PERMISSION_BLOCKED');
    expect(refusal(guard(), `${allowed}-evil`).code).toBe('PERMISSION_BLOCKED');
  });

  it('refuses a cycle of links as unresolvable', () => {
    symlinkSync(join(allowed, 'b'), join(allowed, 'a'));
    symlinkSync(join(allowed, 'a'), join(allowed, 'b'));
    const e = refusal(guard(), join(allowed, 'a', 'x.txt'));
    expect(e.code).toBe('PERMISSION_BLOCKED');
    expect(e.message).toMatch(/its links cannot be resolved .* files\.allowed_roots/);
  });

  it("keeps the app's own data out of reach, even under a root, except the artifacts", () => {
    const dataDir = join(allowed, 'data');
    const g = guard({ dataDir, artifactsDir: join(dataDir, 'artifacts'), configDir: join(allowed, 'configs') });
    for (const p of [join(dataDir, 'desktop-agent.db'), join(dataDir, 'cli-token'), join(dataDir, 'secrets.enc'), dataDir, join(allowed, 'configs', 'orchestrator.yaml')]) {
      const e = refusal(g, p);
      expect(e.code, p).toBe('PERMISSION_BLOCKED');
      expect(e.message, p).toContain("is the app's own data");
    }
    expect(g.check(join(dataDir, 'artifacts', 'run_1', 'draft.eml'), 'attach_files')).toBe(join(dataDir, 'artifacts', 'run_1', 'draft.eml'));
    // A link from a root into the data dir is the data dir.
    symlinkSync(join(dataDir, 'cli-token'), join(allowed, 'token.txt'));
    expect(refusal(g, join(allowed, 'token.txt')).message).toContain("is the app's own data");
  });

  it('resolves ~, <temp-dir> and <data-dir>; skips Windows drives and shares on this platform; [] refuses everything', () => {
    const dataDir = join(base, 'data');
    const g = guard({ allowedRoots: ['~', '<temp-dir>', '<data-dir>', 'D:\\Data', '\\\\server\\share'], dataDir });
    expect(g.roots).toEqual([realpathSync(homedir()), realpathSync(tmpdir()), dataDir]);
    expect(g.skipped).toEqual([
      { value: 'D:\\Data', reason: `a Windows drive or share, not a folder on ${process.platform}` },
      { value: '\\\\server\\share', reason: `a Windows drive or share, not a folder on ${process.platform}` },
    ]);
    expect(g.check('~/Downloads/new.pdf', 'pdf_merge')).toBe(join(homedir(), 'Downloads', 'new.pdf'));
    expect(g.check(join(dataDir, 'artifacts', 'x.eml'), 'attach_files')).toBe(join(dataDir, 'artifacts', 'x.eml'));
    const none = guard({ allowedRoots: [] });
    expect(refusal(none, join(allowed, 'ok.txt')).message).toContain('files.allowed_roots in orchestrator.yaml (none)');
  });

  it('is built again when orchestrator.yaml is reloaded (a new files section), once per configuration, logging skipped roots once', () => {
    const warnings: string[] = [];
    const dataDir = join(base, 'data');
    const guardOf = pathGuards({ dataDir, artifactsDir: join(dataDir, 'artifacts'), configDir: join(dataDir, 'configs') }, { warn: (m: string) => void warnings.push(m) });
    const first = { files: { allowed_roots: [allowed, 'D:\\経理'] } };
    const g1 = guardOf(first);
    expect(guardOf(first)).toBe(g1);
    expect(() => g1.check(join(outside, 'secret.txt'), 'read_csv')).toThrow(/outside files\.allowed_roots/);
    expect(warnings).toEqual([`files.allowed_roots: 'D:\\経理' is skipped: a Windows drive or share, not a folder on ${process.platform}`]);
    const reloaded = { files: { allowed_roots: [allowed, outside] } };
    expect(guardOf(reloaded).check(join(outside, 'secret.txt'), 'read_csv')).toBe(join(outside, 'secret.txt'));
    expect(warnings).toHaveLength(1);
  });
});
