import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../../test-support/cli';

function write(text: string): string {
  const file = join(mkdtempSync(join(tmpdir(), 'da-validate-')), 'template.yaml');
  writeFileSync(file, text);
  return file;
}

describe('desktop-agent validate', () => {
  it('exits 0 for a valid template', async () => {
    const file = write('dsl_version: "1.1"\nname: ok\nsteps:\n  - log: { message: hello }\n');
    const r = await runCli(['validate', file]);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('valid');
  });

  it('lists the steps the pre-run risk check would hold the template for', async () => {
    const file = write('dsl_version: "1.1"\nname: order\nsteps:\n  - open_browser: { url: "https://example.com" }\n  - click_by_text: { text: "注文を確定する" }\n');
    const r = await runCli(['validate', file]);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain(`${file}: risk high: steps[1] click_by_text: clicks '注文を確定する' (確定)`);
    const json = JSON.parse((await runCli(['validate', file, '--json'])).stdout);
    expect(json.risk).toEqual({ level: 'high', risks: [{ where: 'steps[1]', action: 'click_by_text', level: 'high', reason: "clicks '注文を確定する' (確定)" }] });
  });

  it('prints every problem as file:line:column and exits 2', async () => {
    const file = write('dsl_version: "2.0"\nsteps: []\ncolour: red\n');
    const r = await runCli(['validate', file]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${file}:1:14: error: dsl_version: unsupported dsl_version "2.0"`);
    expect(r.stderr).toContain(`${file}:2:8: error: steps: steps: at least one step is required`);
    expect(r.stderr).toContain(`${file}:3:1: error: colour: unknown key 'colour'`);
    expect(r.stderr).toMatch(/name: required/);
  });

  it('prints machine-readable errors with --json on stdout', async () => {
    const file = write('dsl_version: "1.1"\nname: x\nsteps:\n  - a: 1\n    b: 2\n');
    const r = await runCli(['validate', file, '--json']);
    expect(r.code).toBe(2);
    const out = JSON.parse(r.stdout);
    expect(out.valid).toBe(false);
    expect(out.errors[0]).toMatchObject({ path: 'steps[0]', line: 4, column: 5 });
  });

  it('reports YAML syntax errors with their position', async () => {
    const file = write('name: [unclosed\n');
    const r = await runCli(['validate', file]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(new RegExp(`${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:\\d+:\\d+: error: \\(root\\): YAML: `));
  });

  it('exits 2 with a clear message for a missing file or wrong usage', async () => {
    const missing = await runCli(['validate', '/no/such/template.yaml']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('/no/such/template.yaml: cannot read: no such file');
    const usage = await runCli(['validate']);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toContain('Usage: desktop-agent validate FILE');
    const flag = await runCli(['validate', 'x.yaml', '--bogus']);
    expect(flag.code).toBe(2);
    expect(flag.stderr).toContain("Unknown option '--bogus'");
  });

  it('lists the commands on --help and refuses an unknown command', async () => {
    const help = await runCli(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/serve\s+Run the core/);
    expect(help.stdout).toMatch(/validate\s+Check a template/);
    const unknown = await runCli(['frobnicate']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("unknown command 'frobnicate'");
  });

  it('says the command comes first when an option does, with the line rewritten', async () => {
    const r = await runCli(['--data-dir', '/tmp/d', 'secrets', 'list']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe("desktop-agent: the command comes before its options ('--data-dir' came first): desktop-agent secrets --data-dir /tmp/d list\n");
    expect((await runCli(['--json'])).stderr).toContain('desktop-agent <command> [options]');
  });
});
