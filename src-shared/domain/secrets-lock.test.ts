import { describe, expect, it } from 'vitest';
import { lockSentence, SECRETS_LOCKS } from './secrets-lock';

describe('lockSentence', () => {
  it('starts with a capital, except a file name, which keeps its case', () => {
    expect(lockSentence('keychain_locked')).toBe('The OS keychain is locked: unlock (or create) its default keyring, such as "login".');
    expect(lockSentence('file_no_key')).toBe('secrets.enc has no key: set DESKTOP_AGENT_SECRETS_PASSPHRASE, or make the OS keychain available.');
    expect(lockSentence('file_key_missing')).toMatch(/^secrets\.enc's key is missing/);
    for (const lock of SECRETS_LOCKS) expect(lockSentence(lock), lock).toMatch(/^(secrets\.enc|[A-Z])/);
  });
});
