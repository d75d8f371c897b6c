import { ActionError, type ActionContext, type ActionDef, type ArtifactRef } from '../action-types';
import { throwIfAborted } from '../action-polling';
import { createPaster } from '../desktop/clipboard-paste';
import { typeWithKeyboard, typingMethod } from '../desktop/typing';
import { keyEntry, nutKeyName } from '../desktop/keys';
import { loadNut, type Nut } from '../desktop/nut';
import { imageToPng } from '../desktop/png';
import { desktopPreflight, systemDesktop, unavailable, type DesktopSystem, type PreflightResult } from '../desktop/preflight';
import * as spec from '@shared/dsl/actions/desktop';
import { implement } from './implement';

/**
 * Desktop actions over nut.js (SPEC section 3): mouse, keyboard, screenshots. Every step first
 * runs the preflight (display, lock, screen size → DESKTOP_UNAVAILABLE, retryable), and nut.js is
 * loaded only then. `wait {ms}` is the engine's control action, not defined here.
 *
 * Typed text never appears in results: they say how many characters were typed and how
 * (desktop/typing.ts: key by key, or pasted through the clipboard).
 */

interface Desktop {
  nut: Nut;
  screen: PreflightResult;
}

function screenSizeOf(): () => Promise<{ width: number; height: number }> {
  return async () => {
    const nut = await loadNut();
    return { width: await nut.screen.width(), height: await nut.screen.height() };
  };
}

function inside(action: string, screen: PreflightResult, x: number, y: number): void {
  if (x >= screen.width || y >= screen.height) {
    throw new ActionError('INVALID_COORDINATES', `${action}: (${x}, ${y}) is outside the screen (${screen.width}x${screen.height})`, false, { x, y, screen: { width: screen.width, height: screen.height } });
  }
}

