import { describe, expect, it } from 'vitest';
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

  it('keeps the unauthenticated surface to the list of SPEC section 7', () => {
    const publicPaths = PROCEDURES.filter((p) => p.access === 'public' || p.publicWhen).map((p) => p.http.path);
    for (const path of publicPaths) {
      expect(path === '/healthz' || path.startsWith('/webhooks/') || path.startsWith('/metrics') || path === '/public/dashboard', path).toBe(true);
    }
  });
});
