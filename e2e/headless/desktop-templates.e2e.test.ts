import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasCommand, hasWindow, launchOn, startXvfb, waitForWindow, type XServer } from '../../test-support/xvfb';
import { startAgentServer, type AgentServer } from '../support/serve-api';

/**
 * Desktop templates end to end (issue 5): a real `serve` whose engine drives a private Xvfb
 * display through nut.js. Text and chords typed by a template into an xterm running `cat > file`
 * are read back from the file; the `screenshot` artifact is fetched over the API and decoded. A
 * `serve` without a display fails desktop steps with DESKTOP_UNAVAILABLE, which the queue retries.
 */

// Skipped only on a machine without an X server to start or the test apps (CI installs xvfb,
// xterm, xdotool and xclip: see .ci/run); the no-display case needs none of them and always runs.
const canDrive = hasCommand('Xvfb') && hasCommand('xterm') && hasCommand('xdotool') && hasCommand('xclip');
const SLOW = { timeout: 150_000 };

const template = (name: string, steps: string, retry = '{ max_attempts: 1 }') => `dsl_version: "1.1"
name: "${name}"
execution:
  retry: ${retry}
steps:
${steps}`;

const pixel = (img: PNG, x: number, y: number) => [...img.data.subarray((y * img.width + x) * 4, (y * img.width + x) * 4 + 4)];

describe.skipIf(!canDrive)('a desktop template on an X display', SLOW, () => {
  let x: XServer;
  let agent: AgentServer;
  let work: string;
  const apps: ChildProcess[] = [];

  beforeAll(async () => {
    x = await startXvfb(1024, 768);
    agent = await startAgentServer({ env: { DISPLAY: x.display, WAYLAND_DISPLAY: undefined } });
    work = mkdtempSync(join(tmpdir(), 'da-desktop-e2e-'));
  }, 60_000);
  afterAll(async () => {
    await agent?.cleanup();
    for (const app of apps) app.kill();
    await x?.stop();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('types ASCII and Japanese text and key chords into an xterm, and stores a screenshot of the screen', async () => {
    const out = join(work, 'typed.txt');
    // A red xterm at the top left; it pastes the CLIPBOARD on Ctrl+V (GUI apps do that by default).
    apps.push(
      launchOn(x, 'xterm', ['-xrm', 'XTerm*VT100.translations: #override Ctrl<Key>V: insert-selection(CLIPBOARD)', '-u8', '-bg', '#ff0000', '-geometry', '80x10+0+0', '-e', 'sh', '-c', `cat > '${out}'`]),
    );
    await waitForWindow(x, '--class', 'xterm');
    const japanese = 'こんにちは、世界！ 請求書_2026年.pdf';

    const id = await agent.enqueue(
      template(
        'デスクトップ入力',
        // Without a window manager the keyboard focus follows the pointer.
        `  - mouse_move: { x: 100, y: 60 }
  - type_text: { text: "Hello, world 123" }
  - press_keys: { keys: [Enter] }
  - type_text: { text: "${japanese}" }
  - press_keys: { keys: [Return] }
  - press_keys: { keys: [Shift, a] }
  - press_keys: { keys: [Enter] }
  - screenshot: { name: screen }
  - press_keys: { keys: [Ctrl, D] }
`,
      ),
    );
    const run = await agent.waitForRun(id);
    expect(run.status, run.error ?? '').toBe('succeeded');
    const results = run.steps.map((s) => s.result);
    expect(results[0]).toEqual({ x: 100, y: 60, screen: { width: 1024, height: 768 } });
    expect(results[1]).toEqual({ typed_chars: 16, method: 'keyboard' });
    expect(results[3]).toEqual({ typed_chars: [...japanese].length, method: 'clipboard', via: 'xclip' });
    expect(results[5]).toEqual({ pressed: ['Shift', 'A'] });
    expect(results[8]).toEqual({ pressed: ['Control', 'D'] });

    // Ctrl+D ended cat's input: the file is complete and the xterm is gone.
    const deadline = Date.now() + 30_000;
    while (hasWindow(x, '--class', 'xterm') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(hasWindow(x, '--class', 'xterm')).toBe(false);
    expect(readFileSync(out, 'utf8')).toBe(`Hello, world 123\n${japanese}\nA\n`);

    expect(results[7]).toMatchObject({ artifact: 'screen.png', width: 1024, height: 768 });
    expect(run.steps[7]!.artifacts).toEqual([expect.objectContaining({ name: 'screen.png', kind: 'screenshot', contentType: 'image/png' })]);
    const shot = await agent.artifact(run.id, 'screen.png');
    expect(shot.status).toBe(200);
    const png = PNG.sync.read(shot.body);
    expect([png.width, png.height]).toEqual([1024, 768]);
    expect(pixel(png, 400, 120)).toEqual([255, 0, 0, 255]); // the xterm, below the typed lines
    expect(pixel(png, 700, 600)).toEqual([0, 0, 0, 255]); // the black root window
  });
});

describe('a desktop template without a display', SLOW, () => {
  let agent: AgentServer;

  beforeAll(async () => {
    agent = await startAgentServer({ env: { DISPLAY: undefined, WAYLAND_DISPLAY: undefined } });
  }, 60_000);
  afterAll(async () => {
    await agent?.cleanup();
  });

  const steps = '  - type_text: { text: "hello" }\n';
  const reason = 'DESKTOP_UNAVAILABLE: no display (DISPLAY is not set)';

  it('fails with DESKTOP_UNAVAILABLE: no display, and nothing else happens', async () => {
    const run = await agent.waitForRun(await agent.enqueue(template('画面なし', steps)));
    expect(run).toMatchObject({ status: 'failed', error_code: 'DESKTOP_UNAVAILABLE', error: `steps[0] type_text: ${reason}` });
    expect(run.steps[0]).toMatchObject({ status: 'failed', error: reason, error_code: 'DESKTOP_UNAVAILABLE', artifacts: [] });
    expect(existsSync(join(agent.dataDir, 'artifacts', run.id))).toBe(false);
  });

  it('is retried later under a retry policy (retry_wait), even though typing is not idempotent', async () => {
    const id = await agent.enqueue(template('画面なし（再試行）', steps, '{ max_attempts: 3, backoff_ms: 120000, jitter: 0 }'));
    const run = await agent.waitForRun(id, (r) => r.status !== 'queued' && r.status !== 'running');
    expect(run).toMatchObject({ status: 'retry_wait', error_code: 'DESKTOP_UNAVAILABLE', attempts: 1 });
    expect(run.attempt_history).toEqual([expect.objectContaining({ attempt: 1, status: 'failed', error: `steps[0] type_text: ${reason}`, error_code: 'DESKTOP_UNAVAILABLE' })]);
    // The next attempt is due after the backoff (2 minutes, no jitter).
    expect(Date.parse(run.available_at!) - Date.parse(run.attempt_history[0]!.finished_at!)).toBe(120_000);
    expect((await agent.api('POST', `/api/runs/${id}/cancel`)).json).toEqual({ id, status: 'cancelled' });
  });
});
