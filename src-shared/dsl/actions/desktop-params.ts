import { z } from 'zod';
import { chordProblems } from './desktop-keys';

/**
 * Params of the desktop actions (SPEC section 3), with the SPEC's names; plain TS shared by the
 * validator and, through the specs of desktop.ts, the implementations. Every action but
 * `screenshot` takes `screenshot: true` to keep a picture of the screen after the step. `wait {ms}` is the
 * engine's generic control action and is not defined here. Coordinates are screen pixels from
 * the top-left corner of the primary screen.
 */

const screenshot = z.boolean().optional();
const coordinate = z.number().int('coordinates are whole pixels').min(0, 'coordinates start at 0');

export const mouseMoveParams = z.strictObject({ screenshot, x: coordinate, y: coordinate });

export const mouseClickParams = z
  .strictObject({
    screenshot,
    /** Omit both to click where the pointer is. */
    x: coordinate.optional(),
    y: coordinate.optional(),
    button: z.enum(['left', 'right', 'middle']).default('left'),
    double: z.boolean().default(false),
  })
  .refine((p) => (p.x === undefined) === (p.y === undefined), { message: 'mouse_click needs both x and y, or neither (click where the pointer is)' });

export const typeTextParams = z.strictObject({ screenshot, text: z.string().min(1, 'text must not be empty') });

export const pressKeysParams = z.strictObject({
  screenshot,
  keys: z
    .array(z.string().min(1))
    .min(1, 'keys lists the keys of one chord, e.g. ["Control", "S"]')
    .max(6, 'a chord has at most 6 keys')
    .superRefine((keys, ctx) => {
      for (const message of chordProblems(keys)) ctx.addIssue({ code: 'custom', message });
    }),
});

export const screenshotParams = z.strictObject({
  name: z.string().regex(/^[^/\\]{1,100}$/, 'name is a file name without / or \\').optional(),
  region: z
    .strictObject({
      x: coordinate,
      y: coordinate,
      width: z.number().int().min(1),
      height: z.number().int().min(1),
    })
    .optional(),
});

export type MouseClickParams = z.output<typeof mouseClickParams>;
export type ScreenshotParams = z.output<typeof screenshotParams>;
