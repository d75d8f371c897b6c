import { join } from 'node:path';
import type { RunningHttpServer } from '../core/api/http';
import { startApi } from './start-api';
import { createCore, type Core, type CoreOptions } from '../core/app/create-core';
import { nativeBindingPath } from '../core/db/native-binding';
import { packageInfo } from '../core/kernel/package-root';
import { resolvePaths } from '../core/kernel/paths';
import { removeRuntimeFile, writeRuntimeFile } from './runtime-file';
import type { RuntimeOptions } from './runtime-options';
import { acquireInstanceLock, InstanceRunningError } from './instance-lock';

export interface ServeHandle {
  core: Core;
  http: RunningHttpServer;
  url: string;
  stop(): Promise<void>;
}

export interface ServeOptions extends RuntimeOptions {
  /** The built renderer (default: <package>/out/renderer). */
  staticDir?: string;
  /** Where DESKTOP_AGENT_ADMIN_USER / DESKTOP_AGENT_ADMIN_PASSWORD are read (default process.env). */
  env?: NodeJS.ProcessEnv;
  coreOverrides?: Partial<CoreOptions>;
}

/**
 * The first Admin from the environment (SPEC section 7): DESKTOP_AGENT_ADMIN_PASSWORD, with the
 * username from DESKTOP_AGENT_ADMIN_USER (default `admin`). Used only while no user exists.
 * The password is removed from this process's environment so that nothing started later
 * (runs, browsers, child processes) inherits it.
 */
export function firstAdminFromEnv(env: NodeJS.ProcessEnv): { username: string; password: string } | undefined {
  const password = env.DESKTOP_AGENT_ADMIN_PASSWORD;
  delete env.DESKTOP_AGENT_ADMIN_PASSWORD;
  if (env !== process.env) delete process.env.DESKTOP_AGENT_ADMIN_PASSWORD;
  if (!password) return undefined;
  return { username: env.DESKTOP_AGENT_ADMIN_USER || 'admin', password };
}

export const FLEET_SERVE_NOT_YET =
  "orchestrator.yaml sets storage.kind: postgres, but serve runs on SQLite only in this version (the fleet preview has `desktop-agent fleet nodes` and `fleet migrate`); set storage.kind: sqlite to serve this data dir";

/**
 * `desktop-agent serve`: the core and the loopback API under plain Node, the UI at `/`.
 * Writes `<data-dir>/runtime.json` ({pid, url, started_at}) so scripts and the CLI find it.
 */
export async function startServe(options: ServeOptions): Promise<ServeHandle> {
  const { root, version } = packageInfo();
  const paths = resolvePaths({ dataDir: options.dataDir, configDir: options.configDir, defaultConfigDir: join(root, 'configs') });
  const { users: usersOverrides, ...overrides } = options.coreOverrides ?? {};
  // One instance per data dir: taken before the database is opened, released by the OS on death.
  const locked = acquireInstanceLock(paths.dataDir, { nativeBinding: nativeBindingPath(root) });
  if (!locked.ok) throw new InstanceRunningError(paths.dataDir, locked.holder);
  const { lock } = locked;
  let core: Core;
  try {
    core = await createCore({
      paths,
      version,
      strictConfig: true,
      watchConfig: true,
      nativeBinding: nativeBindingPath(root),
      browserPath: options.browserPath,
      ...overrides,
      users: { firstAdmin: firstAdminFromEnv(options.env ?? process.env), ...usersOverrides },
    });
  } catch (e) {
    lock.release();
    throw e;
  }
  if (core.config.orchestrator.storage.kind === 'postgres') {
    // Running on SQLite while the file says PostgreSQL would split the fleet without a word.
    await core.stop();
    lock.release();
    throw new Error(FLEET_SERVE_NOT_YET);
  }
  let http: RunningHttpServer;
  try {
    await core.start();
    http = await startApi(core, { ...options, staticDir: options.staticDir ?? join(root, 'out', 'renderer') });
  } catch (e) {
    await core.stop();
    lock.release();
    throw e;
  }
  if (options.allowRemote) core.logger.child('API').warn(`Remote access is allowed (--allow-remote); listening on ${options.host}`);
  writeRuntimeFile(paths.runtimeFile, { pid: process.pid, url: http.url, started_at: new Date(core.startedAt).toISOString() });

  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= (async () => {
      // Stop accepting first, then let the core bring running work to a safe point.
      await http.close();
      await core.stop();
      removeRuntimeFile(paths.runtimeFile);
      lock.release();
    })());
  return { core, http, url: http.url, stop };
}
