import { didYouMean } from './suggest';

/**
 * `rename {rule}` placeholders (SPEC section 3): `{basename}` (the whole name), `{stem}` (without
 * the extension), `{ext}` (without the dot), `{index}` (1, 2, …; `{index:3}` pads to 001),
 * `{date}` (the run's local date, YYYY-MM-DD). Any other text is kept as written.
 */

export const RENAME_PLACEHOLDERS = ['basename', 'stem', 'ext', 'index', 'date'] as const;

type Piece = { text: string } | { ph: (typeof RENAME_PLACEHOLDERS)[number]; width?: number };

export class RenameRuleError extends Error {}

export function parseRenameRule(rule: string): Piece[] {
  if (!rule.trim()) throw new RenameRuleError('the rule is empty');
  if (/[\\/]/.test(rule)) throw new RenameRuleError("a rule names files, not folders: it cannot contain '/' or '\\' (use move_to to change folders)");
  if (rule.includes('\0')) throw new RenameRuleError('the rule contains a NUL character');
  const out: Piece[] = [];
  const re = /\{([^{}]*)\}/g;
  let last = 0;
  for (let m = re.exec(rule); m; m = re.exec(rule)) {
    if (m.index > last) out.push({ text: rule.slice(last, m.index) });
    const [name, width] = m[1]!.split(':');
    if (!(RENAME_PLACEHOLDERS as readonly string[]).includes(name!)) {
      throw new RenameRuleError(`unknown placeholder {${m[1]}}${didYouMean(name!, RENAME_PLACEHOLDERS)}; placeholders: ${RENAME_PLACEHOLDERS.map((p) => `{${p}}`).join(' ')}`);
    }
    if (width !== undefined && (name !== 'index' || !/^[1-9]$/.test(width))) {
      throw new RenameRuleError(`{${m[1]}}: only {index} takes a width, from 1 to 9 ({index:3} → 001)`);
    }
    out.push({ ph: name as Piece extends { ph: infer P } ? P : never, width: width ? Number(width) : undefined });
    last = m.index + m[0].length;
  }
  if (last < rule.length) out.push({ text: rule.slice(last) });
  return out;
}

export function splitName(name: string): { stem: string; ext: string } {
  const i = name.lastIndexOf('.');
  return i > 0 ? { stem: name.slice(0, i), ext: name.slice(i + 1) } : { stem: name, ext: '' };
}

/** The new name of one file; throws RenameRuleError when the result is not a usable name. */
export function applyRenameRule(pieces: Piece[], file: { name: string; index: number; date: string }): string {
  const { stem, ext } = splitName(file.name);
  let out = '';
  for (const p of pieces) {
    if ('text' in p) out += p.text;
    else if (p.ph === 'basename') out += file.name;
    else if (p.ph === 'stem') out += stem;
    else if (p.ph === 'ext') out += ext;
    else if (p.ph === 'date') out += file.date;
    else out += String(file.index).padStart(p.width ?? 1, '0');
  }
  // "{stem}.{ext}" on a name without an extension must not leave a trailing dot.
  out = out.replace(/\.+$/, '').trim();
  if (!out || out === '.' || out === '..') throw new RenameRuleError(`the rule gives an empty name for '${file.name}'`);
  if (utf8Length(out) > 255) throw new RenameRuleError(`the new name for '${file.name}' is longer than 255 bytes`);
  return out;
}

function utf8Length(s: string): number {
  let n = 0;
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    n += c < 0x80 ? 1 : c < 0x800 ? 2 : c < 0x10000 ? 3 : 4;
  }
  return n;
}
