/**
 * Key names for press_keys (`keys: ["Control", "S"]`), case-insensitive, mapped to the names of
 * nut.js's `Key` enum. Kept as data here, in plain TS (not read from nut.js), so templates are
 * validated without loading the native module, by the renderer too. `Meta` is the platform's command key: Cmd on macOS, the
 * Windows key on Windows, Super elsewhere.
 */

type NutKeyName = string;
export const META = 'META' as const;

export interface KeyEntry {
  name: string;
  nut: NutKeyName | typeof META;
  aliases: string[];
  modifier?: true;
}

const entry = (name: string, nut: NutKeyName | typeof META, ...aliases: string[]): KeyEntry => ({ name, nut, aliases });
const modifier = (name: string, nut: NutKeyName | typeof META, ...aliases: string[]): KeyEntry => ({ name, nut, aliases, modifier: true });
const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

export const KEYS: readonly KeyEntry[] = [
  modifier('Control', 'LeftControl', 'Ctrl', 'LeftControl'),
  modifier('Shift', 'LeftShift', 'LeftShift'),
  modifier('Alt', 'LeftAlt', 'Option', 'LeftAlt'),
  modifier('Meta', META, 'Super', 'Win', 'Windows', 'Cmd', 'Command', 'LeftMeta', 'LeftSuper', 'LeftCmd', 'LeftWin'),
  modifier('RightControl', 'RightControl', 'RightCtrl'),
  modifier('RightShift', 'RightShift'),
  modifier('RightAlt', 'RightAlt', 'AltGr'),
  modifier('RightMeta', 'RightMeta', 'RightSuper', 'RightCmd', 'RightWin'),
  entry('Enter', 'Return', 'Return'),
  entry('Escape', 'Escape', 'Esc'),
  entry('Tab', 'Tab'),
  entry('Space', 'Space', ' '),
  entry('Backspace', 'Backspace'),
  entry('Delete', 'Delete', 'Del'),
  entry('Insert', 'Insert', 'Ins'),
  entry('Home', 'Home'),
  entry('End', 'End'),
  entry('PageUp', 'PageUp', 'PgUp'),
  entry('PageDown', 'PageDown', 'PgDn'),
  entry('Up', 'Up', 'ArrowUp'),
  entry('Down', 'Down', 'ArrowDown'),
  entry('Left', 'Left', 'ArrowLeft'),
  entry('Right', 'Right', 'ArrowRight'),
  entry('CapsLock', 'CapsLock'),
  entry('PrintScreen', 'Print', 'Print', 'PrtSc'),
  entry('ScrollLock', 'ScrollLock'),
  entry('NumLock', 'NumLock'),
  entry('Menu', 'Menu', 'ContextMenu'),
  ...range(1, 24).map((n) => entry(`F${n}`, `F${n}`)),
  ...range(0, 25).map((n) => String.fromCharCode(65 + n)).map((c) => entry(c, c)),
  ...range(0, 9).map((n) => entry(String(n), `Num${n}`, `Num${n}`, `Digit${n}`)),
  ...range(0, 9).map((n) => entry(`NumPad${n}`, `NumPad${n}`)),
  entry('Minus', 'Minus', '-'),
  entry('Equal', 'Equal', '='),
  entry('Comma', 'Comma', ','),
  entry('Period', 'Period', '.'),
  entry('Slash', 'Slash', '/'),
  entry('Backslash', 'Backslash', '\\'),
  entry('Semicolon', 'Semicolon', ';'),
  entry('Quote', 'Quote', "'"),
  entry('Grave', 'Grave', '`', 'Backquote'),
  entry('LeftBracket', 'LeftBracket', '['),
  entry('RightBracket', 'RightBracket', ']'),
  entry('Add', 'Add', 'NumPadAdd'),
  entry('Subtract', 'Subtract', 'NumPadSubtract'),
  entry('Multiply', 'Multiply', 'NumPadMultiply'),
  entry('Divide', 'Divide', 'NumPadDivide'),
  entry('Decimal', 'Decimal', 'NumPadDecimal'),
  entry('AudioMute', 'AudioMute'),
  entry('AudioVolUp', 'AudioVolUp', 'VolumeUp'),
  entry('AudioVolDown', 'AudioVolDown', 'VolumeDown'),
  entry('AudioPlay', 'AudioPlay'),
  entry('AudioStop', 'AudioStop'),
  entry('AudioPause', 'AudioPause'),
  entry('AudioNext', 'AudioNext'),
  entry('AudioPrev', 'AudioPrev'),
];

const BY_NAME = new Map<string, KeyEntry>();
for (const k of KEYS) for (const n of [k.name, ...k.aliases]) BY_NAME.set(n.toLowerCase(), k);

/** The list shown when a key name is unknown (names only; aliases work too). */
export const VALID_KEYS_TEXT = 'Control, Shift, Alt, Meta (Cmd/Win/Super), RightControl, RightShift, RightAlt, RightMeta, Enter, Escape, Tab, Space, Backspace, Delete, Insert, Home, End, PageUp, PageDown, Up, Down, Left, Right, CapsLock, PrintScreen, ScrollLock, NumLock, Menu, F1-F24, A-Z, 0-9, NumPad0-NumPad9, Minus, Equal, Comma, Period, Slash, Backslash, Semicolon, Quote, Grave, LeftBracket, RightBracket, Add, Subtract, Multiply, Divide, Decimal, AudioMute, AudioVolUp, AudioVolDown, AudioPlay, AudioStop, AudioPause, AudioNext, AudioPrev';

export function keyEntry(name: string): KeyEntry | undefined {
  return BY_NAME.get(name.toLowerCase());
}

/** Problems with a chord: unknown names (with the valid ones listed) and repeated keys. */
export function chordProblems(keys: readonly string[]): string[] {
  const problems: string[] = [];
  const unknown = keys.filter((k) => !keyEntry(k));
  if (unknown.length) {
    const plus = unknown.find((k) => /.\+./.test(k));
    const hint = plus ? ` (write a chord as a list: ${JSON.stringify(plus.split('+'))})` : '';
    problems.push(`unknown key${unknown.length > 1 ? 's' : ''} ${unknown.map((k) => `'${k}'`).join(', ')}${hint}; valid keys: ${VALID_KEYS_TEXT}`);
  }
  // nut.js holds every key but the last as a modifier flag, so only modifiers may come first.
  const early = keys.slice(0, -1).filter((k) => keyEntry(k) && !keyEntry(k)!.modifier);
  if (early.length) {
    problems.push(`in a chord every key but the last must be a modifier (Control, Shift, Alt, Meta and their Right… forms); ${early.map((k) => `'${k}'`).join(', ')} is not — press other keys in separate steps`);
  }
  const seen = new Set<string>();
  for (const k of keys) {
    const canonical = keyEntry(k)?.name;
    if (!canonical) continue;
    if (seen.has(canonical)) problems.push(`key '${canonical}' appears twice in the chord`);
    seen.add(canonical);
  }
  return problems;
}
