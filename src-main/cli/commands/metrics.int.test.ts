import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import parsePrometheusTextFormat from 'parse-prometheus-text-format';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli } from '../../../test-support/cli';

let dir: string;
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('desktop-agent metrics', () => {
  it('prints GET /metrics as JSON read from the data dir when no instance runs, and the Prometheus text with --prometheus', async () => {
    dir = mkdtempSync(join(tmpdir(), 'da-cli-metrics-'));
    const json = await runCli(['metrics', '--data-dir', dir]);
    expect(json.code, json.stderr).toBe(0);
    const m = JSON.parse(json.stdout) as { total_runs: number; success_rate_24h: number | null; queues: { name: string }[] };
    expect(m.total_runs).toBe(0);
    expect(m.success_rate_24h).toBeNull();
    expect(m.queues.map((q) => q.name)).toContain('default');
    const prom = await runCli(['metrics', '--prometheus', '--data-dir', dir]);
    expect(prom.code, prom.stderr).toBe(0);
    const families = parsePrometheusTextFormat(prom.stdout);
    expect(families.find((f) => f.name === 'desktop_agent_total_runs')?.metrics[0]?.value).toBe('0');
  });

  it('refuses arguments it does not take, with its usage', async () => {
    dir = mkdtempSync(join(tmpdir(), 'da-cli-metrics-'));
    const r = await runCli(['metrics', 'extra', '--data-dir', dir]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/metrics takes no arguments/);
  });
});
