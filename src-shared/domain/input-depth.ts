/**
 * How deeply nested a value from outside (an API body, an IPC payload) may be. Every walk over
 * input (validation, masking, storing) may then assume this bound; nothing legitimate comes near
 * it (template variables are a few levels at most).
 */
export const MAX_INPUT_DEPTH = 64;

/**
 * The path to the first place where `value` nests deeper than `max` objects/arrays, or undefined
 * when it does not. Iterative, so a hostile value cannot overflow the stack while being checked.
 */
export function tooDeepAt(value: unknown, max = MAX_INPUT_DEPTH): (string | number)[] | undefined {
  const stack: { v: unknown; path: (string | number)[] }[] = [{ v: value, path: [] }];
  while (stack.length) {
    const { v, path } = stack.pop()!;
    if (v === null || typeof v !== 'object') continue;
    if (path.length >= max) return path;
    if (Array.isArray(v)) for (let i = v.length - 1; i >= 0; i--) stack.push({ v: v[i], path: [...path, i] });
    else for (const k of Object.keys(v).reverse()) stack.push({ v: (v as Record<string, unknown>)[k], path: [...path, k] });
  }
  return undefined;
}
