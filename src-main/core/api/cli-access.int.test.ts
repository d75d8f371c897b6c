import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ANONYMOUS } from '../kernel/principal';
import { cliPrincipal, cliTokenFile, issueCliToken, readCliToken, removeCliToken, withCliToken } from './cli-access';
import type { Authenticator } from '../kernel/authenticator';

let dir: string;
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const inner: Authenticator = {
  authenticate: async (c) => ({ principal: c.authorization === 'Bearer other' ? { kind: 'user', id: 'u1', username: 'eve', role: 'Viewer', via: 'token' } : ANONYMOUS }),
  credential: () => ({ holds: () => false }),
};

describe('the CLI token of a running instance', () => {
  it('is a new 0600 file each start, gone on removal', () => {
    dir = mkdtempSync(join(tmpdir(), 'da-cli-token-'));
    const first = issueCliToken(dir);
    expect(statSync(cliTokenFile(dir)).mode & 0o777).toBe(0o600);
    expect(readFileSync(cliTokenFile(dir), 'utf8')).toBe(`${first}\n`);
    const second = issueCliToken(dir);
    expect(second).not.toBe(first);
    expect(readCliToken(dir)).toBe(second);
    removeCliToken(dir);
    expect(readCliToken(dir)).toBeUndefined();
  });

  it('authenticates as the OS user (Admin, via cli) from loopback only; anything else goes to the real authenticator', async () => {
    dir = mkdtempSync(join(tmpdir(), 'da-cli-token-'));
    const token = issueCliToken(dir);
    const auth = withCliToken(inner, token, cliPrincipal('alice'));
    expect(await auth.authenticate({ authorization: `Bearer ${token}`, ip: '127.0.0.1' })).toEqual({ principal: { kind: 'user', id: 'os:alice', username: 'os:alice', role: 'Admin', via: 'cli' } });
    expect((await auth.authenticate({ authorization: `Bearer ${token}`, ip: '::1' })).principal.kind).toBe('user');
    // From another machine (an --allow-remote server), or a near miss, it is not the CLI.
    expect((await auth.authenticate({ authorization: `Bearer ${token}`, ip: '192.168.1.20' })).principal).toEqual(ANONYMOUS);
    expect((await auth.authenticate({ authorization: `Bearer ${token}x`, ip: '127.0.0.1' })).principal).toEqual(ANONYMOUS);
    expect((await auth.authenticate({ ip: '127.0.0.1' })).principal).toEqual(ANONYMOUS);
    expect((await auth.authenticate({ authorization: 'Bearer other', ip: '127.0.0.1' })).principal).toMatchObject({ username: 'eve' });
  });
});
