import { META, keyEntry } from '@shared/dsl/actions/desktop-keys';

/** Key names and chord checks are shared with validation (src-shared/dsl/actions/desktop-keys.ts). */
export { KEYS, VALID_KEYS_TEXT, chordProblems, keyEntry } from '@shared/dsl/actions/desktop-keys';

/** The nut.js Key enum member name for a key on this platform. */
export function nutKeyName(name: string, platform: NodeJS.Platform = process.platform): string {
  const k = keyEntry(name);
  if (!k) throw new Error(`unknown key '${name}'`);
  if (k.nut !== META) return k.nut;
  return platform === 'darwin' ? 'LeftCmd' : platform === 'win32' ? 'LeftWin' : 'LeftSuper';
}

