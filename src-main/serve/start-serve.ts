import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startHttpServer, type RunningHttpServer } from '../core/api/http';
import { createCore, type Core, type CoreOptions } from '../core/app/create-core';
import { nativeBindingPath } from '../core/db/native-binding';
import { packageInfo } from '../core/app/package-root';
import { resolvePaths } from '../core/app/paths';
import type { RuntimeOptions } from '../core/app/runtime-options';

export interface ServeHandle {
  core: Core;
  http: RunningHttpServer;
  url: string;
  stop(): Promise<void>;
}

export interface ServeOptions extends RuntimeOptions {
  /** The built renderer (default: <package>/out/renderer). */
  staticDir?: string;
  coreOverrides?: Partial<CoreOptions>;
}

/**
 * `desktop-agent serve`: the core and the loopback API under plain Node, the UI at `/`.
 * Writes `<data-dir>/runtime.json` ({pid, url, started_at}) so scripts and the CLI find it.
 */
export async function startServe(options: ServeOptions): Promise<ServeHandle> {
  const { root, version } = packageInfo();
  const paths = resolvePaths({ dataDir: options.dataDir, configDir: options.configDir, defaultConfigDir: join(root, 'configs') });
  const core = await createCore({
    paths,
    version,
    strictConfig: true,
    watchConfig: true,
    nativeBinding: nativeBindingPath(root),
    ...options.coreOverrides,
  });
  let http: RunningHttpServer;
  try {
    await core.start();
    const api = core.config.orchestrator.api;
    http = await startHttpServer({
      dispatcher: core.dispatcher,
      authenticator: core.authenticator,
      bus: core.bus,
      logger: core.logger.child('API'),
      host: options.host,
      port: options.port ?? api.port,
      allowRemote: options.allowRemote,
      bodyLimitBytes: api.max_body_kb * 1024,
      staticDir: options.staticDir ?? join(root, 'out', 'renderer'),
    });
  } catch (e) {
    await core.stop();
    throw e;
  }
  if (options.allowRemote) core.logger.child('API').warn(`Remote access is allowed (--allow-remote); listening on ${options.host}`);
  writeFileSync(paths.runtimeFile, JSON.stringify({ pid: process.pid, url: http.url, started_at: new Date(core.startedAt).toISOString() }) + '\n', { mode: 0o600 });

  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= (async () => {
      // Stop accepting first, then let the core bring running work to a safe point.
      await http.close();
      await core.stop();
      rmSync(paths.runtimeFile, { force: true });
    })());
  return { core, http, url: http.url, stop };
}
