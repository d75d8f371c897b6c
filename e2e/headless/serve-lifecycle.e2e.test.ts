import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CLI, requireBuild, startServeProcess } from '../support/serve-process';

describe('desktop-agent serve as a process', () => {
  it('stops cleanly on SIGTERM: exit 0, runtime.json removed, the database closed', async () => {
    const s = await startServeProcess();
    s.child.kill('SIGTERM');
    expect(await s.exited).toBe(0);
    expect(existsSync(join(s.dataDir, 'runtime.json'))).toBe(false);
    // After a clean stop the WAL is checkpointed and truncated.
    const wal = join(s.dataDir, 'desktop-agent.db-wal');
    expect(!existsSync(wal) || spawnSync('stat', ['-c', '%s', wal]).stdout.toString().trim() === '0').toBe(true);
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
