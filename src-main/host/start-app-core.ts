import { join } from 'node:path';
import type { RunningHttpServer } from '../core/api/http';
import { createCore, type Core } from '../core/app/create-core';
import { nativeBindingPath } from '../core/db/native-binding';
import type { Notifier, Paths } from '../core/kernel/ports';
import { resolvePaths } from '../core/kernel/paths';
import { acquireInstanceLock, instanceRunningMessage } from './instance-lock';
import { removeRuntimeFile, writeRuntimeFile } from './runtime-file';
import type { RuntimeOptions } from './runtime-options';
import { startApi } from './start-api';
import { firstAdminFromEnv } from './start-serve';

/**
 * The desktop app's core: what `src-main/electron/main.ts` starts, and what the packaged-layout
 * smoke test (scripts/packaged-layout.mjs) starts under plain Node from the same built file
 * (out/main/app-core.js), so a missing file or production dependency fails there first.
 * Lenient config (the app starts with defaults and shows the problems); a loopback API that cannot
 * listen is recorded (`core.host.api.error`), not fatal. Electron's parts come in as ports.
 */
export interface AppCoreOptions extends RuntimeOptions {
  dataDir: string;
  /** The package folder (inside app.asar when packaged) and its version. */
  root: string;
  version: string;
  /** Where electron-builder's extraResources are: process.resourcesPath when packaged, else root. */
  resources: string;
  env?: NodeJS.ProcessEnv;
  screenLocked?: () => boolean | undefined;
  notifier?: Notifier;
}

export interface AppCore {
  core: Core;
  paths: Paths;
  /** Undefined when the API did not start (why: core.host.api.error). */
  http?: RunningHttpServer;
  /** Stops accepting, lets the core bring running work to a safe point, releases the data dir. */
  stop(): Promise<void>;
}

export type AppCoreStart = { ok: true; app: AppCore } | { ok: false; message: string };

/** Native files cannot be loaded from inside app.asar; electron-builder unpacks them beside it. */
export function unpackedPath(path: string): string {
  return path.replace(/app\.asar(?=[\\/]|$)/, 'app.asar.unpacked');
}

/** Starts the core and its API; `ok: false` when another instance owns the data dir. */
export async function startAppCore(o: AppCoreOptions): Promise<AppCoreStart> {
  const paths = resolvePaths({ dataDir: o.dataDir, configDir: o.configDir, defaultConfigDir: join(o.resources, 'configs') });
  const nativeBinding = nativeBindingPath(unpackedPath(o.root));
  // One instance per data dir, `serve` included: a second one says which.
  const locked = acquireInstanceLock(paths.dataDir, { nativeBinding });
  if (!locked.ok) return { ok: false, message: instanceRunningMessage(paths.dataDir, locked.holder) };
  const { lock } = locked;
  let core: Core;
  try {
    core = await createCore({
      paths,
      version: o.version,
      strictConfig: false,
      watchConfig: true,
      nativeBinding,
      browserPath: o.browserPath,
      users: { firstAdmin: firstAdminFromEnv(o.env ?? process.env) },
      screenLocked: o.screenLocked,
      notifier: o.notifier,
    });
    await core.start();
  } catch (e) {
    lock.release();
    throw e;
  }

  let http: RunningHttpServer | undefined;
  try {
    http = await startApi(core, { host: o.host, port: o.port, allowRemote: o.allowRemote, staticDir: join(o.root, 'out', 'renderer') });
    writeRuntimeFile(paths.runtimeFile, { pid: process.pid, url: http.url, started_at: new Date(core.startedAt).toISOString() });
  } catch {
    removeRuntimeFile(paths.runtimeFile);
    core.logger.child('App').error('The loopback API did not start; the app runs without it', { reason: core.host.api?.error });
  }

  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= (async () => {
      await http?.close();
      await core.stop();
      removeRuntimeFile(paths.runtimeFile);
      lock.release();
    })());
  return { ok: true, app: { core, paths, http, stop } };
}
