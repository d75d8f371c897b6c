import { defineActionSpec } from '../action-spec';
import { mouseClickParams, mouseMoveParams, pressKeysParams, screenshotParams, typeTextParams } from './desktop-params';

/**
 * Desktop actions (nut.js, SPEC section 3): what validation and the pre-run risk check know. The
 * implementations are `desktopActions` in src-main/core/engine/actions/desktop.ts, built on the same
 * schemas (desktop-params.ts). `wait {ms}` is a control action (it needs no display).
 */

export const mouseMove = defineActionSpec({
  name: 'mouse_move',
  family: 'desktop',
  summary: 'Moves the mouse pointer to screen coordinates',
  params: mouseMoveParams,
  idempotent: true,
  mutating: true,
});

export const mouseClick = defineActionSpec({
  name: 'mouse_click',
  family: 'desktop',
  summary: 'Clicks (or double-clicks) a mouse button at screen coordinates or where the pointer is',
  params: mouseClickParams,
  idempotent: false,
  mutating: true,
  risk: (p) => ({ level: 'medium', reason: `clicks the ${p.button} button at ${p.x === undefined ? 'the pointer' : `(${p.x}, ${p.y})`}; what is there is only known at run time` }),
});

export const typeText = defineActionSpec({
  name: 'type_text',
  family: 'desktop',
  summary: 'Types text into the focused window (Japanese and symbols through the clipboard)',
  params: typeTextParams,
  idempotent: false,
  mutating: true,
  risk: () => ({ level: 'low', reason: 'types into whichever window has the focus at run time' }),
});

export const pressKeys = defineActionSpec({
  name: 'press_keys',
  family: 'desktop',
  summary: 'Presses a key or a chord (keys held together, e.g. ["Control", "S"]), then releases it',
  params: pressKeysParams,
  idempotent: false,
  mutating: true,
  risk: (p) => ({ level: 'low', reason: `presses ${p.keys.join('+')} in whichever window has the focus at run time` }),
});

export const screenshotAction = defineActionSpec({
  name: 'screenshot',
  family: 'desktop',
  summary: 'Stores a PNG of the screen (or a region of it) as an artifact',
  params: screenshotParams,
  idempotent: true,
  mutating: false,
});

export const DESKTOP_ACTION_SPECS = [mouseMove, mouseClick, typeText, pressKeys, screenshotAction] as const;
