import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CLI, requireBuild, startServeProcess } from '../support/serve-process';
import { openEventStream, waitFor } from '../../test-support/event-stream';

const walIsEmpty = (dataDir: string) => {
  const wal = join(dataDir, 'desktop-agent.db-wal');
  return !existsSync(wal) || spawnSync('stat', ['-c', '%s', wal]).stdout.toString().trim() === '0';
};

describe('desktop-agent serve as a process', () => {
  it('stops cleanly on SIGTERM: exit 0, runtime.json removed, the database closed', async () => {
    const s = await startServeProcess();
    s.child.kill('SIGTERM');
    expect(await s.exited).toBe(0);
    expect(existsSync(join(s.dataDir, 'runtime.json'))).toBe(false);
    // After a clean stop the WAL is checkpointed and truncated.
    expect(walIsEmpty(s.dataDir)).toBe(true);
  });

  // Issue 14 item 1: with one browser tab on /api/events, SIGTERM logged "stopping" and the
  // process was still running 20 s later, the WAL not checkpointed.
  it('stops within 5 s on SIGTERM while browsers hold /api/events and a run is in progress: exit 0, WAL checkpointed', async () => {
    const s = await startServeProcess([], { DESKTOP_AGENT_ADMIN_PASSWORD: 'admin-Pa55word' });
    const auth = `Basic ${Buffer.from('admin:admin-Pa55word').toString('base64')}`;
    const tabs = [await openEventStream(`${s.url}/api/events`, { authorization: auth }), await openEventStream(`${s.url}/api/events`, { authorization: auth })];
    expect(tabs.map((t) => t.status)).toEqual([200, 200]);
    const yaml = 'dsl_version: "1.1"\nname: long wait\nsteps:\n  - wait: { ms: 600000 }\n';
    const r = await fetch(`${s.url}/api/runs`, { method: 'POST', headers: { authorization: auth, 'content-type': 'application/json' }, body: JSON.stringify({ template_yaml: yaml }) });
    expect(r.status).toBe(201);
    expect(((await r.json()) as { status: string }).status).toBe('queued');
    await waitFor(() => tabs[0]!.text().includes('event: step.started'), 20_000, 'the run to start its wait step');

    const signalled = Date.now();
    s.child.kill('SIGTERM');
    const code = await s.exited;
    const tookMs = Date.now() - signalled;
    expect(code).toBe(0);
    expect(tookMs, `exited ${tookMs} ms after SIGTERM`).toBeLessThan(5_000);
    expect(tabs.every((t) => t.ended())).toBe(true);
    expect(tabs[0]!.text()).toContain(': stream ended: shutdown');
    expect(walIsEmpty(s.dataDir)).toBe(true);
    expect(s.stderr()).toContain('SIGTERM received, stopping');
  });

  it('exits non-zero with a one-line reason when the port is taken', async () => {
    requireBuild();
    const blocker = createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', () => r()));
    const port = (blocker.address() as { port: number }).port;
    const r = spawnSync(process.execPath, [CLI, 'serve', '--port', String(port), '--data-dir', mkdtempSync(join(tmpdir(), 'da-e2e-'))], { encoding: 'utf8' });
    blocker.close();
    expect(r.status).toBe(1);
    const lines = r.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toBe(`desktop-agent serve: port ${port} on 127.0.0.1 is already in use; pick another with --port (0 picks a free one)`);
  });

  it('refuses a non-loopback host unless --allow-remote is given', () => {
    requireBuild();
    const r = spawnSync(process.execPath, [CLI, 'serve', '--host', '0.0.0.0', '--port', '0', '--data-dir', mkdtempSync(join(tmpdir(), 'da-e2e-'))], { encoding: 'utf8' });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('--host 0.0.0.0 is not a loopback address');
  });

  it('refuses to start on an invalid orchestrator.yaml, naming file, line and column', async () => {
    requireBuild();
    const dataDir = mkdtempSync(join(tmpdir(), 'da-e2e-'));
    const { mkdirSync, writeFileSync } = await import('node:fs');
    mkdirSync(join(dataDir, 'configs'), { recursive: true });
    writeFileSync(join(dataDir, 'configs', 'orchestrator.yaml'), 'global:\n  max_total_concurrent: lots\n');
    const r = spawnSync(process.execPath, [CLI, 'serve', '--port', '0', '--data-dir', dataDir], { encoding: 'utf8' });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(`${join(dataDir, 'configs', 'orchestrator.yaml')}:2:25: global.max_total_concurrent:`);
  });

  it('allows one instance per data dir: a second serve exits non-zero naming the first one\'s URL; after kill -9 a new one starts', async () => {
    const first = await startServeProcess();
    const second = spawnSync(process.execPath, [CLI, 'serve', '--port', '0', '--data-dir', first.dataDir], { encoding: 'utf8', timeout: 30_000 });
    expect(second.status).toBe(1);
    expect(second.stderr.trim()).toBe(
      `desktop-agent serve: Desktop Agent is already running on ${first.dataDir} (pid ${first.child.pid}, ${first.url}); use that one, stop it first, or start with another --data-dir`,
    );
    // The first is unharmed and still the one runtime.json names.
    expect((await fetch(`${first.url}/healthz`)).ok).toBe(true);
    first.child.kill('SIGKILL');
    await first.exited;
    const third = await startServeProcess([], {}, first.dataDir);
    expect(third.url).not.toBe('');
    third.child.kill('SIGTERM');
    expect(await third.exited).toBe(0);
  });
});
