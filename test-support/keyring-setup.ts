/**
 * Vitest global setup: a real, unlocked OS keychain for the keychain tests.
 *
 * When a D-Bus session is present (`npm test` re-runs itself under dbus-run-session; by hand:
 * `dbus-run-session -- npx vitest run <path>`) and nobody serves the Secret Service on it yet,
 * starts `gnome-keyring-daemon --unlock --components=secrets --replace` with the password on
 * stdin and a throw-away keyring folder, and exports what it prints (GNOME_KEYRING_CONTROL).
 * An existing Secret Service (a developer's desktop session) is used as it is, never replaced.
 * Tests read the outcome with `inject('keyring')` and skip with its reason when unavailable.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import type { KeyringState } from './keyring';

const STATE_VAR = 'DA_TEST_KEYRING_STATE';
const has = (cmd: string) => spawnSync('sh', ['-c', `command -v ${cmd}`]).status === 0;

function secretServiceOwned(): boolean | undefined {
  if (!has('dbus-send')) return undefined;
  const r = spawnSync(
    'dbus-send',
    ['--session', '--print-reply', '--dest=org.freedesktop.DBus', '/org/freedesktop/DBus', 'org.freedesktop.DBus.NameHasOwner', 'string:org.freedesktop.secrets'],
    { encoding: 'utf8', timeout: 5000 },
  );
  if (r.status !== 0) return undefined;
  return /boolean true/.test(r.stdout);
}

function startDaemon(dataHome: string): Promise<Record<string, string>> {
  return new Promise((resolve, reject) => {
    const child = spawn('gnome-keyring-daemon', ['--unlock', '--components=secrets', '--replace'], {
      env: { ...process.env, XDG_DATA_HOME: dataHome },
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

/** A store, lookup and clear through the real Secret Service: proves the keyring is unlocked and writable. */
function roundTrip(): string | undefined {
  if (!has('secret-tool')) return undefined;
  const attrs = ['service', 'com.axion.desktop-agent.test-probe', 'account', `probe-${process.pid}`];
  const store = spawnSync('secret-tool', ['store', '--label=Desktop Agent test probe', ...attrs], { input: 'probe', encoding: 'utf8', timeout: 10_000 });
  if (store.status !== 0) return `secret-tool store failed: ${store.stderr.trim() || `exit ${store.status}`}`;
  const lookup = spawnSync('secret-tool', ['lookup', ...attrs], { encoding: 'utf8', timeout: 10_000 });
  spawnSync('secret-tool', ['clear', ...attrs], { timeout: 10_000 });
  return lookup.stdout === 'probe' ? undefined : `secret-tool lookup did not return the stored probe (${lookup.stderr.trim()})`;
}

export default async function setup(project: TestProject): Promise<() => void> {
  // Several projects of one run share the keyring: the first setup decides, the others reuse it.
  const known = process.env[STATE_VAR];
  if (known) {
    project.provide('keyring', JSON.parse(known) as KeyringState);
    return () => {};
  }
  let state: KeyringState;
  let dataHome: string | undefined;
  if (!process.env.DBUS_SESSION_BUS_ADDRESS) {
    state = { available: false, reason: 'no D-Bus session (DBUS_SESSION_BUS_ADDRESS is unset); run `npm test`, or `dbus-run-session -- npx vitest run <path>`' };
  } else if (secretServiceOwned()) {
    const problem = roundTrip();
    state = problem ? { available: false, reason: `the Secret Service on this D-Bus session is not usable: ${problem}` } : { available: true, started: false };
  } else if (!has('gnome-keyring-daemon')) {
    state = { available: false, reason: 'no Secret Service on the D-Bus session and no gnome-keyring-daemon to start (apt-get install gnome-keyring)' };
  } else {
    dataHome = mkdtempSync(join(tmpdir(), 'da-keyring-'));
    try {
      Object.assign(process.env, await startDaemon(dataHome));
      const problem = roundTrip();
      state = problem ? { available: false, reason: `gnome-keyring started but is not usable: ${problem}` } : { available: true, started: true };
    } catch (e) {
      state = { available: false, reason: `could not start gnome-keyring-daemon: ${(e as Error).message}` };
    }
  }
  process.env[STATE_VAR] = JSON.stringify(state);
  project.provide('keyring', state);
  return () => {
    // The daemon ends with the D-Bus session; its throw-away keyring folder goes now.
    if (dataHome) rmSync(dataHome, { recursive: true, force: true });
  };
}
