import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { acquireInstanceLock, instanceLockFile, runningInstance } from './instance-lock';

let dir: string;
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** A separate process that takes the lock the same way and says so on stdout. */
function holderProcess(lockFile: string) {
  const code = `const D = require('better-sqlite3'); const db = new D(${JSON.stringify(lockFile)}); db.pragma('journal_mode = OFF'); db.exec('BEGIN EXCLUSIVE'); console.log('held'); setInterval(() => {}, 1000);`;
  const child = spawn(process.execPath, ['-e', code], { stdio: ['ignore', 'pipe', 'inherit'] });
  const held = new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (c: Buffer) => c.toString().includes('held') && resolve());
    child.once('exit', (c) => reject(new Error(`holder exited with ${c}`)));
  });
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  return { child, held, exited };
}

describe('one instance per data dir', () => {
  it('refuses a second lock in this process, naming the holder from runtime.json, and frees it on release', () => {
    dir = mkdtempSync(join(tmpdir(), 'da-lock-'));
    const first = acquireInstanceLock(dir);
    expect(first.ok).toBe(true);
    writeFileSync(join(dir, 'runtime.json'), JSON.stringify({ pid: 4242, url: 'http://127.0.0.1:8123', started_at: '2026-01-01T00:00:00.000Z' }));
    const second = acquireInstanceLock(dir, { waitMs: 50 });
    expect(second).toEqual({ ok: false, holder: { pid: 4242, url: 'http://127.0.0.1:8123', started_at: '2026-01-01T00:00:00.000Z' } });
    expect(runningInstance(dir, { waitMs: 50 })).toEqual({ running: true, info: expect.objectContaining({ url: 'http://127.0.0.1:8123' }) });
    if (first.ok) first.lock.release();
    // runtime.json left behind is not a running instance: the lock decides.
    expect(runningInstance(dir)).toEqual({ running: false });
    const third = acquireInstanceLock(dir);
    expect(third.ok).toBe(true);
    if (third.ok) third.lock.release();
  });

  it('is released by the OS when the holding process is killed with SIGKILL', async () => {
    dir = mkdtempSync(join(tmpdir(), 'da-lock-'));
    const holder = holderProcess(instanceLockFile(dir));
    await holder.held;
    expect(acquireInstanceLock(dir, { waitMs: 50 })).toEqual({ ok: false, holder: undefined });
    expect(runningInstance(dir, { waitMs: 50 }).running).toBe(true);
    holder.child.kill('SIGKILL');
    await holder.exited;
    const after = acquireInstanceLock(dir, { waitMs: 50 });
    expect(after.ok).toBe(true);
    if (after.ok) after.lock.release();
  });

  it('says nothing runs on a data dir that was never used', () => {
    dir = mkdtempSync(join(tmpdir(), 'da-lock-'));
    expect(runningInstance(join(dir, 'fresh'))).toEqual({ running: false });
  });
});
