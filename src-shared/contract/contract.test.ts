import { describe, expect, it } from 'vitest';
import { SIGNED_IN_ONLY, publicEntryFor } from '../rbac/public-surface';
import { PERMISSIONS } from '../rbac/roles';
import { CONTRACT, PROCEDURES } from './index';

describe('the contract', () => {
  it('names every procedure by its key, as <domain>.<verb>', () => {
    for (const [key, p] of Object.entries(CONTRACT)) {
      expect(p.name).toBe(key);
      expect(p.name).toMatch(/^[a-z]+(-[a-z]+)*\.[a-z][a-zA-Z]*$/);
    }
  });

  it('gives every procedure an access rule and a REST binding', () => {
    for (const p of PROCEDURES) {
      expect(['public', 'authenticated', ...PERMISSIONS]).toContain(p.access);
      expect(p.http.path.startsWith('/')).toBe(true);
    }
  });

  it('binds no two procedures to the same method and path', () => {
    const seen = new Set<string>();
    for (const p of PROCEDURES) {
      const key = `${p.http.method} ${p.http.path.replace(/\{[^}]+\}/g, '{}')}`;
      expect(seen.has(key), key).toBe(false);
      seen.add(key);
    }
  });

  it('keeps the unauthenticated surface to the list of SPEC section 7 (rbac/public-surface.ts)', () => {
    for (const p of PROCEDURES.filter((p) => p.access === 'public' || p.publicWhen)) {
      const entry = publicEntryFor(p.http.path);
      expect(entry, `${p.name} (${p.http.path}) answers without credentials but is not on the public list`).toBeDefined();
      // A conditionally public entry must be conditional in the contract too, on the same condition.
      if (entry?.when) expect(p.publicWhen, p.name).toBe(entry.when);
    }
  });

  it("names a permission for every procedure, except the few any signed-in user may call (SIGNED_IN_ONLY)", () => {
    const signedInOnly = PROCEDURES.filter((p) => p.access === 'authenticated').map((p) => p.name).sort();
    expect(signedInOnly).toEqual(Object.keys(SIGNED_IN_ONLY).sort());
  });

  it('gives session-issuing procedures an answer with token and expires_at', () => {
    for (const p of PROCEDURES.filter((p) => p.session === 'issue')) {
      const shape = (p.output as unknown as { shape?: Record<string, unknown> }).shape ?? {};
      expect(Object.keys(shape), p.name).toEqual(expect.arrayContaining(['token', 'expires_at']));
    }
  });
});
