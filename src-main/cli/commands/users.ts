import { password as passwordSchema, username as usernameSchema } from '@shared/contract/users';
import { AgentError } from '@shared/client/agent-client';
import { parseRole, type Role } from '@shared/rbac/roles';
import { UsageError } from '../../host/runtime-options';
import { connectCli } from '../client/connect';
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

    const { client, close } = await connectCli(values, io, 'in-process');
    try {
      if (sub === 'list') {
        const { items } = await client.invoke('users.list', {});
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
        const u = await client.invoke('users.create', { username: name!, password: password!, role: newRole!, active: !values.disabled });
        if (values.json) io.stdout(JSON.stringify(u) + '\n');
        else io.stderr(`Created ${u.role} '${u.username}' (${u.id})${u.active ? '' : ', disabled'}\n`);
        return EXIT.ok;
      }
      const patch = sub === 'set-role' ? { role: newRole } : sub === 'disable' ? { active: false } : sub === 'enable' ? { active: true } : { password };
      const { sessions_ended, ...user } = await client.invoke('users.update', { id: name!, ...patch });
      if (values.json) io.stdout(JSON.stringify(user) + '\n');
      else {
        const ended = sessions_ended ? `; ${sessions_ended} session(s) ended` : '';
        const what = { 'set-role': `is now ${user.role}`, disable: 'is disabled', enable: 'is enabled', 'reset-password': 'has a new password' }[sub as 'set-role'];
        io.stderr(`'${user.username}' ${what}${ended}\n`);
      }
      return EXIT.ok;
    } catch (e) {
      if (e instanceof AgentError && e.code !== 'INTERNAL') {
        io.stderr(`desktop-agent users ${sub}: ${e.message}\n`);
        return EXIT.failed;
      }
      throw e;
    } finally {
      await close();
    }
  },
};
