import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli } from '../../../test-support/cli';
import { openDatabase } from '../../core/db/database';

let dir: string;
afterEach(() => rmSync(dir, { recursive: true, force: true }));
const users = (args: string[], stdin?: string) => runCli(['users', ...args, '--data-dir', dir], { stdin });

describe('desktop-agent users', () => {
  it('creates the first Admin from stdin before anything has started, and lists users', async () => {
    dir = mkdtempSync(join(tmpdir(), 'da-cli-users-'));
    const r = await users(['create', 'admin', '--role', 'admin', '--password-stdin'], 'a long passphrase\n');
    expect(r).toMatchObject({ code: 0, stdout: '' });
    expect(r.stderr).toMatch(/^Created Admin 'admin' \(usr_[0-9a-z]{20}\)\n$/);
    expect((await users(['create', 'bob', '--password-stdin', '--json'], 'bob-password')).stdout).toMatch(/"username":"bob","role":"Viewer","active":true/);

    const list = await users(['list']);
    expect(list.code).toBe(0);
    const lines = list.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^USERNAME\s+ROLE\s+ACTIVE\s+LAST LOGIN\s+ID$/);
    expect(lines.slice(1).map((l) => l.split(/\s+/).slice(0, 3).join(' '))).toEqual(['admin Admin yes', 'bob Viewer yes']);

    // The password is stored as a scrypt hash with its parameters; the trailing newline of stdin is not part of it.
    const db = openDatabase({ file: join(dir, 'desktop-agent.db') });
    const hash = db.prepare("select password_hash from users where username = 'admin'").pluck().get() as string;
    db.close();
    expect(hash).toMatch(/^\$scrypt\$ln=16,r=8,p=2\$/);
  });

  it('changes roles, disables, enables and resets passwords, and audits each change as the OS user from the CLI', async () => {
    dir = mkdtempSync(join(tmpdir(), 'da-cli-users-'));
    await users(['create', 'admin', '--role', 'Admin', '--password-stdin'], 'admin-password');
    await users(['create', 'carol', '--role', 'runner', '--password-stdin'], 'carol-password');
    expect(await users(['set-role', 'carol', 'EDITOR'])).toMatchObject({ code: 0, stderr: "'carol' is now Editor\n" });
    expect(await users(['disable', 'carol'])).toMatchObject({ code: 0, stderr: "'carol' is disabled\n" });
    expect(await users(['enable', 'carol'])).toMatchObject({ code: 0, stderr: "'carol' is enabled\n" });
    expect(await users(['reset-password', 'carol', '--password-stdin'], 'carol-new-password\n')).toMatchObject({ code: 0, stderr: "'carol' has a new password\n" });
    const listed = JSON.parse((await users(['list', '--json'])).stdout) as { items: { username: string; role: string; active: boolean }[] };
    expect(listed.items.find((u) => u.username === 'carol')).toMatchObject({ role: 'Editor', active: true });

    const db = openDatabase({ file: join(dir, 'desktop-agent.db') });
    const audit = db.prepare("select user, action, source, details_json from audit_log where source = 'cli' order by id").all() as { user: string; action: string; source: string; details_json: string }[];
    db.close();
    // Every command is a procedure call through the dispatcher, so the list is audited too.
    expect(audit.map((a) => a.action)).toEqual(['users.create', 'users.create', 'users.update', 'users.update', 'users.update', 'users.update', 'users.list']);
    expect(audit.every((a) => a.user.startsWith('os:'))).toBe(true);
    expect(JSON.parse(audit[2]!.details_json)).toEqual({ username: 'carol', role: { from: 'Runner', to: 'Editor' } });
    expect(audit.map((a) => a.details_json).join('')).not.toContain('carol-new-password');
  });

  it('refuses what would leave no active Admin, and bad input, with a reason and no change', async () => {
    dir = mkdtempSync(join(tmpdir(), 'da-cli-users-'));
    await users(['create', 'admin', '--role', 'admin', '--password-stdin'], 'admin-password');
    expect(await users(['set-role', 'admin', 'viewer'])).toMatchObject({
      code: 1,
      stderr: "desktop-agent users set-role: Cannot make 'admin' a Viewer: 'admin' is the last active Admin. Make another user an active Admin first.\n",
    });
    expect((await users(['disable', 'admin'])).code).toBe(1);
    expect(await users(['disable', 'nobody'])).toMatchObject({ code: 1, stderr: "desktop-agent users disable: User 'nobody' not found\n" });
    expect((await users(['create', 'admin', '--password-stdin'], 'another-password')).stderr).toBe("desktop-agent users create: The username 'admin' is taken\n");

    const usage: [string[], string, string][] = [
      [['create', 'eve'], 'eve-password', 'add --password-stdin'],
      [['create', 'eve', '--password-stdin'], '', '--password-stdin: stdin was empty'],
      [['create', 'eve:x', '--password-stdin'], 'eve-password', 'NAME: a username is 1-64 letters'],
      [['create', 'eve', '--role', 'root', '--password-stdin'], 'eve-password', "ROLE must be Admin, Editor, Runner or Viewer (got 'root')"],
      [['create', 'eve', '--password-stdin'], 'short', 'password: a password has at least 8 characters'],
      [['set-role', 'admin'], '', 'users set-role takes 2 argument(s), got 1'],
      [['rename', 'admin'], '', 'users takes one of: create, list, set-role, disable, enable, reset-password'],
    ];
    for (const [args, stdin, message] of usage) {
      const r = await users(args, stdin);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr, args.join(' ')).toContain(message);
    }
    const listed = JSON.parse((await users(['list', '--json'])).stdout) as { items: { username: string; role: string; active: boolean }[] };
    expect(listed.items).toMatchObject([{ username: 'admin', role: 'Admin', active: true }]);
  });
});
