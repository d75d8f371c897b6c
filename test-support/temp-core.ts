import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { FakeClock } from '../src-main/core/kernel/clock';
import { createCore, type Core, type CoreOptions } from '../src-main/core/app/create-core';
import { MemorySink } from '../src-main/core/kernel/logger';
import { resolvePaths } from '../src-main/core/kernel/paths';
import type { CallContext } from '../src-main/core/kernel/principal';
import type { Role } from '../src-shared/rbac/roles';

export const REPO_ROOT = resolve(__dirname, '..');

export interface TempCore {
  core: Core;
  dir: string;
  logs: MemorySink;
  clock?: FakeClock;
  /** Stops the core and keeps the data dir (a test may start again on it). */
  stop(): Promise<void>;
  cleanup(): Promise<void>;
}

/**
 * A real core on a data dir (real SQLite, real files), for integration tests: a new temp dir
 * unless `dir` is given, so a test can restart on the same one.
 */
export async function tempCore(options: Partial<CoreOptions> & { fakeClock?: boolean; dir?: string } = {}): Promise<TempCore> {
  const dir = options.dir ?? mkdtempSync(join(tmpdir(), 'da-core-'));
  const logs = new MemorySink();
  const clock = options.fakeClock ? new FakeClock() : undefined;
  const core = await createCore({
    paths: resolvePaths({ dataDir: dir, defaultConfigDir: join(REPO_ROOT, 'configs') }),
    version: 'test',
    strictConfig: true,
    validateOutputs: true,
    extraLogSinks: [logs],
    clock,
    ...options,
  });
  await core.start();
  return {
    core,
    dir,
    logs,
    clock,
    stop: () => core.stop(),
    cleanup: async () => {
      await core.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A call context for a user of the given role, as the IPC adapter or CLI would build it. */
export function asUser(role: Role, username = role.toLowerCase(), id = `u-${username}`): CallContext {
  return { principal: { kind: 'user', id, username, role, via: 'cli' }, source: 'cli' };
}

/**
 * Polls until fn gives a value (a test waits for what it checks, never for a fixed time). The
 * deadline is a bound for a loaded machine, not a timing check.
 */
export async function until<T>(what: string, fn: () => T | undefined | false | Promise<T | undefined | false>, ms = 30_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
