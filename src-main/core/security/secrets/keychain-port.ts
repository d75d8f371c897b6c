import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { delimiter, join } from 'node:path';

/**
 * The OS keychain as the keychain backend sees it (macOS Keychain, Windows Credential Manager,
 * the Secret Service on Linux). Injectable so unit tests run without D-Bus; the real one is
 * keytar. Values never travel on a command line.
 */
export interface KeychainPort {
  getPassword(service: string, account: string): Promise<string | null>;
  setPassword(service: string, account: string, password: string): Promise<void>;
  deletePassword(service: string, account: string): Promise<boolean>;
  /** Accounts stored under a service (names only). */
  findAccounts(service: string): Promise<string[]>;
}

type Keytar = typeof import('keytar');

export interface SystemKeychainOptions {
  platform?: NodeJS.Platform;
  env?: NodeJS.ProcessEnv;
  /** Loads keytar (lazily, so a missing native module or Secret Service never stops the core). */
  loadKeytar?: () => Promise<Keytar>;
}

/**
 * keytar, plus `secret-tool` on Linux where it is installed: the guide's
 * `secret-tool store … service com.axion.desktop-agent account api_key` stores an item without
 * libsecret's schema attribute, and keytar only matches items that carry it. So a keytar miss is
 * retried with `secret-tool lookup`, and deletes and listings cover such items too.
 */
export function createSystemKeychain(options: SystemKeychainOptions = {}): KeychainPort {
  const platform = options.platform ?? process.platform;
  const env = options.env ?? process.env;
  let keytar: Promise<Keytar> | undefined;
  const kt = () =>
    (keytar ??= (options.loadKeytar ?? defaultLoadKeytar)().catch((e: Error) => {
      keytar = undefined;
      throw new Error(`the keytar module could not be loaded (${e.message})`);
    }));
  const tool = platform === 'linux' ? findOnPath('secret-tool', env) : undefined;

  return {
    async getPassword(service, account) {
      const found = await (await kt()).getPassword(service, account);
      if (found !== null || !tool) return found;
      return secretToolLookup(tool, env, service, account);
    },
    async setPassword(service, account, password) {
      // Replace an item stored without the schema (secret-tool) so one value answers for the account.
      if (tool && (await secretToolLookup(tool, env, service, account)) !== null) await runSecretTool(tool, env, ['clear', 'service', service, 'account', account]);
      await (await kt()).setPassword(service, account, password);
    },
    async deletePassword(service, account) {
      let deleted = await (await kt()).deletePassword(service, account);
      if (tool && (await secretToolLookup(tool, env, service, account)) !== null) {
        await runSecretTool(tool, env, ['clear', 'service', service, 'account', account]);
        deleted = true;
      }
      return deleted;
    },
    async findAccounts(service) {
      const accounts = new Set((await (await kt()).findCredentials(service)).map((c) => c.account));
      if (tool) for (const a of await secretToolAccounts(tool, env, service)) accounts.add(a);
      return [...accounts];
    },
  };
}

async function defaultLoadKeytar(): Promise<Keytar> {
  const mod = (await import('keytar')) as Keytar & { default?: Keytar };
  return mod.default ?? mod;
}

function findOnPath(cmd: string, env: NodeJS.ProcessEnv): string | undefined {
  for (const dir of (env.PATH ?? '/usr/bin:/bin').split(delimiter)) {
    const file = join(dir, cmd);
    if (dir && existsSync(file)) return file;
  }
  return undefined;
}

/** Runs secret-tool with arguments that never include a value; the value, if any, comes back on stdout. */
function runSecretTool(tool: string, env: NodeJS.ProcessEnv, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(tool, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (c: Buffer) => out.push(c));
    child.stderr.on('data', (c: Buffer) => err.push(c));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? 1, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8').trim() }));
  });
}

async function secretToolLookup(tool: string, env: NodeJS.ProcessEnv, service: string, account: string): Promise<string | null> {
  const r = await runSecretTool(tool, env, ['lookup', 'service', service, 'account', account]);
  // Exit 1 with nothing on stderr is "no such item"; anything on stderr is a failure to ask.
  if (r.code !== 0) {
    if (r.stderr) throw new Error(r.stderr);
    return null;
  }
  return r.stdout;
}

async function secretToolAccounts(tool: string, env: NodeJS.ProcessEnv, service: string): Promise<string[]> {
  const r = await runSecretTool(tool, env, ['search', '--all', 'service', service]);
  if (r.code !== 0) return [];
  // The search matched `service` exactly; secret-tool prints each item's attribute lines (on
  // stderr in libsecret 0.20, so both streams are read). Only attribute lines are looked at.
  const accounts = new Set<string>();
  for (const line of `${r.stdout}\n${r.stderr}`.split('\n')) {
    if (line.startsWith('attribute.account = ')) accounts.add(line.slice('attribute.account = '.length));
  }
  return [...accounts];
}
