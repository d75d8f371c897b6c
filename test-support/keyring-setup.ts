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
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import type { KeyringState } from './keyring';
import { has, secretServiceRoundTrip, startGnomeKeyring } from './keyring-daemon';

const STATE_VAR = 'DA_TEST_KEYRING_STATE';

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
    const problem = secretServiceRoundTrip(process.env);
    state = problem ? { available: false, reason: `the Secret Service on this D-Bus session is not usable: ${problem}` } : { available: true, started: false };
  } else if (!has('gnome-keyring-daemon')) {
    state = { available: false, reason: 'no Secret Service on the D-Bus session and no gnome-keyring-daemon to start (apt-get install gnome-keyring)' };
  } else {
    dataHome = mkdtempSync(join(tmpdir(), 'da-keyring-'));
    try {
      Object.assign(process.env, await startGnomeKeyring(process.env, dataHome));
      const problem = secretServiceRoundTrip(process.env);
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
