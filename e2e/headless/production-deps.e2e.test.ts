import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT, requireBuild } from '../support/serve-process';

// The quick half of CI's production-dependency check (.ci/run also installs with --omit=dev into a
// copy and starts serve and run: scripts/check-production-install.mjs, minutes, needs the registry).
describe('production dependencies', () => {
  it('every package the shipped dist/ and Electron main import is in package.json dependencies', () => {
    requireBuild();
    const r = spawnSync(process.execPath, [join(ROOT, 'scripts', 'check-prod-deps.mjs')], { cwd: ROOT, encoding: 'utf8' });
    expect(r.stdout + r.stderr).not.toContain('MISSING');
    expect(r.status).toBe(0);
    // The check sees the packages the engine uses, so a missing one would be noticed.
    expect(r.stdout).toMatch(/ok {6}serve and CLI: pngjs/);
    expect(r.stdout).toMatch(/ok {6}serve and CLI: better-sqlite3/);
  });
});
