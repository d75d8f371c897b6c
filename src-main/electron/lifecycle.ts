import type { PowerMonitor, Rectangle } from 'electron';
import { messagesFor } from '@shared/i18n';
import { isAbsolute, resolve } from 'node:path';
import type { Logger } from '../core/kernel/ports';
import { APP_SCHEME } from './window-policy';

/**
 * The desktop app's life: what a second start passes on, where the window was, and what sleep and
 * the screen lock mean for the core. Pure functions and small adapters over electron's types.
 */

/** What a second start (or the OS opening a file or a link with the app) asks the first one to do. */
export type LaunchTarget = { kind: 'route'; hash: string } | { kind: 'file'; path: string };

/**
 * `desktop-agent://runs/run_1` → `#/runs/run_1`; `desktop-agent://ui/index.html#/approvals/a1` →
 * `#/approvals/a1`. Undefined for anything else.
 */
export function routeOfLink(link: string): string | undefined {
  let u: URL;
  try {
    u = new URL(link);
  } catch {
    return undefined;
  }
  if (u.protocol !== `${APP_SCHEME}:`) return undefined;
  if (u.hash.startsWith('#/')) return u.hash;
  const path = `${u.host}${u.pathname}`.replace(/\/+$/, '');
  return path && path !== 'ui' ? `#/${path}` : '#/';
}

/** The links and template files in a command line (the first instance gets the second's argv). */
export function launchTargets(argv: readonly string[], cwd: string): LaunchTarget[] {
  const targets: LaunchTarget[] = [];
  for (const arg of argv) {
    if (arg.startsWith(`${APP_SCHEME}:`)) {
      const hash = routeOfLink(arg);
      if (hash) targets.push({ kind: 'route', hash });
    } else if (!arg.startsWith('-') && /\.ya?ml$/i.test(arg)) {
      targets.push({ kind: 'file', path: isAbsolute(arg) ? arg : resolve(cwd, arg) });
    }
  }
  return targets;
}

/**
 * Page code that hands files to the window as a drop would: the renderer's drop handler (the
 * same as for a file dragged onto the window) checks, asks on a clash and saves.
 */
export function dropScript(files: readonly { name: string; text: string }[]): string {
  return `(() => {
  const dt = new DataTransfer();
  for (const f of ${JSON.stringify(files)}) dt.items.add(new File([f.text], f.name, { type: 'application/yaml' }));
  window.dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
})()`;
}

/** The window's place and size, kept in `<data-dir>/electron/window-state.json`. */
export interface WindowState {
  x?: number;
  y?: number;
  width: number;
  height: number;
  maximized: boolean;
}

export const DEFAULT_WINDOW: WindowState = { width: 1280, height: 820, maximized: false };

/** A saved state read back: unusable values give the default; a place off every screen is dropped (centred instead). */
export function restoreWindowState(saved: unknown, workAreas: readonly Rectangle[]): WindowState {
  const s = saved as Partial<WindowState> | null;
  const num = (v: unknown, min: number) => (typeof v === 'number' && Number.isFinite(v) && v >= min ? Math.round(v) : undefined);
  const width = num(s?.width, 480);
  const height = num(s?.height, 360);
  if (!width || !height) return DEFAULT_WINDOW;
  const state: WindowState = { width, height, maximized: s?.maximized === true };
  const x = typeof s?.x === 'number' && Number.isFinite(s.x) ? Math.round(s.x) : undefined;
  const y = typeof s?.y === 'number' && Number.isFinite(s.y) ? Math.round(s.y) : undefined;
  if (x === undefined || y === undefined) return state;
  // At least a 100×50 corner of the title bar must be on some screen, or the window could not be grabbed.
  const visible = workAreas.some((a) => x + 100 > a.x && x < a.x + a.width - 100 && y >= a.y && y < a.y + a.height - 50);
  return visible ? { ...state, x, y } : state;
}

/** What sleep and the lock mean for the core. */
export interface PowerHooks {
  /** The machine woke or the session was unlocked: the scheduler handles what came due (catch-up). */
  resume(): void;
  /** A getter: the hooks are attached before the core whose logger they use. */
  logger(): Logger;
}

/**
 * powerMonitor's suspend/resume and lock/unlock: resume and unlock reach the scheduler; the lock
 * state is what the desktop preflight believes (a locked screen defers desktop runs).
 * `locked()` is undefined until the first lock or unlock event (then the OS is asked).
 */
export function watchPower(power: Pick<PowerMonitor, 'on'>, hooks: PowerHooks): { locked(): boolean | undefined } {
  let locked: boolean | undefined;
  power.on('suspend', () => hooks.logger().info('The machine is going to sleep'));
  power.on('resume', () => {
    hooks.logger().info('The machine woke up; due schedules are handled now');
    hooks.resume();
  });
  power.on('lock-screen', () => {
    locked = true;
    hooks.logger().info('The screen was locked; desktop steps wait until it is unlocked');
  });
  power.on('unlock-screen', () => {
    locked = false;
    hooks.logger().info('The screen was unlocked');
    hooks.resume();
  });
  return { locked: () => locked };
}

/** The line said on quit while runs are still running (they are given time to reach a safe point). */
export function stillRunningLine(runs: readonly { id: string; template: string }[], locale: 'ja' | 'en'): string | undefined {
  if (!runs.length) return undefined;
  const list = runs
    .slice(0, 5)
    .map((r) => `${r.template} (${r.id})`)
    .join(', ');
  return messagesFor(locale).tray.stillRunning(runs.length, list, Math.max(0, runs.length - 5));
}
