import { z } from 'zod';

/**
 * Building blocks of action param schemas. Params are validated twice with the same schema:
 * statically (a value that is still a `{{ … }}` template is skipped there) and after rendering,
 * just before the step runs. Rendered values from `--var` or webhooks are text, so numbers and
 * booleans also accept their text forms ("5", "true").
 */

const INT_TEXT = /^\s*-?\d+\s*$/;
const NUM_TEXT = /^\s*-?(\d+(\.\d+)?|\.\d+)\s*$/;

export function int(min: number, max: number, what = 'a whole number') {
  return z.preprocess(
    (v) => (typeof v === 'string' && INT_TEXT.test(v) ? Number(v) : v),
    z
      .number({ error: `expected ${what} from ${min} to ${max}` })
      .int({ error: `expected ${what} from ${min} to ${max}` })
      .min(min, { error: `must be at least ${min}` })
      .max(max, { error: `must be at most ${max}` }),
  );
}

export function num(min: number, max: number) {
  return z.preprocess(
    (v) => (typeof v === 'string' && NUM_TEXT.test(v) ? Number(v) : v),
    z.number({ error: `expected a number from ${min} to ${max}` }).min(min, { error: `must be at least ${min}` }).max(max, { error: `must be at most ${max}` }),
  );
}

export function bool() {
  return z.preprocess((v) => (v === 'true' ? true : v === 'false' ? false : v), z.boolean({ error: 'expected true or false' }));
}

export function text(max = 100_000, what = 'a text') {
  return z.string({ error: `expected ${what}` }).max(max, { error: `is longer than ${max} characters` });
}

export function nonEmpty(max = 100_000, what = 'a text') {
  return text(max, what).min(1, { error: 'must not be empty' });
}

/** A file or folder path (`~` is the home folder). */
export function path(what = 'a path') {
  return z
    .string({ error: `expected ${what}` })
    .min(1, { error: 'must not be empty' })
    .max(4096, { error: 'is longer than 4096 characters' })
    .refine((p) => !p.includes('\0'), { error: 'contains a NUL character' });
}

/** One path or a list of paths; always a list after parsing. */
export function pathList(what = 'a path or a list of paths', max = 10_000) {
  return z
    .union([path(), z.array(path()).max(max, { error: `at most ${max} paths` })], { error: `expected ${what}` })
    .transform((v) => (Array.isArray(v) ? v : [v]));
}

/** One text or a list of texts; always a list after parsing. */
export function textList(what = 'a text or a list of texts', max = 1_000) {
  return z
    .union([nonEmpty(10_000), z.array(nonEmpty(10_000)).max(max, { error: `at most ${max} entries` })], { error: `expected ${what}` })
    .transform((v) => (Array.isArray(v) ? v : [v]));
}

export const ON_CONFLICT = ['suffix', 'overwrite', 'fail'] as const;
export type OnConflict = (typeof ON_CONFLICT)[number];

export function onConflict(fallback: OnConflict) {
  return z.enum(ON_CONFLICT, { error: `expected one of ${ON_CONFLICT.join(', ')}` }).default(fallback);
}

export function oneOf<const T extends readonly [string, ...string[]]>(values: T) {
  return z.enum(values, { error: `expected one of ${values.join(', ')}` });
}

/** Timeouts inside actions (HTTP, waits for elements): 1 ms to 24 h. */
export function timeoutMs() {
  return int(1, 86_400_000, 'milliseconds');
}
