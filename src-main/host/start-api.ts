import type { Core } from '../core/app/create-core';
import { issueCliToken, removeCliToken, withCliToken } from '../core/api/cli-access';
import { startHttpServer, type RunningHttpServer } from '../core/api/http';

export interface ApiOptions {
  host: string;
  /** Undefined: `api.port` of orchestrator.yaml. */
  port?: number;
  allowRemote: boolean;
  /** The built renderer served at `/`. */
  staticDir?: string;
}

/** Why listening failed, in one line a person can act on. */
export function listenErrorMessage(e: unknown, host: string, port: number): string {
  const err = e as NodeJS.ErrnoException;
  if (err.code === 'EADDRINUSE') return `port ${port} on ${host} is already in use`;
  if (err.code === 'EACCES') return `no permission to listen on port ${port} on ${host}`;
  if (err.code === 'EADDRNOTAVAIL') return `${host} is not an address of this machine`;
  return err.message;
}

/**
 * The loopback API of a started core (serve and the desktop app). Its address, or why it did not
 * start, is recorded for `system.status`; a failure is thrown to the host, which decides. While it
 * listens, `<data-dir>/cli-token` lets the CLI of the same OS user in (decision 0027).
 */
export async function startApi(core: Core, options: ApiOptions): Promise<RunningHttpServer> {
  const api = core.config.orchestrator.api;
  const port = options.port ?? api.port;
  const dataDir = core.paths.dataDir;
  try {
    const http = await startHttpServer({
      dispatcher: core.dispatcher,
      authenticator: withCliToken(core.authenticator, issueCliToken(dataDir)),
      bus: core.bus,
      logger: core.logger.child('API'),
      host: options.host,
      port,
      allowRemote: options.allowRemote,
      bodyLimitBytes: api.max_body_kb * 1024,
      staticDir: options.staticDir,
      now: () => core.clock.now(),
      streams: core.streams,
      webhooks: core.webhookDeliveries,
    });
    core.host.api = { url: http.url, error: null };
    return {
      ...http,
      async close() {
        removeCliToken(dataDir);
        await http.close();
      },
    };
  } catch (e) {
    removeCliToken(dataDir);
    core.host.api = { url: null, error: listenErrorMessage(e, options.host, port) };
    throw e;
  }
}
