import { userInfo } from 'node:os';
import { join } from 'node:path';
import { password as passwordSchema, username as usernameSchema } from '@shared/contract/users';
import { parseRole, type Role } from '@shared/rbac/roles';
import { systemClock } from '../../core/kernel/clock';
import { AppError } from '../../core/kernel/errors';
import { silentLogger } from '../../core/kernel/logger';
import { packageInfo } from '../../core/kernel/package-root';
import { resolvePaths } from '../../core/kernel/paths';
import { UsageError, runtimeOptions } from '../../host/runtime-options';
import { openDatabase } from '../../core/db/database';
import { nativeBindingPath } from '../../core/db/native-binding';
import { AuditLog } from '../../core/security/audit/audit-log';
import { UserService, userView, type UserPatch } from '../../core/security/auth/user-service';
import { EXIT, parseCommandArgs, type CliIo, type Command } from '../io';

const USAGE = [
  'desktop-agent users create NAME [--role ROLE] --password-stdin [--disabled] [--json]',
  '       desktop-agent users list [--json]',
  '       desktop-agent users set-role NAME ROLE',
  '       desktop-agent users disable NAME | enable NAME',
  '       desktop-agent users reset-password NAME --password-stdin',
  '       ROLE is Admin, Editor, Runner or Viewer (any case); passwords are read from stdin, never from arguments.',
  '       Works on the data dir\'s database directly (also while the app or serve is running).',
].join('\n');

function check<T>(schema: { safeParse(v: unknown): { success: true; data: T } | { success: false; error: { issues: { message: string }[] } } }, value: string, what: string): T {
  const r = schema.safeParse(value);
  if (!r.success) throw new UsageError(`${what}: ${r.error.issues.map((i) => i.message).join('; ')}`);
  return r.data;
}

function role(value: string | undefined): Role {
  const r = value === undefined ? undefined : parseRole(value);
  if (!r) throw new UsageError(`ROLE must be Admin, Editor, Runner or Viewer (got '${value ?? ''}')`);
  return r;
}

async function readPassword(io: CliIo, given: boolean | undefined): Promise<string> {
  if (!given) throw new UsageError('passwords are read from stdin: add --password-stdin (e.g. `printf %s "$PW" | desktop-agent users create NAME --password-stdin`)');
  const text = (await io.readStdin()).replace(/\r?\n$/, '');
  if (!text) throw new UsageError('--password-stdin: stdin was empty');
  return check(passwordSchema, text, 'password');
}

/** Who did it, for the audit log: the OS account running the CLI (`os:` cannot be a username). */
function osActor(): string {
  try {
    return `os:${userInfo().username}`;
  } catch {
    return 'os:unknown';
  }
}

export const usersCommand: Command = {
  name: 'users',
  summary: 'Create and manage users and roles on this data dir (first Admin: users create NAME --role admin --password-stdin)',
  usage: USAGE,
  async run(argv, io) {
    const { values, positionals } = parseCommandArgs(argv, {
      role: { type: 'string' },
      'password-stdin': { type: 'boolean' },
      disabled: { type: 'boolean' },
      json: { type: 'boolean' },
    });
    const [sub, ...args] = positionals;
    const arity: Record<string, number> = { create: 1, list: 0, 'set-role': 2, disable: 1, enable: 1, 'reset-password': 1 };
    if (!sub || arity[sub] === undefined) throw new UsageError(`users takes one of: ${Object.keys(arity).join(', ')}`);
    if (args.length !== arity[sub]) throw new UsageError(`users ${sub} takes ${arity[sub]} argument(s), got ${args.length}`);

    // Everything is checked before the database is opened.
    const name = args[0] === undefined ? undefined : sub === 'create' ? check(usernameSchema, args[0], 'NAME') : args[0];
    const newRole = sub === 'set-role' ? role(args[1]) : sub === 'create' ? (values.role === undefined ? 'Viewer' : role(values.role)) : undefined;
    const password = sub === 'create' || sub === 'reset-password' ? await readPassword(io, values['password-stdin']) : undefined;

    const { root } = packageInfo();
    const paths = resolvePaths({ dataDir: runtimeOptions(values, io.env).dataDir, defaultConfigDir: join(root, 'configs') });
    const db = openDatabase({ file: paths.dbFile, nativeBinding: nativeBindingPath(root) });
    const audit = new AuditLog(db, () => systemClock.now());
    const users = new UserService({ db, clock: systemClock, audit, logger: silentLogger });
    const record = (action: string, resource: string, details: Record<string, unknown>) =>
      audit.record({ user: osActor(), action, permission: 'manage_users', resource, result: 'ok', source: 'cli', details });
    try {
      if (sub === 'list') {
        const items = users.list();
        if (values.json) io.stdout(JSON.stringify({ items }) + '\n');
        else {
          const rows = [['USERNAME', 'ROLE', 'ACTIVE', 'LAST LOGIN', 'ID'], ...items.map((u) => [u.username, u.role, u.active ? 'yes' : 'no', u.last_login_at ?? '-', u.id])];
          const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
          io.stdout(rows.map((r) => r.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd()).join('\n') + '\n');
          if (!items.length) io.stderr('No users yet: create the first Admin with `desktop-agent users create NAME --role admin --password-stdin`\n');
        }
        return EXIT.ok;
      }
      if (sub === 'create') {
        const u = await users.create({ username: name!, password: password!, role: newRole!, active: !values.disabled });
        record('users.create', u.id, { username: u.username, role: u.role, active: u.active === 1 });
        if (values.json) io.stdout(JSON.stringify(userView(u)) + '\n');
        else io.stderr(`Created ${u.role} '${u.username}' (${u.id})${u.active ? '' : ', disabled'}\n`);
        return EXIT.ok;
      }
      const patch: UserPatch = sub === 'set-role' ? { role: newRole } : sub === 'disable' ? { active: false } : sub === 'enable' ? { active: true } : { password };
      const { user, notes } = await users.update(name!, patch);
      // Enabling or resetting also lifts a sign-in back-off for that user.
      if (sub === 'enable' || sub === 'reset-password') users.throttle.reset(user.username);
      record('users.update', user.id, notes);
      if (values.json) io.stdout(JSON.stringify(userView(user)) + '\n');
      else {
        const ended = typeof notes.sessions_ended === 'number' && notes.sessions_ended > 0 ? `; ${notes.sessions_ended} session(s) ended` : '';
        const what = { 'set-role': `is now ${user.role}`, disable: 'is disabled', enable: 'is enabled', 'reset-password': 'has a new password' }[sub as 'set-role'];
        io.stderr(`'${user.username}' ${what}${ended}\n`);
      }
      return EXIT.ok;
    } catch (e) {
      if (e instanceof AppError) {
        io.stderr(`desktop-agent users ${sub}: ${e.message}\n`);
        return EXIT.failed;
      }
      throw e;
    } finally {
      db.close();
    }
  },
};
