import { describe, expect, it } from 'vitest';
import { ACTION_FAMILIES } from './registry';
import { ownsTimeout } from './run-context';

describe('ownsTimeout (read through zod public API, not _zod.def)', () => {
  const actions = ACTION_FAMILIES.flat();
  const byName = (name: string) => actions.find((a) => a.name === name)!;

  it('is true for an action whose params declare timeout_ms, false otherwise', () => {
    const owning = actions.filter((a) => ownsTimeout(a)).map((a) => a.name);
    expect(owning.length).toBeGreaterThan(0);
    for (const name of owning) expect(Object.keys((byName(name).params as unknown as { shape: object }).shape)).toContain('timeout_ms');
    expect(ownsTimeout(byName('log'))).toBe(false);
  });
});
