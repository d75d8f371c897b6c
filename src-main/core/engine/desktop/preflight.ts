import { execFile, spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { connect } from 'node:net';
import { DESKTOP_LOCKED } from '@shared/domain/runs';
import { ActionError } from '../action-types';

/**
 * Before any desktop step: is there a display we can reach, is the session unlocked (where the
 * OS tells), and is the screen size known? If not, the step fails with DESKTOP_UNAVAILABLE,
 * retryable, instead of crashing: nut.js's native code ends the whole process when X refuses it,
 * so on X11 the first use of each display is tried in a child process first.
 */

export interface ScreenSize {
  width: number;
  height: number;
}

export interface CommandOutput {
  code: number | null;
  stdout: string;
}

/** What the preflight asks the system; tests give their own. */
export interface DesktopSystem {
  platform: NodeJS.Platform;
  env: NodeJS.ProcessEnv;
  /** Runs a command; undefined when it cannot be started (not installed) or times out. */
  run(cmd: string, args: string[], timeoutMs: number): Promise<CommandOutput | undefined>;
  /** Whether something accepts connections at the X server's socket. */
  reachable(target: XTarget, timeoutMs: number): Promise<boolean>;
  /** Opens the display in a child process (libnut): its screen size, or undefined if that failed. */
  probeDisplay(display: string): Promise<ScreenSize | undefined>;
  /** What the host knows of the screen lock (Electron's powerMonitor); undefined: ask the OS. */
  screenLocked?(): boolean | undefined;
}



export function unavailable(reason: string, details?: Record<string, unknown>): ActionError {
  return new ActionError('DESKTOP_UNAVAILABLE', `DESKTOP_UNAVAILABLE: ${reason}`, true, details);
}

export type XTarget = { socketPaths: string[] } | { host: string; port: number };

/** `:0`, `:1.0`, `unix:2`, `localhost:10.0`, `/tmp/launch-x/org.xquartz:0` → where its server listens. */
export function parseDisplay(display: string): XTarget | undefined {
  const m = /^(.*):(\d+)(?:\.\d+)?$/.exec(display.trim());
  if (!m) return undefined;
  const [, host, n] = m;
  if (host.startsWith('/')) return { socketPaths: [`${host}:${n}`] };
  if (host === '' || host === 'unix') return { socketPaths: [`/tmp/.X11-unix/X${n}`, `\0/tmp/.X11-unix/X${n}`] };
  return { host, port: 6000 + Number(n) };
}

export function parseLoginctl(out: string): boolean | undefined {
  const v = out.trim().toLowerCase();
  return v === 'yes' ? true : v === 'no' ? false : undefined;
}

/** gdbus prints `(true,)` / `(false,)` for ScreenSaver.GetActive. */
export function parseGdbusActive(out: string): boolean | undefined {
  const m = /\((true|false),?\)/.exec(out);
  return m ? m[1] === 'true' : undefined;
}

export function parseIoregLocked(out: string): boolean | undefined {
  if (!out.includes('IOConsoleUsers') && !out.includes('CGSSession')) return undefined;
  return /"CGSSessionScreenIsLocked"\s*=\s*Yes/.test(out);
}

export function parseTasklistLocked(out: string): boolean {
  return /LogonUI\.exe/i.test(out);
}

const SCREENSAVERS = [
  ['org.gnome.ScreenSaver', '/org/gnome/ScreenSaver'],
  ['org.freedesktop.ScreenSaver', '/org/freedesktop/ScreenSaver'],
] as const;

/** true / false where the OS tells, undefined where it does not (e.g. a bare Xvfb). */
export async function sessionLocked(sys: DesktopSystem): Promise<boolean | undefined> {
  if (sys.platform === 'darwin') {
    const out = await sys.run('ioreg', ['-n', 'Root', '-d1'], 2_000);
    return out ? parseIoregLocked(out.stdout) : undefined;
  }
  if (sys.platform === 'win32') {
    const out = await sys.run('tasklist', ['/FI', 'IMAGENAME eq LogonUI.exe', '/NH'], 3_000);
    return out && out.code === 0 ? parseTasklistLocked(out.stdout) : undefined;
  }
  const answers: Promise<boolean | undefined>[] = [];
  if (sys.env.XDG_SESSION_ID) {
    answers.push(sys.run('loginctl', ['show-session', sys.env.XDG_SESSION_ID, '-p', 'LockedHint', '--value'], 1_500).then((o) => (o?.code === 0 ? parseLoginctl(o.stdout) : undefined)));
  }
  if (sys.env.DBUS_SESSION_BUS_ADDRESS) {
    for (const [dest, path] of SCREENSAVERS) {
      answers.push(
        sys.run('gdbus', ['call', '--session', '--dest', dest, '--object-path', path, '--method', `${dest}.GetActive`], 1_500).then((o) => (o?.code === 0 ? parseGdbusActive(o.stdout) : undefined)),
      );
    }
  }
  const results = await Promise.all(answers);
  return results.includes(true) ? true : results.includes(false) ? false : undefined;
}

export interface PreflightResult extends ScreenSize {
  display?: string;
}

/**
 * The checks, in order. `screenSize` asks nut.js (loaded only after the display checks pass).
 * Every failure is DESKTOP_UNAVAILABLE with a reason a person can act on.
 */
export async function desktopPreflight(sys: DesktopSystem, screenSize: () => Promise<ScreenSize>): Promise<PreflightResult> {
  let display: string | undefined;
  if (sys.platform !== 'darwin' && sys.platform !== 'win32') {
    display = sys.env.DISPLAY?.trim();
    if (!display) {
      if (sys.env.WAYLAND_DISPLAY) throw unavailable('no X display in this Wayland session (mouse and keyboard control needs X11 or XWayland; DISPLAY is not set)');
      throw unavailable('no display (DISPLAY is not set)');
    }
    const target = parseDisplay(display);
    if (!target) throw unavailable(`DISPLAY '${display}' is not a display name such as :0`, { display });
    if (!(await sys.reachable(target, 1_500))) throw unavailable(`cannot connect to display ${display} (no X server is listening)`, { display });
    if (!(await sys.probeDisplay(display))) throw unavailable(`display ${display} refused the connection (check XAUTHORITY and xhost)`, { display });
  }
  if ((sys.screenLocked?.() ?? (await sessionLocked(sys))) === true) {
    throw new ActionError(DESKTOP_LOCKED, `${DESKTOP_LOCKED}: the session is locked; the run waits until it is unlocked`, true, { display });
  }
  let size: ScreenSize | undefined;
  try {
    size = await screenSize();
  } catch (e) {
    throw unavailable(`the screen size is unknown (${(e as Error).message})`, { display });
  }
  if (!size || !(size.width > 0) || !(size.height > 0)) throw unavailable('the screen size is unknown', { display });
  return { ...size, display };
}

function runCommand(cmd: string, args: string[], timeoutMs: number): Promise<CommandOutput | undefined> {
  return new Promise((resolve) => {
    execFile(cmd, args, { timeout: timeoutMs, windowsHide: true, encoding: 'utf8' }, (error, stdout) => {
      const e = error as (NodeJS.ErrnoException & { killed?: boolean; code?: number | string }) | null;
      if (e && (typeof e.code === 'string' || e.killed)) return resolve(undefined);
      resolve({ code: e ? ((e.code as number | undefined) ?? 1) : 0, stdout: stdout ?? '' });
    });
  });
}

/** Whether something accepts connections at the X server's socket (also the fleet's `desktop` label). */
export function reachable(target: XTarget, timeoutMs: number): Promise<boolean> {
  const tryOne = (options: { path: string } | { host: string; port: number }) =>
    new Promise<boolean>((resolve) => {
      const socket = connect(options);
      const done = (ok: boolean) => {
        socket.destroy();
        resolve(ok);
      };
      socket.setTimeout(timeoutMs, () => done(false));
      socket.once('connect', () => done(true));
      socket.once('error', () => done(false));
    });
  if ('host' in target) return tryOne(target);
  return target.socketPaths.reduce<Promise<boolean>>((prev, path) => prev.then((ok) => ok || tryOne({ path })), Promise.resolve(false));
}

const PROBE = `const s = require(process.argv[1]).getScreenSize(); process.stdout.write(JSON.stringify(s));`;

/**
 * libnut-linux is nut.js's own dependency (through libnut), not ours: resolve it from the package
 * that depends on it, so a production install (which has only our dependencies at the top) finds it.
 */
function resolveLibnutLinux(): string {
  let from = import.meta.url;
  for (const name of ['@nut-tree-fork/nut-js', '@nut-tree-fork/libnut', '@nut-tree-fork/libnut-linux']) from = createRequire(from).resolve(name);
  return from;
}

/** The system the core runs on. A display that worked once is not probed again (per DISPLAY and XAUTHORITY). */
export function systemDesktop(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform, screenLocked?: () => boolean | undefined): DesktopSystem {
  const verified = new Map<string, ScreenSize>();
  return {
    platform,
    screenLocked,
    env,
    run: runCommand,
    reachable,
    async probeDisplay(display) {
      const key = `${display}|${env.XAUTHORITY ?? ''}`;
      const known = verified.get(key);
      if (known) return known;
      let libnut: string;
      try {
        libnut = resolveLibnutLinux();
      } catch {
        return undefined;
      }
      const size = await new Promise<ScreenSize | undefined>((resolve) => {
        const child = spawn(process.execPath, ['-e', PROBE, libnut], {
          env: { ...env, DISPLAY: display, ELECTRON_RUN_AS_NODE: '1' },
          stdio: ['ignore', 'pipe', 'ignore'],
          timeout: 10_000,
        });
        let out = '';
        child.stdout.on('data', (d: Buffer) => (out += d.toString()));
        child.once('error', () => resolve(undefined));
        child.once('close', (code) => {
          try {
            resolve(code === 0 ? (JSON.parse(out) as ScreenSize) : undefined);
          } catch {
            resolve(undefined);
          }
        });
      });
      if (size) verified.set(key, size);
      return size;
    },
  };
}
