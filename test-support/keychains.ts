import type { KeychainPort } from '../src-main/core/security/secrets/keychain-port';

/**
 * Keychain ports for tests that must run without D-Bus (the real keychain is tested under
 * dbus-run-session in keychain.int.test.ts). Each counts its calls.
 */
export function memoryKeychain(): KeychainPort & { items: Map<string, string>; calls: number } {
  const items = new Map<string, string>();
  const id = (s: string, a: string) => `${s}\0${a}`;
  const k = {
    items,
    calls: 0,
    async getPassword(s: string, a: string) {
      k.calls++;
      return items.get(id(s, a)) ?? null;
    },
    async setPassword(s: string, a: string, p: string) {
      k.calls++;
      items.set(id(s, a), p);
    },
    async deletePassword(s: string, a: string) {
      k.calls++;
      return items.delete(id(s, a));
    },
    async findAccounts(s: string) {
      k.calls++;
      return [...items.keys()].filter((x) => x.startsWith(`${s}\0`)).map((x) => x.slice(s.length + 1));
    },
  };
  return k;
}

/** A keychain whose every call fails as keytar does on a Linux without a D-Bus session. */
export function failingKeychain(message = 'Cannot autolaunch D-Bus without X11 $DISPLAY'): KeychainPort & { calls: number } {
  const k = {
    calls: 0,
    fail: async (): Promise<never> => {
      k.calls++;
      throw new Error(message);
    },
    getPassword: () => k.fail(),
    setPassword: () => k.fail(),
    deletePassword: () => k.fail(),
    findAccounts: () => k.fail(),
  };
  return k;
}

/** A keychain that never answers (a D-Bus peer that accepts and stays silent). */
export function hangingKeychain(): KeychainPort & { calls: number } {
  const k = {
    calls: 0,
    hang: (): Promise<never> => {
      k.calls++;
      return new Promise<never>(() => {});
    },
    getPassword: () => k.hang(),
    setPassword: () => k.hang(),
    deletePassword: () => k.hang(),
    findAccounts: () => k.hang(),
  };
  return k;
}
