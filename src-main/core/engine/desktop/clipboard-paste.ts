import { spawn, spawnSync } from 'node:child_process';
import { ActionError, type ActionContext } from '../action-types';
import { pause, pollUntil } from '../action-polling';
import type { Nut } from './nut';

/**
 * Text the keyboard cannot type (Japanese, most symbols) is pasted: put on the clipboard, then
 * Ctrl+V (Cmd+V on macOS) into the focused window, then the clipboard is emptied so typed text
 * (maybe a secret) does not stay there.
 *
 * On Linux with xclip: `xclip -selection clipboard -quiet -verbose` serves the text while it
 * runs and reports each request it answered, so we know when the window took the paste and
 * then end it (an X selection dies with its owner). The text goes through xclip's stdin, never
 * its command line (visible to other users). Without xclip, and on macOS and Windows, nut.js's
 * clipboard provider is used, with a fixed wait before the clipboard is cleared.
 *
 * The target window must paste with Ctrl+V (Cmd+V): GUI apps and browsers do; a terminal such as
 * xterm needs `XTerm*VT100.translations: #override Ctrl<Key>V: insert-selection(CLIPBOARD)`.
 * A clipboard manager may keep its own copy of what passed through the clipboard.
 */

export type PasteVia = 'xclip' | 'clipboard-provider';

const SERVE_TIMEOUT_MS = 3_000;
const SETTLE_MS = 150;
const PROVIDER_WAIT_MS = 300;

let xclipPresent: boolean | undefined;
function hasXclip(): boolean {
  xclipPresent ??= spawnSync('xclip', ['-version'], { stdio: 'ignore' }).error === undefined;
  return xclipPresent;
}

async function pressPaste(nut: Nut, platform: NodeJS.Platform): Promise<void> {
  const modifier = platform === 'darwin' ? nut.Key.LeftCmd : nut.Key.LeftControl;
  await nut.keyboard.pressKey(modifier, nut.Key.V);
  await nut.keyboard.releaseKey(modifier, nut.Key.V);
}

async function pasteWithXclip(ctx: ActionContext, nut: Nut, text: string): Promise<void> {
  const xclip = spawn('xclip', ['-selection', 'clipboard', '-quiet', '-verbose', '-i'], { stdio: ['pipe', 'ignore', 'pipe'] });
  // xclip prints "Waiting for selection request number N" after it answered N-1 requests.
  let waitingFor = 0;
  let lastRequestAt = 0;
  let exited = false;
  xclip.stderr.on('data', (d: Buffer) => {
    for (const m of d.toString().matchAll(/request number (\d+)/g)) {
      waitingFor = Math.max(waitingFor, Number(m[1]));
      lastRequestAt = ctx.clock.now();
    }
  });
  xclip.once('exit', () => (exited = true));
  xclip.once('error', () => (exited = true));
  xclip.stdin.end(text, 'utf8');
  try {
    const ready = await pollUntil(ctx, SERVE_TIMEOUT_MS, async () => (waitingFor >= 1 ? true : exited ? false : undefined), 20);
    if (!ready.value) throw new ActionError('DESKTOP_ACTION_FAILED', 'type_text: xclip could not take the clipboard', true);
    const before = waitingFor;
    await pressPaste(nut, 'linux');
    const served = await pollUntil(ctx, SERVE_TIMEOUT_MS, async () => (waitingFor > before ? true : undefined), 20);
    if (!served.value) {
      throw new ActionError(
        'DESKTOP_PASTE_FAILED',
        `type_text: the focused window did not take the pasted text within ${SERVE_TIMEOUT_MS} ms (does it paste with Ctrl+V? Is a window focused?)`,
        false,
      );
    }
    // A paste may ask twice (the formats offered, then the text): wait until requests stop.
    await pollUntil(ctx, 2_000, async () => (ctx.clock.now() - lastRequestAt >= SETTLE_MS ? true : undefined), 30);
  } finally {
    if (!exited) xclip.kill();
  }
}

async function pasteWithProvider(ctx: ActionContext, nut: Nut, text: string, platform: NodeJS.Platform): Promise<void> {
  await nut.clipboard.setContent(text);
  try {
    await pressPaste(nut, platform);
    await pause(ctx, PROVIDER_WAIT_MS);
  } finally {
    await nut.clipboard.setContent('').catch(() => undefined);
  }
}

export async function pasteText(ctx: ActionContext, nut: Nut, text: string, platform: NodeJS.Platform): Promise<PasteVia> {
  if (platform === 'linux' && hasXclip()) {
    await pasteWithXclip(ctx, nut, text);
    return 'xclip';
  }
  await pasteWithProvider(ctx, nut, text, platform);
  return 'clipboard-provider';
}
