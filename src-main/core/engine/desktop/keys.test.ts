import { describe, expect, it } from 'vitest';
import { chordProblems, KEYS, nutKeyName } from './keys';
import { pressKeysParams } from '@shared/dsl/actions/desktop-params';

describe('key names', () => {
  it('accepts names and aliases in any case and maps them to nut.js keys', () => {
    expect(nutKeyName('control')).toBe('LeftControl');
    expect(nutKeyName('Ctrl')).toBe('LeftControl');
    expect(nutKeyName('s')).toBe('S');
    expect(nutKeyName('Enter')).toBe('Return');
    expect(nutKeyName('esc')).toBe('Escape');
    expect(nutKeyName('7')).toBe('Num7');
    expect(nutKeyName('F12')).toBe('F12');
    expect(nutKeyName('/')).toBe('Slash');
  });

  it('maps Meta to the platform command key', () => {
    expect(nutKeyName('Meta', 'darwin')).toBe('LeftCmd');
    expect(nutKeyName('Cmd', 'win32')).toBe('LeftWin');
    expect(nutKeyName('Super', 'linux')).toBe('LeftSuper');
  });

  it('only maps to keys nut.js has', async () => {
    // nut.js loads without a display; only its calls need one.
    const { Key } = await import('@nut-tree-fork/nut-js');
    for (const k of KEYS) for (const platform of ['linux', 'darwin', 'win32'] as const) expect(Key[nutKeyName(k.name, platform) as keyof typeof Key], k.name).toBeDefined();
  });

  it('explains unknown keys and repeated keys', () => {
    expect(chordProblems(['Control', 'S'])).toEqual([]);
    expect(chordProblems(['Hyper'])[0]).toMatch(/^unknown key 'Hyper'; valid keys: Control, Shift, Alt, Meta/);
    expect(chordProblems(['Control', 'ctrl'])).toEqual(["key 'Control' appears twice in the chord"]);
    expect(chordProblems(['Control', 'Shift', 'Escape'])).toEqual([]);
    expect(chordProblems(['A', 'B'])[0]).toMatch(/^in a chord every key but the last must be a modifier .*'A' is not/);
    const r = pressKeysParams.safeParse({ keys: [] });
    expect(r.error?.issues[0].message).toBe('keys lists the keys of one chord, e.g. ["Control", "S"]');
  });
});
