import { describe, expect, it } from 'vitest';
import { DEFAULT_SCRYPT, hashPassword, needsRehash, verifyPassword } from './password';

const cheap = { ln: 10, r: 8, p: 1 };

describe('scrypt password hashes', () => {
  it('stores the parameters and a per-hash random salt with the hash, never the password', async () => {
    const a = await hashPassword('correct horse', cheap);
    const b = await hashPassword('correct horse', cheap);
    expect(a).toMatch(/^\$scrypt\$ln=10,r=8,p=1\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}$/);
    expect(a).not.toBe(b);
    expect(a).not.toContain('correct horse');
  });

  it('accepts the right password and refuses others, including near misses', async () => {
    const h = await hashPassword('パスワード-secure', cheap);
    expect(await verifyPassword('パスワード-secure', h)).toBe(true);
    expect(await verifyPassword('パスワード-secure ', h)).toBe(false);
    expect(await verifyPassword('', h)).toBe(false);
  });

  it('treats differently composed Unicode forms of the same password as equal (NFC)', async () => {
    const h = await hashPassword('caf\u00e9-latte', cheap);
    expect(await verifyPassword('cafe\u0301-latte', h)).toBe(true);
  });

  it('refuses a malformed or foreign hash instead of throwing', async () => {
    for (const stored of ['', 'plain', '$2b$10$abcdefghijklmnopqrstuv', '$scrypt$ln=99,r=8,p=1$AAAA$AAAA']) {
      expect(await verifyPassword('x', stored), stored).toBe(false);
    }
  });

  it('flags hashes made with other parameters for re-hashing at the next sign-in', async () => {
    const h = await hashPassword('pw-pw-pw-pw', cheap);
    expect(needsRehash(h, cheap)).toBe(false);
    expect(needsRehash(h, DEFAULT_SCRYPT)).toBe(true);
    expect(DEFAULT_SCRYPT).toEqual({ ln: 16, r: 8, p: 2 });
  });
});
