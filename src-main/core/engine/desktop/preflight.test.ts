import { describe, expect, it } from 'vitest';
import { ActionError } from '../action-types';
import { desktopPreflight, parseDisplay, parseGdbusActive, parseIoregLocked, parseLoginctl, parseTasklistLocked, sessionLocked, type CommandOutput, type DesktopSystem } from './preflight';

/** A system whose answers the test decides (a locked session cannot be produced for real here). */
function system(over: Partial<DesktopSystem> & { commands?: Record<string, CommandOutput> } = {}): DesktopSystem & { calls: string[] } {
  const calls: string[] = [];
  return {
    platform: 'linux',
    env: { DISPLAY: ':5' },
    reachable: async () => true,
    probeDisplay: async () => ({ width: 800, height: 600 }),
    run: async (cmd, args) => {
      const key = [cmd, ...args].join(' ');
      calls.push(key);
      const hit = Object.entries(over.commands ?? {}).find(([k]) => key.startsWith(k));
      return hit?.[1];
    },
    calls,
    ...over,
  };
}

const size = async () => ({ width: 800, height: 600 });

async function reason(p: Promise<unknown>, code = 'DESKTOP_UNAVAILABLE'): Promise<string> {
  const e = await p.then(() => undefined, (err: unknown) => err);
  expect(e).toBeInstanceOf(ActionError);
  expect(e).toMatchObject({ code, retryable: true });
  return (e as ActionError).message;
}

const LOCKED = 'DESKTOP_LOCKED: the session is locked; the run waits until it is unlocked';

describe('parseDisplay', () => {
  it('finds the X server socket of a display name', () => {
    expect(parseDisplay(':0')).toEqual({ socketPaths: ['/tmp/.X11-unix/X0', '\0/tmp/.X11-unix/X0'] });
    expect(parseDisplay(':1.0')).toEqual({ socketPaths: ['/tmp/.X11-unix/X1', '\0/tmp/.X11-unix/X1'] });
    expect(parseDisplay('localhost:10.0')).toEqual({ host: 'localhost', port: 6010 });
    expect(parseDisplay('/private/tmp/com.apple.launchd.x/org.xquartz:0')).toEqual({ socketPaths: ['/private/tmp/com.apple.launchd.x/org.xquartz:0'] });
    expect(parseDisplay('nonsense')).toBeUndefined();
  });
});

describe('lock detection', () => {
  it('reads loginctl, gdbus, ioreg and tasklist answers', () => {
    expect(parseLoginctl('yes\n')).toBe(true);
    expect(parseLoginctl('no\n')).toBe(false);
    expect(parseGdbusActive('(true,)\n')).toBe(true);
    expect(parseGdbusActive('(false,)\n')).toBe(false);
    expect(parseIoregLocked('| "IOConsoleUsers" = ({"CGSSessionScreenIsLocked"=Yes,"kCGSSessionOnConsoleKey"=Yes})')).toBe(true);
    expect(parseIoregLocked('| "IOConsoleUsers" = ({"kCGSSessionOnConsoleKey"=Yes})')).toBe(false);
    expect(parseTasklistLocked('LogonUI.exe                  1234 Console    1   40,000 K')).toBe(true);
    expect(parseTasklistLocked('INFO: No tasks are running which match the specified criteria.')).toBe(false);
  });

  it('asks loginctl for the session and the screensavers on the session bus; unknown when nobody answers', async () => {
    const sys = system({ env: { DISPLAY: ':5', XDG_SESSION_ID: 'c2', DBUS_SESSION_BUS_ADDRESS: 'unix:path=/x' }, commands: { 'gdbus call --session --dest org.gnome.ScreenSaver': { code: 0, stdout: '(true,)' } } });
    expect(await sessionLocked(sys)).toBe(true);
    expect(sys.calls).toContain('loginctl show-session c2 -p LockedHint --value');
    expect(await sessionLocked(system({ env: { DISPLAY: ':5', XDG_SESSION_ID: 'c2' }, commands: { loginctl: { code: 0, stdout: 'no\n' } } }))).toBe(false);
    expect(await sessionLocked(system({ env: { DISPLAY: ':5' } }))).toBeUndefined();
  });
});

describe('desktopPreflight', () => {
  it('passes with a reachable display, an unlocked session and a screen size', async () => {
    expect(await desktopPreflight(system(), size)).toEqual({ width: 800, height: 600, display: ':5' });
  });

  it('names what is missing, in order, as DESKTOP_UNAVAILABLE', async () => {
    expect(await reason(desktopPreflight(system({ env: {} }), size))).toBe('DESKTOP_UNAVAILABLE: no display (DISPLAY is not set)');
    expect(await reason(desktopPreflight(system({ env: { DISPLAY: 'what' } }), size))).toBe("DESKTOP_UNAVAILABLE: DISPLAY 'what' is not a display name such as :0");
    expect(await reason(desktopPreflight(system({ reachable: async () => false }), size))).toBe('DESKTOP_UNAVAILABLE: cannot connect to display :5 (no X server is listening)');
    expect(await reason(desktopPreflight(system({ probeDisplay: async () => undefined }), size))).toBe('DESKTOP_UNAVAILABLE: display :5 refused the connection (check XAUTHORITY and xhost)');
    const locked = system({ env: { DISPLAY: ':5', XDG_SESSION_ID: '3' }, commands: { loginctl: { code: 0, stdout: 'yes' } } });
    expect(await reason(desktopPreflight(locked, size), 'DESKTOP_LOCKED')).toBe(LOCKED);
    expect(await reason(desktopPreflight(system(), async () => ({ width: 0, height: 0 })))).toBe('DESKTOP_UNAVAILABLE: the screen size is unknown');
  });

  it('believes the host about the lock (Electron powerMonitor lock-screen/unlock-screen) before asking the OS', async () => {
    const osSaysLocked = { env: { DISPLAY: ':5', XDG_SESSION_ID: '3' }, commands: { loginctl: { code: 0, stdout: 'yes' } } };
    expect(await reason(desktopPreflight(system({ screenLocked: () => true }), size), 'DESKTOP_LOCKED')).toBe(LOCKED);
    const unlocked = system({ ...osSaysLocked, screenLocked: () => false });
    expect(await desktopPreflight(unlocked, size)).toEqual({ width: 800, height: 600, display: ':5' });
    expect(unlocked.calls).toEqual([]);
    // The host does not know (no lock event yet): the OS is asked.
    expect(await reason(desktopPreflight(system({ ...osSaysLocked, screenLocked: () => undefined }), size), 'DESKTOP_LOCKED')).toBe(LOCKED);
  });

  it('does not look for X on macOS and Windows, but does ask whether the session is locked', async () => {
    const mac = system({ platform: 'darwin', env: {}, commands: { ioreg: { code: 0, stdout: '"IOConsoleUsers" = ({"CGSSessionScreenIsLocked"=Yes})' } } });
    expect(await reason(desktopPreflight(mac, size), 'DESKTOP_LOCKED')).toBe(LOCKED);
    const win = system({ platform: 'win32', env: {}, commands: { tasklist: { code: 0, stdout: 'INFO: No tasks' } } });
    expect(await desktopPreflight(win, size)).toEqual({ width: 800, height: 600, display: undefined });
  });
});
