import { describe, expect, it } from 'vitest';
import { createLogger, MemorySink } from '../core/kernel/logger';
import { DEFAULT_WINDOW, launchTargets, restoreWindowState, routeOfLink, stillRunningLine, watchPower } from './lifecycle';
import { trayMenuTemplate } from './tray';

describe('what a second start passes on', () => {
  it('turns desktop-agent:// links into routes of the window', () => {
    expect(routeOfLink('desktop-agent://runs/run_1')).toBe('#/runs/run_1');
    expect(routeOfLink('desktop-agent://approvals/apr_1/')).toBe('#/approvals/apr_1');
    expect(routeOfLink('desktop-agent://ui/index.html#/templates')).toBe('#/templates');
    expect(routeOfLink('desktop-agent://ui/')).toBe('#/');
    expect(routeOfLink('https://evil.example/#/runs')).toBeUndefined();
    expect(routeOfLink('not a url')).toBeUndefined();
  });

  it('finds links and template files in the second instance’s command line, relative to its directory', () => {
    const argv = ['/opt/Desktop Agent/desktop-agent', '--no-sandbox', 'desktop-agent://runs/run_9', 'invoice.yaml', '/tmp/a/b.YML', 'notes.txt', '--data-dir=x.yaml'];
    expect(launchTargets(argv, '/home/u/docs')).toEqual([
      { kind: 'route', hash: '#/runs/run_9' },
      { kind: 'file', path: '/home/u/docs/invoice.yaml' },
      { kind: 'file', path: '/tmp/a/b.YML' },
    ]);
  });
});

describe('the window state', () => {
  const screens = [{ x: 0, y: 0, width: 1920, height: 1040 }];

  it('opens where it was left when that place is on a screen', () => {
    expect(restoreWindowState({ x: 100, y: 80, width: 1000, height: 700, maximized: true }, screens)).toEqual({ x: 100, y: 80, width: 1000, height: 700, maximized: true });
  });

  it('centres a window whose place is off every screen (a monitor was unplugged), keeping its size', () => {
    expect(restoreWindowState({ x: 2500, y: 100, width: 1000, height: 700, maximized: false }, screens)).toEqual({ width: 1000, height: 700, maximized: false });
  });

  it('uses the default for a missing or damaged file', () => {
    expect(restoreWindowState(undefined, screens)).toEqual(DEFAULT_WINDOW);
    expect(restoreWindowState({ width: 'wide', height: 10 }, screens)).toEqual(DEFAULT_WINDOW);
  });
});

describe('sleep and the screen lock', () => {
  function power() {
    const handlers = new Map<string, () => void>();
    return { monitor: { on: (name: string, fn: () => void) => handlers.set(name, fn) }, fire: (name: string) => handlers.get(name)!() };
  }

  it('sends resume and unlock to the scheduler, and tells the preflight whether the screen is locked', () => {
    const p = power();
    const sink = new MemorySink();
    let resumed = 0;
    const state = watchPower(p.monitor as never, { resume: () => resumed++, logger: () => createLogger({ sinks: [sink] }) });
    expect(state.locked()).toBeUndefined();
    p.fire('suspend');
    p.fire('resume');
    expect(resumed).toBe(1);
    p.fire('lock-screen');
    expect(state.locked()).toBe(true);
    expect(resumed).toBe(1);
    p.fire('unlock-screen');
    expect(state.locked()).toBe(false);
    expect(resumed).toBe(2);
    expect(sink.records().map((r) => r.msg)).toEqual([
      'The machine is going to sleep',
      'The machine woke up; due schedules are handled now',
      'The screen was locked; desktop steps wait until it is unlocked',
      'The screen was unlocked',
    ]);
  });
});

describe('quitting and starting at login', () => {
  it('says which runs are still running on quit', () => {
    expect(stillRunningLine([], 'en')).toBeUndefined();
    expect(stillRunningLine([{ id: 'run_1', template: 'daily_report' }], 'en')).toBe('Quitting: waiting for 1 running run to reach a safe point: daily_report (run_1)');
    const many = Array.from({ length: 7 }, (_, i) => ({ id: `run_${i}`, template: 't' }));
    expect(stillRunningLine(many, 'ja')).toBe('終了します。実行中の 7 件が安全な区切りに達するのを待っています: t (run_0), t (run_1), t (run_2), t (run_3), t (run_4) ほか 2 件');
  });

  it('offers start at login in the tray as a checkbox that flips the setting', () => {
    let on = false;
    const menu = trayMenuTemplate('ja', undefined, { open: () => {}, quit: () => {}, startAtLogin: { checked: () => on, set: (v) => (on = v) } });
    const item = menu.find((i) => i.label === 'ログイン時に起動')!;
    expect(item).toMatchObject({ type: 'checkbox', checked: false });
    (item.click as () => void)();
    expect(on).toBe(true);
  });
});
