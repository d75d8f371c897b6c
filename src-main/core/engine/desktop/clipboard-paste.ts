import { ActionError, type ActionContext } from '../action-types';
import { pause, pollUntil } from '../action-polling';
import type { Nut } from './nut';
import { hasXclip, readClipboard, serveClipboard, type ClipboardServer } from './x-clipboard';

/**
 * Text the keyboard cannot type (Japanese, most symbols) is pasted: put on the clipboard, then
 * Ctrl+V (Cmd+V on macOS) into the focused window; afterwards the clipboard gets back the text it
 * held before (or is left empty), so typed text (maybe a secret) does not stay there.
 *
 * On Linux with xclip (x-clipboard.ts), each wait is for a condition:
 * 1. the clipboard really holds our text (read back) before the key is pressed;
 * 2. after the key, the window asked for the text (else DESKTOP_PASTE_FAILED);
 * 3. the window stopped asking. X has no "paste finished" signal, and one paste may read the
 *    clipboard more than once: Chromium reads it for the page's paste event and again to insert,
 *    with the page's handler in between (seen 0.2 s apart idle, 0.6 s on a loaded machine with a
 *    busy handler). So the step ends once the window has been quiet for STEP_QUIET_MS, and our
 *    text stays on the clipboard until it has been quiet for HOLD_QUIET_MS; only then does the
 *    earlier text come back. The next paste, and the end of the run, wait for that.
 * Without xclip, and on macOS and Windows, nut.js's clipboard provider is used: the text is read
 * back before the key too, but there is no way to see the window read it, so a fixed wait follows.
 *
 * The target window must paste with Ctrl+V (Cmd+V): GUI apps and browsers do; a terminal such as
 * xterm needs `XTerm*VT100.translations: #override Ctrl<Key>V: insert-selection(CLIPBOARD)`.
 * Only text comes back to the clipboard (an image copied before is not restored), and a clipboard
 * manager may keep its own copy of what passed through the clipboard.
 */

export type PasteVia = 'xclip' | 'clipboard-provider';

const SERVE_TIMEOUT_MS = 3_000;
const READ_TIMEOUT_MS = 1_000;
const STEP_QUIET_MS = 300;
const HOLD_QUIET_MS = 3_000;
/** However busy the window stays, our text leaves the clipboard after this. */
const MAX_HOLD_MS = 30_000;
const PROVIDER_WAIT_MS = 300;

export interface Paster {
  paste(ctx: ActionContext, nut: Nut, text: string, platform: NodeJS.Platform): Promise<PasteVia>;
}

async function pressPaste(nut: Nut, platform: NodeJS.Platform): Promise<void> {
  const modifier = platform === 'darwin' ? nut.Key.LeftCmd : nut.Key.LeftControl;
  await nut.keyboard.pressKey(modifier, nut.Key.V);
  await nut.keyboard.releaseKey(modifier, nut.Key.V);
}

/** Not aborted by the step's cancel: giving the clipboard back must happen anyway. */
const uncancellable = (ctx: ActionContext) => ({ clock: ctx.clock, signal: new AbortController().signal });

const quietFor = (ctx: ActionContext, server: ClipboardServer, ms: number) => async () => (server.exited() || ctx.clock.now() - server.lastRequestAt() >= ms ? true : undefined);

/** The clipboard is one per display: one paste at a time, each after the previous gave it back. */
export function createPaster(): Paster {
  let settling: Promise<void> = Promise.resolve();

  /** Puts the earlier text back; a later paste reads it from there, so wait until it is there. */
  const restore = async (ctx: ActionContext, previous: string | undefined): Promise<void> => {
    if (!previous) return;
    const restored = serveClipboard(previous, () => ctx.clock.now(), { detached: true });
    const back = await pollUntil(uncancellable(ctx), SERVE_TIMEOUT_MS, async () => (restored.exited() ? false : (await readClipboard(READ_TIMEOUT_MS)) === previous ? true : undefined), 20);
    if (!back.value) ctx.logger.warn('type_text: the clipboard could not be given back its earlier text; it is empty');
  };

  const release = async (ctx: ActionContext, server: ClipboardServer, previous: string | undefined, pressedAt: number): Promise<void> => {
    await pollUntil(uncancellable(ctx), MAX_HOLD_MS, quietFor(ctx, server, HOLD_QUIET_MS), 50);
    ctx.logger.debug('type_text: the pasted text left the clipboard', { reads: server.contentRequests(), lastReadMs: server.lastRequestAt() - pressedAt });
    server.stop();
    await restore(ctx, previous);
  };

  const pasteWithXclip = async (ctx: ActionContext, nut: Nut, text: string): Promise<void> => {
    const previous = await readClipboard(READ_TIMEOUT_MS);
    const server = serveClipboard(text, () => ctx.clock.now());
    let pressedAt: number | undefined;
    try {
      const held = await pollUntil(ctx, SERVE_TIMEOUT_MS, async () => (server.exited() ? false : (await readClipboard(READ_TIMEOUT_MS)) === text ? true : undefined), 20);
      if (!held.value) throw new ActionError('DESKTOP_ACTION_FAILED', 'type_text: xclip could not take the clipboard', true);
      // The read-back was a request too: count from after it.
      await pollUntil(ctx, SERVE_TIMEOUT_MS, async () => (server.contentRequests() >= 1 ? true : undefined), 10);
      const before = server.contentRequests();
      pressedAt = ctx.clock.now();
      await pressPaste(nut, 'linux');
      const asked = await pollUntil(ctx, SERVE_TIMEOUT_MS, async () => (server.contentRequests() > before ? true : undefined), 20);
      if (!asked.value) {
        throw new ActionError(
          'DESKTOP_PASTE_FAILED',
          `type_text: the focused window did not take the pasted text within ${SERVE_TIMEOUT_MS} ms (does it paste with Ctrl+V? Is a window focused?)`,
          false,
        );
      }
      await pollUntil(ctx, MAX_HOLD_MS, quietFor(ctx, server, STEP_QUIET_MS), 30);
    } catch (e) {
      server.stop();
      await restore(ctx, previous);
      throw e;
    }
    settling = release(ctx, server, previous, pressedAt ?? ctx.clock.now()).catch(() => undefined);
    ctx.onRunEnd(() => settling);
  };

  const pasteWithProvider = async (ctx: ActionContext, nut: Nut, text: string, platform: NodeJS.Platform): Promise<void> => {
    const previous = await nut.clipboard.getContent().catch(() => '');
    await nut.clipboard.setContent(text);
    try {
      const held = await pollUntil(ctx, SERVE_TIMEOUT_MS, async () => ((await nut.clipboard.getContent().catch(() => '')) === text ? true : undefined), 20);
      if (!held.value) throw new ActionError('DESKTOP_ACTION_FAILED', 'type_text: the clipboard did not take the text to paste', true);
      await pressPaste(nut, platform);
      await pause(ctx, PROVIDER_WAIT_MS);
    } finally {
      await nut.clipboard.setContent(previous).catch(() => undefined);
    }
  };

  return {
    async paste(ctx, nut, text, platform) {
      await settling;
      if (platform === 'linux' && hasXclip()) {
        await pasteWithXclip(ctx, nut, text);
        return 'xclip';
      }
      await pasteWithProvider(ctx, nut, text, platform);
      return 'clipboard-provider';
    },
  };
}
