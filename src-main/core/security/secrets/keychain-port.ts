import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { createKeytarProcess } from './keytar-process';

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
  /** Ends calls that take too long (a blocked D-Bus); later calls start afresh. */
  abort?(reason: string): void;
}

export interface SystemKeychainOptions {
  platform?: NodeJS.Platform;
  env?: NodeJS.ProcessEnv;
  /** keytar's entry file (default: resolved from node_modules). */
  keytarPath?: string;
  /** How long a `secret-tool lookup` that found nothing is trusted (a lookup costs a process start). */
  missTtlMs?: number;
  now?: () => number;
}

/**
 * keytar (in a helper process, see keytar-process.ts), plus `secret-tool` on Linux where it is
 * installed: the guide's `secret-tool store … service com.axion.desktop-agent account api_key`
 * stores an item without libsecret's schema attribute, and keytar only matches items that carry
 * it. So a keytar miss is retried with `secret-tool lookup`, and deletes and listings cover such
 * items too.
 */
export function createSystemKeychain(options: SystemKeychainOptions = {}): KeychainPort {
  const platform = options.platform ?? process.platform;
  const env = options.env ?? process.env;
  const keytar = createKeytarProcess({ keytarPath: options.keytarPath });
  const tool = platform === 'linux' ? findOnPath('secret-tool', env) : undefined;
  const children = new Set<ChildProcess>();
  const st = (args: string[]) => runSecretTool(tool!, env, args, children);
  const now = options.now ?? Date.now;
  const missTtlMs = options.missTtlMs ?? 10_000;
  // Keys that resolve from a later backend (env, file) miss the keychain on every lookup; the
  // secret-tool retry for them is remembered for a few seconds instead of started each time.
  const misses = new Map<string, number>();
  const lookup = async (service: string, account: string, useCache = true) => {
    const id = `${service}\0${account}`;
    const at = misses.get(id);
    if (useCache && at !== undefined && now() - at < missTtlMs) return null;
    const r = await st(['lookup', 'service', service, 'account', account]);
    // Exit 1 with nothing on stderr is "no such item"; anything on stderr is a failure to ask.
    if (r.code !== 0) {
      if (r.stderr) throw new Error(r.stderr);
      if (misses.size > 10_000) misses.clear();
      misses.set(id, now());
      return null;
    }
    misses.delete(id);
    return r.stdout;
  };

  return {
    async getPassword(service, account) {
      const found = await keytar.call<string | null>('getPassword', service, account);
      if (found !== null || !tool) return found;
      return lookup(service, account);
    },
    async setPassword(service, account, password) {
      // Replace an item stored without the schema (secret-tool) so one value answers for the account.
      if (tool && (await lookup(service, account, false)) !== null) await st(['clear', 'service', service, 'account', account]);
      await keytar.call('setPassword', service, account, password);
    },
    async deletePassword(service, account) {
      let deleted = await keytar.call<boolean>('deletePassword', service, account);
      if (tool && (await lookup(service, account, false)) !== null) {
        await st(['clear', 'service', service, 'account', account]);
        deleted = true;
      }
      return deleted;
    },
    async findAccounts(service) {
      const accounts = new Set(await keytar.call<string[]>('findAccounts', service));
      if (tool) for (const a of await secretToolAccounts(await st(['search', '--all', 'service', service]))) accounts.add(a);
      return [...accounts];
    },
    abort(reason) {
      keytar.abort(reason);
      for (const c of children) c.kill('SIGKILL');
      children.clear();
    },
  };
}

function findOnPath(cmd: string, env: NodeJS.ProcessEnv): string | undefined {
  for (const dir of (env.PATH ?? '/usr/bin:/bin').split(delimiter)) {
    const file = join(dir, cmd);
    if (dir && existsSync(file)) return file;
  }
  return undefined;
}

interface ToolResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs secret-tool with arguments that never include a value; the value, if any, comes back on stdout. */
function runSecretTool(tool: string, env: NodeJS.ProcessEnv, args: string[], children: Set<ChildProcess>): Promise<ToolResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(tool, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    children.add(child);
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (c: Buffer) => out.push(c));
    child.stderr.on('data', (c: Buffer) => err.push(c));
    child.on('error', (e) => {
      children.delete(child);
      reject(e);
    });
    child.on('close', (code, signal) => {
      children.delete(child);
      if (signal) return reject(new Error(`secret-tool ${args[0]} was stopped (${signal})`));
      resolve({ code: code ?? 1, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8').trim() });
    });
  });
}

function secretToolAccounts(r: ToolResult): string[] {
  if (r.code !== 0) return [];
  // The search matched `service` exactly; secret-tool prints each item's attribute lines (on
  // stderr in libsecret 0.20, so both streams are read). Only attribute lines are looked at.
  const accounts = new Set<string>();
  for (const line of `${r.stdout}\n${r.stderr}`.split('\n')) {
    if (line.startsWith('attribute.account = ')) accounts.add(line.slice('attribute.account = '.length));
  }
  return [...accounts];
}
