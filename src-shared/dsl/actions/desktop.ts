import { z } from 'zod';
import { defineActionSpec } from '../action-spec';
import { bool, int, nonEmpty, oneOf, text } from '../params';

/**
 * Desktop actions (nut.js, SPEC section 3). Schemas here; implementations are `desktopActions`
 * in src-main/core/engine/actions/desktop.ts. `wait {ms}` is a control action (it needs no display).
 */

const coord = int(0, 100_000, 'a pixel coordinate');
const screenshot = bool().optional();

export const mouseMove = defineActionSpec({
  name: 'mouse_move',
  family: 'desktop',
  summary: 'Move the mouse pointer',
  params: z.strictObject({ x: coord, y: coord, screenshot }),
  idempotent: true,
  mutating: false,
  results: ['x', 'y'],
});

export const mouseClick = defineActionSpec({
  name: 'mouse_click',
  family: 'desktop',
  summary: 'Click at a point on the screen',
  params: z.strictObject({ x: coord, y: coord, button: oneOf(['left', 'right', 'middle']).default('left'), double: bool().default(false), screenshot }),
  idempotent: false,
  mutating: false,
  results: ['x', 'y', 'button'],
});

export const typeText = defineActionSpec({
  name: 'type_text',
  family: 'desktop',
  summary: 'Type text with the keyboard (Japanese included)',
  params: z.strictObject({ text: text(100_000, 'the text to type'), screenshot }),
  idempotent: false,
  mutating: false,
  results: ['typed'],
});

export const pressKeys = defineActionSpec({
  name: 'press_keys',
  family: 'desktop',
  summary: 'Press a key combination, e.g. ["Control", "S"]',
  params: z.strictObject({ keys: z.array(nonEmpty(40, 'a key name'), { error: 'expected a list of keys, e.g. ["Control", "S"]' }).min(1).max(10), screenshot }),
  idempotent: false,
  mutating: false,
  results: ['keys'],
});

export const screenshotAction = defineActionSpec({
  name: 'screenshot',
  family: 'desktop',
  summary: "Screenshot of the screen (or a region) into the run's artifacts",
  params: z.strictObject({
    name: nonEmpty(200, 'a file name').optional(),
    region: z.strictObject({ x: coord, y: coord, width: int(1, 100_000), height: int(1, 100_000) }).optional(),
  }),
  idempotent: true,
  mutating: false,
  results: ['artifact', 'width', 'height'],
});

export const DESKTOP_ACTION_SPECS = [mouseMove, mouseClick, typeText, pressKeys, screenshotAction] as const;
