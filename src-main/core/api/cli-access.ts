import { randomBytes, timingSafeEqual } from 'node:crypto';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import type { Authenticator } from '../kernel/authenticator';
import type { Principal } from '../kernel/principal';

/**
 * The CLI's principal: the OS account running it, as `os:<name>` (a username cannot contain `:`).
 * It holds the Admin role: whoever can run the CLI on a data dir can already read its database
 * and its keychain, so the gate audits what they do rather than pretending to stop them
 * (docs/decisions/0027-the-cli-through-the-gate.md).
 */
export function cliPrincipal(osUser: string | null = currentOsUser()): Extract<Principal, { kind: 'user' }> {
  const name = `os:${osUser ?? 'unknown'}`;
  return { kind: 'user', id: name, username: name, role: 'Admin', via: 'cli' };
}

export function currentOsUser(): string | null {
  try {
    return userInfo().username;
  } catch {
    // No passwd entry (some containers).
    return null;
  }
}

/** `<data-dir>/cli-token`: how the CLI of the same OS user authenticates to the running instance. */
export const cliTokenFile = (dataDir: string) => join(dataDir, 'cli-token');

/** Written by serve and the desktop app when their API starts (0600, a new token each start). */
export function issueCliToken(dataDir: string): string {
  const token = `dacli_${randomBytes(32).toString('base64url')}`;
  rmSync(cliTokenFile(dataDir), { force: true });
  writeFileSync(cliTokenFile(dataDir), token + '\n', { mode: 0o600, flag: 'wx' });
  return token;
}

export function removeCliToken(dataDir: string): void {
  rmSync(cliTokenFile(dataDir), { force: true });
}

export function readCliToken(dataDir: string): string | undefined {
  try {
    return readFileSync(cliTokenFile(dataDir), 'utf8').trim() || undefined;
  } catch {
    return undefined;
  }
}

const LOOPBACK = /^(127\.\d+\.\d+\.\d+|::1|::ffff:127\.\d+\.\d+\.\d+)$/;

/** Accepts `Authorization: Bearer <the cli token>` from this machine as the CLI's principal; anything else goes to `inner`. */
export function withCliToken(inner: Authenticator, token: string, principal: Principal = cliPrincipal()): Authenticator {
  const expected = Buffer.from(`Bearer ${token}`);
  return {
    async authenticate(c) {
      const given = Buffer.from(c.authorization ?? '');
      if (given.length === expected.length && timingSafeEqual(given, expected) && LOOPBACK.test(c.ip)) return { principal };
      return inner.authenticate(c);
    },
    // The token lives as long as this server: a CLI's event stream holds until the server stops.
    credential: (p) => (p.via === 'cli' ? { holds: () => true } : inner.credential(p)),
  };
}
