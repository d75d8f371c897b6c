import { join } from 'node:path';
import { createClient, type AgentClient } from '@shared/client/agent-client';
import { cliPrincipal, readCliToken } from '../../core/api/cli-access';
import type { Core } from '../../core/app/create-core';
import { UsageError, runtimeOptions } from '../../host/runtime-options';
import { nativeBindingPath } from '../../core/db/native-binding';
import { packageInfo } from '../../core/kernel/package-root';
import { defaultDataDir, resolvePaths } from '../../core/kernel/paths';
import { runningInstance } from '../../host/instance-lock';
import type { CliIo } from '../io';
import { createNodeHttpTransport } from './http-transport';
import { createInProcessTransport } from './in-process-transport';

/** Flags that say where the CLI's calls go and as whom. */
export interface ConnectFlags {
  'data-dir'?: string;
  'config-dir'?: string;
  url?: string;
  user?: string;
  'password-stdin'?: boolean;
}

/** The parseArgs options for the flags above that a command talking to an instance adds (--data-dir and --config-dir come with every command). */
export const CONNECT_OPTIONS = {
  url: { type: 'string' },
  user: { type: 'string' },
  'password-stdin': { type: 'boolean' },
} as const;

export type CliTarget = { kind: 'instance'; url: string; pid?: number } | { kind: 'local'; core: Core };

export interface CliConnection {
  client: AgentClient;
  target: CliTarget;
  close(): Promise<void>;
}

/** What the command does where no instance runs: work on the data dir in this process, or refuse. */
export type LocalPolicy = 'in-process' | 'instance-only';

/**
 * Where a command's procedures go (decision 0027): to the instance that owns the data dir when one
 * runs (its lock is held), else to a core built in this process — never both, so one process
 * writes a database. Toward the instance the CLI authenticates with explicit credentials
 * (`--user NAME --password-stdin`, `DESKTOP_AGENT_TOKEN`), else with the instance's
 * `<data-dir>/cli-token` as the OS user. `--url` names an instance explicitly; the data dir's
 * token is never sent there.
 */
export async function connectCli(flags: ConnectFlags, io: CliIo, local: LocalPolicy): Promise<CliConnection> {
  const instance = await connectToInstance(flags, io);
  if (instance) return instance;
  if (local === 'instance-only') {
    const dataDir = runtimeOptions(flags as Record<string, string | boolean | undefined>, io.env).dataDir ?? defaultDataDir();
    throw new UsageError(`no running Desktop Agent found on ${dataDir}; start it with \`desktop-agent serve\` or the app, or pass --url`);
  }
  const core = await openLocalCore(flags, io);
  return {
    client: createClient(createInProcessTransport(core, cliPrincipal())),
    target: { kind: 'local', core },
    close: () => closeLocalCore(core),
  };
}

/** The instance named by --url, or the one running on the data dir; undefined when none runs there. */
export async function connectToInstance(flags: ConnectFlags, io: CliIo): Promise<CliConnection | undefined> {
  const dataDir = runtimeOptions(flags as Record<string, string | boolean | undefined>, io.env).dataDir ?? defaultDataDir();
  const explicit = await explicitAuthorization(flags, io);
  if (flags.url) return overHttp(flags.url.replace(/\/$/, ''), explicit);
  const instance = runningInstance(dataDir, { nativeBinding: nativeBindingPath(packageInfo().root) });
  if (!instance.running) return undefined;
  if (!instance.info) {
    throw new Error(`Desktop Agent is running on ${dataDir} but has not published its API address (no runtime.json: still starting, or its API could not listen); try again, or pass --url`);
  }
  const token = explicit ? undefined : readCliToken(dataDir);
  return overHttp(instance.info.url.replace(/\/$/, ''), explicit ?? (token ? `Bearer ${token}` : undefined), instance.info.pid);
}

/**
 * The data dir's core in this process, built by the one composition root but not started: no
 * queue dispatch, watchers or schedules run in the CLI. Close it with closeLocalCore.
 */
export async function openLocalCore(flags: ConnectFlags, io: CliIo): Promise<Core> {
  const options = runtimeOptions(flags as Record<string, string | boolean | undefined>, io.env);
  const { root, version } = packageInfo();
  const { createCore } = await import('../../core/app/create-core');
  const paths = resolvePaths({ dataDir: options.dataDir, configDir: options.configDir, defaultConfigDir: join(root, 'configs') });
  return createCore({ paths, version, strictConfig: true, nativeBinding: nativeBindingPath(root), env: io.env, browserPath: options.browserPath });
}

export async function closeLocalCore(core: Core): Promise<void> {
  // Modules that never started are not stopped by core.stop(); the secret store holds a keychain client.
  core.secrets.close?.();
  await core.stop();
}

function overHttp(url: string, authorization: string | undefined, pid?: number): CliConnection {
  return { client: createClient(createNodeHttpTransport({ url, authorization })), target: { kind: 'instance', url, pid }, close: async () => {} };
}

/** `--user NAME --password-stdin` (Basic) or `DESKTOP_AGENT_TOKEN` (Bearer); undefined when neither is given. */
async function explicitAuthorization(flags: ConnectFlags, io: CliIo): Promise<string | undefined> {
  if (flags.user) {
    if (!flags['password-stdin']) throw new UsageError('--user needs --password-stdin (passwords are never taken as arguments)');
    const password = (await io.readStdin()).replace(/\r?\n$/, '');
    return `Basic ${Buffer.from(`${flags.user}:${password}`).toString('base64')}`;
  }
  return io.env.DESKTOP_AGENT_TOKEN ? `Bearer ${io.env.DESKTOP_AGENT_TOKEN}` : undefined;
}
