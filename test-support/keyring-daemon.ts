import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Starting gnome-keyring on a D-Bus session: for the test run (keyring-setup.ts) or one test (privateKeyring). */

export const has = (cmd: string) => spawnSync('sh', ['-c', `command -v ${cmd}`]).status === 0;

/**
 * Starts `gnome-keyring-daemon --unlock --components=secrets --replace` on the session of `env`
 * (password on stdin, keyrings under dataHome) and returns what it prints (GNOME_KEYRING_CONTROL).
 */
export function startGnomeKeyring(env: NodeJS.ProcessEnv, dataHome: string): Promise<Record<string, string>> {
  return new Promise((resolve, reject) => {
    const child = spawn('gnome-keyring-daemon', ['--unlock', '--components=secrets', '--replace'], {
      env: { ...env, XDG_DATA_HOME: dataHome },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (err += c.toString()));
    child.on('error', reject);
    // The parent prints the environment and exits; the daemon goes on for the D-Bus session.
    child.on('close', (code) => {
      if (code !== 0) return reject(new Error(`gnome-keyring-daemon exited with ${code}: ${err.trim()}`));
      const vars: Record<string, string> = {};
      for (const line of out.split('\n')) {
        const m = /^([A-Z_]+)=(.*)$/.exec(line.trim());
        if (m) vars[m[1]!] = m[2]!;
      }
      resolve(vars);
    });
    child.stdin.end('test');
  });
}

/** A store, lookup and clear through the Secret Service of env: undefined when it works, else why not. */
export function secretServiceRoundTrip(env: NodeJS.ProcessEnv): string | undefined {
  if (!has('secret-tool')) return 'secret-tool is not installed (apt-get install libsecret-tools)';
  const attrs = ['service', 'com.axion.desktop-agent.test-probe', 'account', `probe-${process.pid}`];
  const run = (args: string[], input?: string) => spawnSync('secret-tool', args, { input, env, encoding: 'utf8', timeout: 10_000 });
  const store = run(['store', '--label=Desktop Agent test probe', ...attrs], 'probe');
  if (store.status !== 0) return `secret-tool store failed: ${store.stderr.trim() || `exit ${store.status}`}`;
  const lookup = run(['lookup', ...attrs]);
  run(['clear', ...attrs]);
  return lookup.stdout === 'probe' ? undefined : `secret-tool lookup did not return the stored probe (${lookup.stderr.trim()})`;
}

/** A keyring of one test's own: its env (bus address and keyring control) and how to end it. */
export interface PrivateKeyring {
  env: Record<string, string>;
  stop(): Promise<void>;
}

/** Why a private keyring cannot be started on this machine (a missing program), or undefined. */
export function privateKeyringUnavailable(): string | undefined {
  const missing = ['dbus-daemon', 'gnome-keyring-daemon', 'secret-tool', 'dbus-send'].filter((c) => !has(c));
  return missing.length ? `${missing.join(', ')} not installed (apt-get install dbus gnome-keyring libsecret-tools)` : undefined;
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

/**
 * A D-Bus session and an unlocked gnome-keyring that only this test uses (what dbus-run-session
 * gives `npm test`, but private): items a test stores under fixed names, such as the guide's
 * `account api_key`, cannot meet another test's items.
 */
export async function privateKeyring(): Promise<PrivateKeyring> {
  const dataHome = mkdtempSync(join(tmpdir(), 'da-private-keyring-'));
  const bus = spawn('dbus-daemon', ['--session', '--nofork', '--print-address=1'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let busErr = '';
  bus.stderr.on('data', (c: Buffer) => (busErr += c.toString()));
  const address = await new Promise<string>((resolve, reject) => {
    let out = '';
    bus.stdout.on('data', (c: Buffer) => {
      out += c.toString();
      if (out.includes('\n')) resolve(out.split('\n')[0]!.trim());
    });
    bus.once('exit', (code) => reject(new Error(`dbus-daemon exited with ${code}: ${busErr.trim()}`)));
    bus.once('error', reject);
  });
  const env: Record<string, string> = { DBUS_SESSION_BUS_ADDRESS: address };
  const stop = async () => {
    // The keyring daemon was started by us on this bus: find it by the name it owns and end it.
    const owner = spawnSync(
      'dbus-send',
      ['--session', '--print-reply', '--dest=org.freedesktop.DBus', '/org/freedesktop/DBus', 'org.freedesktop.DBus.GetConnectionUnixProcessID', 'string:org.freedesktop.secrets'],
      { env: { ...process.env, ...env }, encoding: 'utf8', timeout: 5000 },
    );
    const pid = Number(/uint32 (\d+)/.exec(owner.stdout)?.[1]);
    if (pid > 0) {
      try {
        process.kill(pid, 'SIGTERM');
      } catch {
        // already gone
      }
    }
    await stopChild(bus);
    rmSync(dataHome, { recursive: true, force: true });
  };
  try {
    Object.assign(env, await startGnomeKeyring({ ...process.env, ...env }, dataHome));
    const problem = secretServiceRoundTrip({ ...process.env, ...env });
    if (problem) throw new Error(`the private gnome-keyring is not usable: ${problem}`);
  } catch (e) {
    await stop();
    throw e;
  }
  return { env, stop };
}