/** Builds the desktop family against a system (the real one by default; tests pass one without a display). */
export function createDesktopActions(sys: DesktopSystem = systemDesktop()): ActionDef[] {
  const paster = createPaster();
  async function desktop<T>(ctx: ActionContext, action: string, fn: (d: Desktop) => Promise<T>): Promise<T> {
    throwIfAborted(ctx);
    // Nothing was moved, clicked or typed yet: a retry later is safe even for typing.
    const screen = await desktopPreflight(sys, screenSizeOf()).catch((e: unknown) => {
      throw e instanceof ActionError ? e.beforeAnyEffect() : e;
    });
    const nut = await loadNut();
    throwIfAborted(ctx);
    try {
      return await fn({ nut, screen });
    } catch (e) {
      if (e instanceof ActionError) throw e;
      const message = (e as Error)?.message ?? String(e);
      if (/accessibility|permission/i.test(message)) {
        throw unavailable(`the OS does not allow this app to control the mouse and keyboard (${message}); on macOS allow it under System Settings › Privacy & Security › Accessibility`);
      }
      throw new ActionError('DESKTOP_ACTION_FAILED', `${action}: ${message.split('\n')[0]}`, false);
    }
  }

  /**
   * The screenshot capability (ActionDef.captureScreenshot): the whole screen as `step-<index>.png`
   * (kind `screenshot`). The runner calls it after a failed step (and after `screenshot: true`
   * steps) and links the artifact from the step record. Never throws: undefined without a display.
   */
  async function captureScreenshot(ctx: ActionContext): Promise<ArtifactRef | undefined> {
    try {
      await desktopPreflight(sys, screenSizeOf());
      const nut = await loadNut();
      return await ctx.artifacts.write(`step-${ctx.stepIndex}.png`, imageToPng(await nut.screen.grab()), 'image/png', 'screenshot');
    } catch {
      return undefined;
    }
  }

  const mouseMove = implement(spec.mouseMove, {
    async run(p, ctx) {
      return desktop(ctx, 'mouse_move', async ({ nut, screen }) => {
        inside('mouse_move', screen, p.x, p.y);
        await nut.mouse.setPosition(new nut.Point(p.x, p.y));
        return { x: p.x, y: p.y, screen: { width: screen.width, height: screen.height } };
      });
    },
    async dryRun(p, ctx) {
      return desktop(ctx, 'mouse_move', async ({ screen }) => {
        inside('mouse_move', screen, p.x, p.y);
        return { would_move: { x: p.x, y: p.y } };
      });
    },
    captureScreenshot,
  });

  const mouseClick = implement(spec.mouseClick, {
    async run(p, ctx) {
      return desktop(ctx, 'mouse_click', async ({ nut, screen }) => {
        if (p.x !== undefined && p.y !== undefined) {
          inside('mouse_click', screen, p.x, p.y);
          await nut.mouse.setPosition(new nut.Point(p.x, p.y));
        }
        const at = await nut.mouse.getPosition();
        const button = { left: nut.Button.LEFT, right: nut.Button.RIGHT, middle: nut.Button.MIDDLE }[p.button];
        if (p.double) await nut.mouse.doubleClick(button);
        else await nut.mouse.click(button);
        return { clicked: true, x: at.x, y: at.y, button: p.button, double: p.double };
      });
    },
    async dryRun(p, ctx) {
      return desktop(ctx, 'mouse_click', async ({ screen }) => {
        if (p.x !== undefined && p.y !== undefined) inside('mouse_click', screen, p.x, p.y);
        return { would_click: { x: p.x, y: p.y, button: p.button, double: p.double } };
      });
    },
    captureScreenshot,
  });

  const typeText = implement(spec.typeText, {
    async run(p, ctx) {
      return desktop(ctx, 'type_text', async ({ nut }) => {
        const method = typingMethod(p.text);
        const chars = [...p.text].length;
        if (method === 'keyboard') {
          await typeWithKeyboard(ctx, nut, p.text);
          return { typed_chars: chars, method };
        }
        return { typed_chars: chars, method, via: await paster.paste(ctx, nut, p.text, sys.platform) };
      });
    },
    async dryRun(p, ctx) {
      return desktop(ctx, 'type_text', async () => ({ would_type_chars: [...p.text].length, method: typingMethod(p.text) }));
    },
    captureScreenshot,
  });

  const pressKeys = implement(spec.pressKeys, {
    async run(p, ctx) {
      return desktop(ctx, 'press_keys', async ({ nut }) => {
        const keys = p.keys.map((k) => nut.Key[nutKeyName(k, sys.platform) as keyof typeof nut.Key]);
        // nut.js takes the last key as the key and the others as modifiers, for press and release alike.
        await nut.keyboard.pressKey(...keys);
        await nut.keyboard.releaseKey(...keys);
        return { pressed: p.keys.map((k) => keyEntry(k)!.name) };
      });
    },
    async dryRun(p, ctx) {
      return desktop(ctx, 'press_keys', async () => ({ would_press: p.keys.map((k) => keyEntry(k)!.name) }));
    },
    captureScreenshot,
  });

  const screenshot = implement(spec.screenshotAction, {
    async run(p, ctx) {
      return desktop(ctx, 'screenshot', async ({ nut, screen }) => {
        const r = p.region;
        if (r && (r.x + r.width > screen.width || r.y + r.height > screen.height)) {
          throw new ActionError('INVALID_REGION', `screenshot: the region ${r.width}x${r.height} at (${r.x}, ${r.y}) does not fit the screen (${screen.width}x${screen.height})`, false);
        }
        const image = r ? await nut.screen.grabRegion(new nut.Region(r.x, r.y, r.width, r.height)) : await nut.screen.grab();
        const name = p.name ? (/\.png$/i.test(p.name) ? p.name : `${p.name}.png`) : `screen-step-${ctx.stepIndex}.png`;
        const ref = await ctx.artifacts.write(name, imageToPng(image), 'image/png', 'screenshot');
        return { artifact: ref.name, bytes: ref.bytes, width: image.width, height: image.height };
      });
    },
    captureScreenshot,
  });

  return [mouseMove, mouseClick, typeText, pressKeys, screenshot];
}

/** The desktop family on this machine, for the engine's action registry. */
export const desktopActions: ActionDef[] = createDesktopActions();
