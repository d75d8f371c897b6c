/**
 * A variable keeps the type its template declares: the type of its default under `variables:`
 * (`"1"` is a text, `3` a number, `true` a boolean, `[…]` a list, `{…}` an object; `null` says
 * nothing about the type). A value given with the run (the UI's form, `--var`, the API) is
 * converted to that type where nothing is lost, and refused where it cannot be.
 */

export type DeclaredType = 'text' | 'number' | 'boolean' | 'list' | 'object' | 'any';

export function declaredType(defaultValue: unknown): DeclaredType {
  if (typeof defaultValue === 'string') return 'text';
  if (typeof defaultValue === 'number') return 'number';
  if (typeof defaultValue === 'boolean') return 'boolean';
  if (Array.isArray(defaultValue)) return 'list';
  if (defaultValue && typeof defaultValue === 'object') return 'object';
  return 'any';
}

const NUMBER_TEXT = /^\s*-?\d+(\.\d+)?([eE][+-]?\d+)?\s*$/;

function parsedJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

const kindOf = (v: unknown) => (v === null ? 'null' : Array.isArray(v) ? 'a list' : typeof v === 'object' ? 'an object' : typeof v === 'string' ? `the text "${v.length > 40 ? `${v.slice(0, 40)}…` : v}"` : `${typeof v} ${String(v)}`);

/** The value as the declared type, or why it cannot be one. null and undefined pass (a missing value is checked elsewhere). */
export function coerceToDeclared(type: DeclaredType, value: unknown): { ok: true; value: unknown } | { ok: false; message: string } {
  if (value === null || value === undefined || type === 'any') return { ok: true, value };
  switch (type) {
    case 'text':
      if (typeof value === 'string') return { ok: true, value };
      if (typeof value === 'number' || typeof value === 'boolean') return { ok: true, value: String(value) };
      return { ok: false, message: `expected a text (its default is a text), got ${kindOf(value)}` };
    case 'number':
      if (typeof value === 'number' && Number.isFinite(value)) return { ok: true, value };
      if (typeof value === 'string' && NUMBER_TEXT.test(value)) return { ok: true, value: Number(value) };
      return { ok: false, message: `expected a number (its default is a number), got ${kindOf(value)}` };
    case 'boolean':
      if (typeof value === 'boolean') return { ok: true, value };
      if (value === 'true' || value === 'false') return { ok: true, value: value === 'true' };
      return { ok: false, message: `expected true or false (its default is a boolean), got ${kindOf(value)}` };
    case 'list':
    case 'object': {
      const v = typeof value === 'string' ? parsedJson(value) : value;
      const fits = type === 'list' ? Array.isArray(v) : !!v && typeof v === 'object' && !Array.isArray(v);
      if (fits) return { ok: true, value: v };
      return { ok: false, message: `expected ${type === 'list' ? 'a list (JSON such as ["a","b"])' : 'an object (JSON such as {"a":1})'}, got ${kindOf(value)}` };
    }
  }
}

/** The run's variables: defaults, then the given values converted to the declared types; undeclared names pass as given. */
export function typedVariables(declared: Record<string, unknown>, given: Record<string, unknown>): { variables: Record<string, unknown>; problems: { name: string; message: string }[] } {
  const variables: Record<string, unknown> = { ...declared };
  const problems: { name: string; message: string }[] = [];
  for (const [name, value] of Object.entries(given)) {
    if (!Object.prototype.hasOwnProperty.call(declared, name)) {
      variables[name] = value;
      continue;
    }
    const r = coerceToDeclared(declaredType(declared[name]), value);
    if (r.ok) variables[name] = r.value;
    else problems.push({ name, message: r.message });
  }
  return { variables, problems };
}
