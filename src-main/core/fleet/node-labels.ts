import { execFile } from 'node:child_process';
import { parseDisplay, resolveBrowser, xServerReachable, type BrowserChannel, type XTarget } from '../engine';

/**
 * The labels a node finds itself (SPEC section 16): `desktop` when it has a usable display,
 * `browser` when a Chromium-family browser is installed, `os:linux|windows|darwin`; then the
 * labels of orchestrator.yaml's `node.labels`. `execution.runs_on` is matched against them.
 */
export const DESKTOP_LABEL = 'desktop';
export const BROWSER_LABEL = 'browser';

/** What detection asks the system; tests give their own. */
export interface LabelProbe {
  platform: NodeJS.Platform;
  env: NodeJS.ProcessEnv;
  /** Whether an X server accepts connections at the display's socket. */
  xServerReachable(target: XTarget): Promise<boolean>;
  /** Whether the web actions would find a browser (the engine's discovery, with the same settings). */
  browserFound(): boolean;
  /** Windows and macOS: whether this process runs in a person's interactive session (not a service). */
  interactiveSession(): Promise<boolean>;
}

export function osLabel(platform: NodeJS.Platform): string {
  return `os:${platform === 'win32' ? 'windows' : platform}`;
}

/**
 * Linux and the other Unix systems: DISPLAY set and an X server answering there. A Wayland session
 * without DISPLAY (no XWayland) is not `desktop`: the desktop actions drive X11 (their preflight
 * refuses such a session), so a run sent there would fail.
 */
async function hasDesktop(p: LabelProbe): Promise<boolean> {
  if (p.platform === 'win32' || p.platform === 'darwin') return p.interactiveSession();
  const display = p.env.DISPLAY?.trim();
  const target = display ? parseDisplay(display) : undefined;
  return target ? p.xServerReachable(target) : false;
}

/** Detected labels, then the configured ones, each once, in that order. */
export async function detectNodeLabels(p: LabelProbe, configured: readonly string[] = []): Promise<string[]> {
  const found: string[] = [];
  if (await hasDesktop(p)) found.push(DESKTOP_LABEL);
  if (p.browserFound()) found.push(BROWSER_LABEL);
  found.push(osLabel(p.platform));
  return [...new Set([...found, ...configured])];
}

/** The labels `runs_on` lists that a node with these labels and this name lacks (empty: it may run it). */
export function missingLabels(runsOn: readonly string[], node: { name: string; labels: readonly string[] }): string[] {
  return runsOn.filter((want) => want !== node.name && !node.labels.includes(want));
}

/** The system this process runs on. */
export function systemLabelProbe(o: { env?: NodeJS.ProcessEnv; platform?: NodeJS.Platform; browserPath?: string; web?: { browser_path?: string; channel?: BrowserChannel } } = {}): LabelProbe {
  const platform = o.platform ?? process.platform;
  const env = o.env ?? process.env;
  return {
    platform,
    env,
    xServerReachable: (target) => xServerReachable(target, 1_500),
    browserFound() {
      try {
        resolveBrowser({ browserPath: o.browserPath, configPath: o.web?.browser_path, channel: o.web?.channel, platform, env });
        return true;
      } catch {
        return false;
      }
    },
    interactiveSession: () => interactiveSession(platform, env),
  };
}

/**
 * Windows: a service runs in session 0 without SESSIONNAME; a signed-in person's process has
 * `Console` or `RDP-Tcp#N`. macOS: launchd's manager is `Aqua` in a person's GUI session.
 */
async function interactiveSession(platform: NodeJS.Platform, env: NodeJS.ProcessEnv): Promise<boolean> {
  if (platform === 'win32') return Boolean(env.SESSIONNAME) && env.SESSIONNAME !== 'Services';
  if (platform !== 'darwin') return false;
  return new Promise((resolve) => {
    execFile('launchctl', ['managername'], { timeout: 3_000, encoding: 'utf8' }, (error, stdout) => resolve(!error && stdout.trim() === 'Aqua'));
  });
}
