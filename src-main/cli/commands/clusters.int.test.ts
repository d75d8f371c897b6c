import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../../test-support/cli';
import { REPO_ROOT } from '../../../test-support/temp-core';

function write(name: string, text: string): string {
  const file = join(mkdtempSync(join(tmpdir(), 'da-clusters-')), name);
  writeFileSync(file, text);
  return file;
}

const LOG = [
  'read_csv: file not found: /data/in/2026-12-01.csv',
  "Secret 'billing/api_token' not found",
  'Invoice INV-0001 rejected by portal for customer 4411',
  'Invoice INV-0977 rejected by portal for customer 12',
  'read_csv: file not found: /data/in/2026-12-02.csv',
  'Invoice INV-3001 rejected by portal for customer 7\r',
  '',
].join('\n');

describe('desktop-agent clusters analyze', () => {
  it('prints one JSON line per message: rule clusters first, mined clusters for the rest', async () => {
    const r = await runCli(['clusters', 'analyze', write('log.txt', LOG), '--json']);
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as { line: number; cluster: string; template: string });
    expect(lines.map((l) => l.line)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(lines.map((l) => l.cluster).slice(0, 2)).toEqual(['NO_FILES_FOUND', 'SECRET_NOT_FOUND']);
    expect(lines[4]!.cluster).toBe('NO_FILES_FOUND');
    const mined = lines[2]!.cluster;
    expect(mined).toMatch(/^AUTO_[0-9a-f]{8}$/);
    expect([lines[3]!.cluster, lines[5]!.cluster]).toEqual([mined, mined]);
    expect(lines[5]!.template).toBe('Invoice <*> rejected by portal for customer <*>');
    const tsv = await runCli(['clusters', 'analyze', write('log.txt', LOG)]);
    expect(tsv.stdout.split('\n')[0]).toBe('1\tNO_FILES_FOUND\tread_csv: file not found: <*>');
  });

  it('--no-rules mines every message; custom rules from the config dir claim theirs', async () => {
    const file = write('log.txt', LOG);
    const bare = (await runCli(['clusters', 'analyze', file, '--json', '--no-rules'])).stdout.trim().split('\n').map((l) => JSON.parse(l).cluster as string);
    expect(bare.every((c) => c.startsWith('AUTO_'))).toBe(true);
    expect(bare[0]).toBe(bare[4]);
    const configDir = mkdtempSync(join(tmpdir(), 'da-clusters-config-'));
    writeFileSync(join(configDir, 'failure_rules.yaml'), 'rules:\n  PORTAL_REJECTED:\n    patterns: ["rejected by portal"]\n    display_name: ポータルが拒否\n    severity: high\n');
    const custom = (await runCli(['clusters', 'analyze', file, '--json', '--config-dir', configDir])).stdout.trim().split('\n').map((l) => JSON.parse(l).cluster as string);
    expect(custom).toEqual(['NO_FILES_FOUND', 'SECRET_NOT_FOUND', 'PORTAL_REJECTED', 'PORTAL_REJECTED', 'NO_FILES_FOUND', 'PORTAL_REJECTED']);
  });

  it('refuses a catastrophic user pattern with the file and line, and classifies nothing', async () => {
    const configDir = mkdtempSync(join(tmpdir(), 'da-clusters-config-'));
    mkdirSync(configDir, { recursive: true });
    writeFileSync(join(configDir, 'failure_rules.yaml'), 'rules:\n  SLOW:\n    patterns:\n      - "ok"\n      - "(\\\\w+\\\\s?)+$"\n    display_name: slow\n');
    const r = await runCli(['clusters', 'analyze', write('log.txt', LOG), '--config-dir', configDir]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain(`${join(configDir, 'failure_rules.yaml')}:5:`);
    expect(r.stderr).toMatch(/pattern refused: nested repetition/);
  });

  it('says which file is missing and what the usage is', async () => {
    expect((await runCli(['clusters', 'analyze', '/nope/log.txt'])).stderr).toContain('/nope/log.txt: no such file');
    const r = await runCli(['clusters', 'report']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("unknown clusters command 'report'");
  });

  it('streams: a log larger than the heap it may use is analysed (a real process, 32 MB of heap)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'da-clusters-big-'));
    const file = join(dir, 'big.txt');
    const lines = 600_000;
    writeFileSync(file, Array.from({ length: lines }, (_, i) => `Upload ${i} of /srv/out/${i % 97}.pdf failed for user u${i % 13} after ${i % 1000} ms`).join('\n'));
    // ~45 MB in, ~75 MB out: holding either would exceed the heap and the process would die.
    const r = spawnSync(process.execPath, ['--max-old-space-size=32', join(REPO_ROOT, 'bin', 'desktop-agent.js'), 'clusters', 'analyze', file, '--json'], {
      encoding: 'utf8',
      maxBuffer: 256 * 1024 * 1024,
    });
    expect(r.status, r.stderr.slice(0, 2000)).toBe(0);
    const out = r.stdout.trimEnd().split('\n');
    expect(out).toHaveLength(lines);
    expect(JSON.parse(out[lines - 1]!)).toMatchObject({ line: lines, template: 'Upload <*> of <*> failed for user <*> after <*> ms' });
  }, 120_000);
});
