import { isLoopbackHost } from '../core/kernel/loopback';

/** The flags that set where and how the core runs (SPEC section 1): the CLI and the desktop app read the same ones. */
export const RUNTIME_FLAGS = {
  'data-dir': { type: 'string' },
  'config-dir': { type: 'string' },
  host: { type: 'string' },
  port: { type: 'string' },
  browser: { type: 'string' },
  'allow-remote': { type: 'boolean' },
} as const;

export interface RuntimeOptions {
  dataDir?: string;
  configDir?: string;
  host: string;
  /** Undefined means "from orchestrator.yaml api.port, else 8000". */
  port?: number;
  browserPath?: string;
  allowRemote: boolean;
}

export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** Reads the shared flags from parsed CLI values with environment fallbacks, and checks them. */
export function runtimeOptions(flags: Record<string, string | boolean | undefined>, env: NodeJS.ProcessEnv = process.env): RuntimeOptions {
  const str = (v: string | boolean | undefined) => (typeof v === 'string' && v !== '' ? v : undefined);
  const host = str(flags.host) ?? env.DESKTOP_AGENT_HOST ?? '127.0.0.1';
  const portText = str(flags.port) ?? env.DESKTOP_AGENT_PORT;
  let port: number | undefined;
  if (portText !== undefined) {
    port = Number(portText);
    if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`--port must be a whole number from 0 to 65535 (got '${portText}')`);
  }
  const allowRemote = flags['allow-remote'] === true || env.DESKTOP_AGENT_ALLOW_REMOTE === '1';
  if (!isLoopbackHost(host) && !allowRemote) {
    throw new UsageError(`--host ${host} is not a loopback address; the API listens on loopback only unless --allow-remote is given`);
  }
  return {
    dataDir: str(flags['data-dir']) ?? env.DESKTOP_AGENT_DATA_DIR,
    configDir: str(flags['config-dir']) ?? env.DESKTOP_AGENT_CONFIG_DIR,
    host,
    port,
    browserPath: str(flags.browser) ?? env.DESKTOP_AGENT_BROWSER_PATH,
    allowRemote,
  };
}
