import type { ActionContext } from '../action-types';
import { throwIfAborted } from '../action-polling';
import type { Nut } from './nut';

/**
 * How type_text types. nut.js types letters, digits, space and unshifted punctuation reliably,
 * but on X11 (seen on Xvfb's US layout) it drops the Shift of shifted symbols (@ ! : ...) and
 * types something else for Japanese. So: text made only of keyboard-safe
 * characters (plus newline and tab) is typed key by key; anything else is pasted whole through
 * the clipboard (clipboard-paste.ts).
 */
const KEYBOARD_SAFE = /^[A-Za-z0-9 `\-=[\]\\;',./\n\t]*$/;
/** Typed in pieces so a cancel stops a long text within one piece. */
const CHUNK = 24;

export function typingMethod(text: string): 'keyboard' | 'clipboard' {
  return KEYBOARD_SAFE.test(text) ? 'keyboard' : 'clipboard';
}

export async function typeWithKeyboard(ctx: ActionContext, nut: Nut, text: string): Promise<void> {
  for (const piece of text.split(/(\n|\t)/)) {
    throwIfAborted(ctx);
    if (piece === '\n' || piece === '\t') {
      const key = piece === '\n' ? nut.Key.Return : nut.Key.Tab;
      await nut.keyboard.pressKey(key);
      await nut.keyboard.releaseKey(key);
      continue;
    }
    for (let i = 0; i < piece.length; i += CHUNK) {
      throwIfAborted(ctx);
      await nut.keyboard.type(piece.slice(i, i + CHUNK));
    }
  }
}

