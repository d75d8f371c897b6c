import { spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { actionHarness, type Harness } from '../../../../test-support/action-harness';
import { hasCommand, hasWindow, launchOn, startXvfb, waitForWindow, type XServer } from '../../../../test-support/xvfb';
import { ActionError, type ActionDef, type ActionResult } from '../action-types';
import { systemDesktop } from '../desktop/preflight';
import { createDesktopActions } from './desktop';
import { webActions } from './web';

/**
 * Desktop actions on a real X server (a private Xvfb): text and chords typed into an xterm
 * running `cat > file` are read back from the file; clicks and key chords are read back from
 * xev's event log; screenshots are decoded and compared with what is on the screen.
 */

// Skipped only on a machine without an X server to start or the two test apps (CI installs
// xvfb, xterm and x11-utils: see .ci/run); the no-display checks are in preflight.test.ts too.
const canRun = hasCommand('Xvfb') && hasCommand('xterm') && hasCommand('xev');
let x: XServer;
let h: Harness;
let actions: ActionDef[];
const apps: ChildProcess[] = [];

async function step(name: string, params: unknown, stepIndex = 0): Promise<ActionResult> {
  const action = actions.find((a) => a.name === name)!;
  const ctx = h.ctx(stepIndex);
  return action.run(action.params.parse(params), ctx);
}

function readClipboard(): string {
  return spawnSync('xclip', ['-selection', 'clipboard', '-o'], { env: { ...process.env, DISPLAY: x.display }, timeout: 5_000, encoding: 'utf8' }).stdout;
}

/** What a user copied before the step: xclip keeps serving it (in the background) until another owner takes over. */
function putOnClipboard(text: string): void {
  spawnSync('xclip', ['-selection', 'clipboard', '-i'], { input: text, env: { ...process.env, DISPLAY: x.display }, stdio: ['pipe', 'ignore', 'ignore'], timeout: 5_000 });
  expect(readClipboard()).toBe(text);
}

function launch(cmd: string, args: string[]): ChildProcess {
  const child = launchOn(x, cmd, args);
  apps.push(child);
  return child;
}

// Programs start slowly when both cores are busy: each test has a deadline fit for that, not a wait.
describe.skipIf(!canRun)('desktop actions under Xvfb', { timeout: 120_000 }, () => {
  beforeAll(async () => {
    x = await startXvfb(1024, 768);
    // nut.js opens the display named by DISPLAY on first use.
    process.env.DISPLAY = x.display;
    actions = createDesktopActions(systemDesktop(process.env));
  });
  afterAll(async () => {
    for (const app of apps) app.kill();
    await x?.stop();
  });
  afterEach(async () => {
    await h?.cleanup();
  });

  it('types ASCII by keyboard, Japanese and symbols through the clipboard, and key chords, into an xterm', async () => {
    h = actionHarness();
    const out = join(h.dir, 'typed.txt');
    // xterm pastes the CLIPBOARD with Ctrl+V only with this translation (GUI apps do it by default).
    const term = () => launch('xterm', ['-xrm', 'XTerm*VT100.translations: #override Ctrl<Key>V: insert-selection(CLIPBOARD)', '-u8', '-geometry', '80x10+0+0', '-e', 'sh', '-c', `cat > '${out}'`]);
    // The test app, not the product: in one full CI run an xterm never mapped its window (60 s);
    // a second xterm is started once before the test gives up.
    const first = term();
    await waitForWindow(x, '--class', 'xterm', 30_000).catch(async () => {
      first.kill();
      term();
      await waitForWindow(x, '--class', 'xterm');
    });
    // Without a window manager the keyboard focus follows the pointer.
    expect(await step('mouse_move', { x: 100, y: 60 })).toEqual({ x: 100, y: 60, screen: { width: 1024, height: 768 } });

    expect(await step('type_text', { text: 'Hello, world 123' })).toEqual({ typed_chars: 16, method: 'keyboard' });
    await step('press_keys', { keys: ['Enter'] });
    const japanese = 'こんにちは、世界！ user@example.jp';
    expect(await step('type_text', { text: japanese })).toEqual({ typed_chars: [...japanese].length, method: 'clipboard', via: 'xclip' });
    await step('press_keys', { keys: ['Return'] });
    expect(await step('press_keys', { keys: ['Shift', 'a'] })).toEqual({ pressed: ['Shift', 'A'] });
    await step('press_keys', { keys: ['Enter'] });
    // Ctrl+D ends cat's input: the file is complete and the xterm closes.
    expect(await step('press_keys', { keys: ['Ctrl', 'D'] })).toEqual({ pressed: ['Control', 'D'] });

    await vi.waitFor(() => expect(hasWindow(x, '--class', 'xterm')).toBe(false), { timeout: 5_000 });
    expect(readFileSync(out, 'utf8')).toBe(`Hello, world 123\n${japanese}\nA\n`);
    // The pasted text does not stay on the clipboard.
    // The pasted text leaves the clipboard once the window stopped reading it; the end of the run waits for that.
    await h.endRun();
    expect(readClipboard()).toBe('');
  });

  it('clicks left, right and double at coordinates and presses a chord, as xev sees them', async () => {
    h = actionHarness();
    const xev = launch('xev', ['-geometry', '300x200+400+300']);
    let log = '';
    xev.stdout!.on('data', (d: Buffer) => (log += d.toString()));
    await waitForWindow(x, '--name', 'Event Tester');

    expect(await step('mouse_click', { x: 600, y: 450, button: 'right' })).toEqual({ clicked: true, x: 600, y: 450, button: 'right', double: false });
    await step('mouse_click', { x: 650, y: 460, double: true });
    expect(await step('mouse_click', {})).toMatchObject({ clicked: true, x: 650, y: 460, button: 'left' });
    // A dry run says what it would click and clicks nothing (the list below has no 2@...).
    const click = actions.find((a) => a.name === 'mouse_click')!;
    expect(await click.dryRun!(click.params.parse({ x: 620, y: 470, button: 'middle' }), h.ctx(9, { dryRun: true }))).toEqual({
      would_click: { x: 620, y: 470, button: 'middle', double: false },
    });
    await step('press_keys', { keys: ['Control', 'S'] });

    const presses = () => [...log.matchAll(/ButtonPress event[\s\S]*?root:\((\d+),(\d+)\)[\s\S]*?button (\d+)/g)].map((m) => `${m[3]}@${m[1]},${m[2]}`);
    await vi.waitFor(() => expect(presses()).toEqual(['3@600,450', '1@650,460', '1@650,460', '1@650,460']), { timeout: 5_000 });
    // The S key went down while Control was held (state 0x4 is ControlMask).
    await vi.waitFor(() => expect(log).toMatch(/KeyPress event[\s\S]*?state 0x4, keycode \d+ \(keysym 0x73, s\)/), { timeout: 5_000 });
    // ...and both keys were let go again (a key left down would type into whatever comes next).
    await vi.waitFor(() => expect(log).toMatch(/KeyRelease event[\s\S]*?\(keysym 0x73, s\)/), { timeout: 5_000 });
    await vi.waitFor(() => expect(log).toMatch(/KeyRelease event[\s\S]*?\(keysym 0xffe3, Control_L\)/), { timeout: 5_000 });

    const outside = await step('mouse_move', { x: 2000, y: 10 }).catch((e: ActionError) => e);
    expect(outside).toBeInstanceOf(ActionError);
    expect((outside as ActionError).message).toBe('mouse_move: (2000, 10) is outside the screen (1024x768)');
  });

  it('stores screenshots as PNGs of the screen size, with what is on the screen', async () => {
    h = actionHarness();
    launch('xterm', ['-geometry', '40x10+600+0', '-bg', '#ff0000', '-e', 'sleep', '60']);
    await waitForWindow(x, '--class', 'xterm');

    const full = await step('screenshot', { name: 'screen' });
    expect(full).toMatchObject({ artifact: 'screen.png', width: 1024, height: 768 });
    const png = PNG.sync.read(readFileSync(join(h.artifacts.dir, 'screen.png')));
    expect([png.width, png.height]).toEqual([1024, 768]);
    const pixel = (img: PNG, px: number, py: number) => [...img.data.subarray((py * img.width + px) * 4, (py * img.width + px) * 4 + 4)];
    expect(pixel(png, 700, 100)).toEqual([255, 0, 0, 255]); // inside the red xterm
    expect(pixel(png, 100, 700)).toEqual([0, 0, 0, 255]); // the black root window

    const region = await step('screenshot', { name: 'corner', region: { x: 590, y: 0, width: 40, height: 30 } });
    expect(region).toMatchObject({ width: 40, height: 30 });
    const part = PNG.sync.read(readFileSync(join(h.artifacts.dir, region.artifact as string)));
    expect([part.width, part.height]).toEqual([40, 30]);
    expect(pixel(part, 5, 15)).toEqual([0, 0, 0, 255]);
    expect(pixel(part, 30, 15)).toEqual([255, 0, 0, 255]);
    expect(h.artifacts.refs.map((r) => r.kind)).toEqual(['screenshot', 'screenshot']);

    const tooBig = await step('screenshot', { region: { x: 1000, y: 0, width: 100, height: 10 } }).catch((e: ActionError) => e);
    expect((tooBig as ActionError).code).toBe('INVALID_REGION');

    // The runner's failure screenshot.
    const shot = await actions[0].captureScreenshot!(h.ctx(4));
    expect(shot).toMatchObject({ name: 'step-4.png', kind: 'screenshot' });
    expect(PNG.sync.read(readFileSync(join(h.artifacts.dir, 'step-4.png'))).width).toBe(1024);
  });

  // Starting a visible Chromium takes 10-20 s on a loaded 2-core machine: a deadline, not a wait.
  // Chromium reads the clipboard twice on Ctrl+V: once for the page's paste event, once to insert
  // after the page's handler has run. A slow handler (here 400 ms of work; a loaded machine does
  // the same) puts time between the two reads: the paste must still insert the text, and the
  // clipboard gets back what it held before.
  it('types into a visible Chromium window: keyboard text and a Japanese paste (slow paste handler) that a web check then reads; the clipboard gets its text back', { timeout: 120_000 }, async () => {
    h = actionHarness();
    const web = async (name: string, params: unknown, stepIndex: number) => {
      const action = webActions.find((a) => a.name === name)!;
      return action.run(action.params.parse(params), h.ctx(stepIndex));
    };
    const slowPaste = 'const end = Date.now() + 400; while (Date.now() < end) {}';
    const html = `<textarea id="t" style="width:95%;height:400px" onpaste="${slowPaste}" oninput="document.getElementById('o').textContent = this.value"></textarea><p id="o"></p>`;
    const previous = 'what the user had copied: 前の内容';
    putOnClipboard(previous);
    expect(await web('open_browser', { url: `data:text/html;charset=utf-8,${encodeURIComponent(html)}`, visible: true }, 0)).toMatchObject({ visible: true });
    await waitForWindow(x, '--class', 'chromium');
    const geometry = spawnSync('xdotool', ['search', '--onlyvisible', '--class', 'chromium', 'getwindowgeometry'], { env: { ...process.env, DISPLAY: x.display }, encoding: 'utf8' }).stdout;
    const [, wx, wy] = /Position: (\d+),(\d+)/.exec(geometry)!.map(Number);
    // Below the browser's toolbar, inside the 400 px high text area.
    await step('mouse_click', { x: wx + 100, y: wy + 250 }, 1);
    expect(await step('type_text', { text: 'abc 123 ' }, 2)).toMatchObject({ method: 'keyboard' });
    const japanese = 'お問い合わせ：東京都千代田区 @2026!';
    expect(await step('type_text', { text: japanese }, 3)).toMatchObject({ method: 'clipboard', via: 'xclip' });
    expect(await web('assert_text', { contains: `abc 123 ${japanese}`, timeout_ms: 5_000 }, 4)).toMatchObject({ passed: true });
    await h.endRun();
    expect(readClipboard()).toBe(previous);
  });

  it('fails every desktop step with DESKTOP_UNAVAILABLE when there is no display, without loading a display', async () => {
    h = actionHarness();
    const noDisplay = createDesktopActions(systemDesktop({}, 'linux'));
    for (const [name, params] of [
      ['mouse_move', { x: 1, y: 1 }],
      ['type_text', { text: 'secret-text' }],
      ['screenshot', {}],
    ] as const) {
      const action = noDisplay.find((a) => a.name === name)!;
      const e = await action.run(action.params.parse(params), h.ctx()).catch((err: unknown) => err);
      expect(e).toBeInstanceOf(ActionError);
      expect(e).toMatchObject({ code: 'DESKTOP_UNAVAILABLE', retryable: true, message: 'DESKTOP_UNAVAILABLE: no display (DISPLAY is not set)' });
    }
    expect(await noDisplay[0].captureScreenshot!(h.ctx())).toBeUndefined();

    const wayland = createDesktopActions(systemDesktop({ WAYLAND_DISPLAY: 'wayland-0' }, 'linux'))[0];
    const w = (await wayland.run(wayland.params.parse({ x: 1, y: 1 }), h.ctx()).catch((err: unknown) => err)) as ActionError;
    expect(w.message).toContain('DESKTOP_UNAVAILABLE: no X display in this Wayland session');

    // A DISPLAY with no server behind it fails the same way instead of crashing the process.
    let free = 200;
    while (existsSync(`/tmp/.X11-unix/X${free}`)) free++;
    const dead = createDesktopActions(systemDesktop({ DISPLAY: `:${free}` }, 'linux'))[0];
    const d = (await dead.run(dead.params.parse({ x: 1, y: 1 }), h.ctx()).catch((err: unknown) => err)) as ActionError;
    expect(d).toMatchObject({ code: 'DESKTOP_UNAVAILABLE', message: `DESKTOP_UNAVAILABLE: cannot connect to display :${free} (no X server is listening)` });
  });

  it('rejects unknown key names at validation, listing the valid ones', () => {
    const press = actions.find((a) => a.name === 'press_keys')!;
    const r = press.params.safeParse({ keys: ['Ctrl+S'] });
    expect(r.success).toBe(false);
    const message = r.error!.issues[0].message;
    expect(message).toContain("unknown key 'Ctrl+S' (write a chord as a list: [\"Ctrl\",\"S\"])");
    expect(message).toContain('valid keys: Control, Shift, Alt, Meta (Cmd/Win/Super)');
  });
});
