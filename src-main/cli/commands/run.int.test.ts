import { existsSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../../test-support/cli';
import { hashTree, q, tempDir, writeTree } from '../../../test-support/files';

function setup(yaml: string) {
  const dir = mkdtempSync(join(tmpdir(), 'da-run-'));
  const file = join(dir, 'my template.yaml');
  writeFileSync(file, yaml);
  return { file, dataDir: join(dir, 'data') };
}
const runs = (dataDir: string) => {
  if (!existsSync(join(dataDir, 'desktop-agent.db'))) return [];
  const db = new BetterSqlite3(join(dataDir, 'desktop-agent.db'), { readonly: true });
  try {
    return db.prepare('select template, status, trigger, dry_run, error from runs').all() as { template: string; status: string; trigger: string; dry_run: number; error: string | null }[];
  } finally {
    db.close();
  }
};

describe('desktop-agent run', () => {
  it('runs a template, prints a line per step and a summary, and records a manual run (exit 0)', async () => {
    const { file, dataDir } = setup('dsl_version: "1.1"\nname: Greeting\nvariables: { who: world }\nsteps:\n  - log: { message: "hello {{who}}", id: hi }\n  - log: { message: skip, when: "steps.hi.level == \'debug\'" }\n');
    const r = await runCli(['run', file, '--data-dir', dataDir, '--var', 'who=山田']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/^Run run_\w+: Greeting, 2 step\(s\)$/m);
    expect(r.stderr).toMatch(/^✓ \[1\/2\] log \(hi\) \d+ ms level=info$/m);
    expect(r.stderr).toMatch(/^- \[2\/2\] log skipped \(when was false\)$/m);
    expect(r.stderr).toMatch(/^Run run_\w+ succeeded in \d+ ms \(1 succeeded, 1 skipped\)$/m);
    expect(runs(dataDir)).toEqual([{ template: 'my template', status: 'succeeded', trigger: 'manual', dry_run: 0, error: null }]);
  });

  it('prints the run on stdout with --json, and exits 1 when the run fails', async () => {
    const missing = join(tmpdir(), 'da-nonexistent', 'report.pdf');
    const { file, dataDir } = setup(`dsl_version: "1.1"\nname: Check\nsteps:\n  - assert_file_exists: { path: ${missing} }\n  - log: { message: never }\n`);
    const r = await runCli(['run', file, '--data-dir', dataDir, '--json']);
    expect(r.code).toBe(1);
    const out = JSON.parse(r.stdout) as { status: string; error: string; steps: { status: string; error: string }[]; outcome: { errorCode: string } };
    expect(out).toMatchObject({ status: 'failed', error: `steps[0] assert_file_exists: File not found: ${missing}`, outcome: { errorCode: 'ASSERTION_FAILED' } });
    expect(out.steps).toEqual([expect.objectContaining({ status: 'failed', error: `File not found: ${missing}` })]);
    expect(r.stderr).toContain(`\n✗ [1/2] assert_file_exists: File not found: ${missing}\n`);
    expect(r.stderr).toMatch(/Run run_\w+ failed in .*: steps\[0\] assert_file_exists: File not found/);
  });

  it('exits 2 for an invalid template or a missing --var, and records nothing', async () => {
    const bad = setup('dsl_version: "1.1"\nname: Bad\nsteps:\n  - log: { message: "{{ nobody }}" }\n');
    const r = await runCli(['run', bad.file, '--data-dir', bad.dataDir]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${bad.file}:4:25: error: steps[0].log.message: undefined variable 'nobody'`);
    expect(r.stderr).toContain('1 error(s); nothing was run');
    expect(runs(bad.dataDir)).toEqual([]);

    const needs = setup('dsl_version: "1.1"\nname: Needs\nvariables: { csv: null }\nsteps:\n  - log: { message: "{{csv}}" }\n');
    const m = await runCli(['run', needs.file, '--data-dir', needs.dataDir]);
    expect(m.code).toBe(2);
    expect(m.stderr).toContain('the template needs --var csv=…; nothing was run');
    expect((await runCli(['run', needs.file, '--var', 'novalue'])).code).toBe(2);
  });

  it('--dry-run changes nothing and says what would happen', async () => {
    const dir = tempDir('cli-dry');
    writeTree(dir, { 'a.pdf': 'a', 'b.pdf': 'b' });
    const { file, dataDir } = setup(`dsl_version: "1.1"\nname: Move\nsteps:\n  - find_files: { query: "kind:pdf", roots: [${q(dir)}] }\n  - move_to: { dest: ${q(join(dir, 'done'))} }\n`);
    const before = hashTree(dir);
    const r = await runCli(['run', file, '--data-dir', dataDir, '--dry-run', '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(hashTree(dir)).toEqual(before);
    expect(r.stderr).toContain('(dry run: nothing is changed)');
    expect(r.stderr).toMatch(/✓ \[2\/2\] move_to \d+ ms moved=0 would_move=2 item\(s\)/);
    expect(JSON.parse(r.stdout).steps[1].result.would_move).toEqual([
      { from: join(dir, 'a.pdf'), to: join(dir, 'done', 'a.pdf') },
      { from: join(dir, 'b.pdf'), to: join(dir, 'done', 'b.pdf') },
    ]);
    expect(runs(dataDir)).toEqual([expect.objectContaining({ status: 'succeeded', dry_run: 1 })]);
    expect(readdirSync(dir).sort()).toEqual(['a.pdf', 'b.pdf']);
  });

  it('leaves a run that needs approval waiting for the app (exit 1)', async () => {
    const { file, dataDir } = setup('dsl_version: "1.1"\nname: Ask\nsteps:\n  - human_confirm: { message: "続行しますか？" }\n  - log: { message: after }\n');
    const r = await runCli(['run', file, '--data-dir', dataDir]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/Run (run_\w+) waits for approval: 続行しますか？\nApprove it in Desktop Agent \(Approvals, or \/hitl\/approve\/run_\w+\); the app continues the run\./);
    expect(runs(dataDir)).toEqual([expect.objectContaining({ status: 'waiting_approval' })]);
  });

  it('lists run in --help', async () => {
    const help = await runCli(['--help']);
    expect(help.stdout).toMatch(/run\s+Run a template file here and now/);
  });
});
