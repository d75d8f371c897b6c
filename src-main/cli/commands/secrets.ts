import { formatSecretRef, type SecretRef } from '@shared/domain/secret-ref';
import { AppError } from '../../core/kernel/errors';
import { UsageError } from '../../host/runtime-options';
import { EXIT, parseCommandArgs, type CliIo, type Command } from '../io';
import { secretNotFoundMessage } from '../../core/security/secrets/secret-store';
import { openSecretsAt, type SecretsSession } from './secrets-session';

const USAGE = [
  'desktop-agent secrets set KEY [--service S] [--backend keychain|file]  value from stdin, never an argument (one trailing newline dropped)',
  '       desktop-agent secrets get KEY [--service S]                         prints the value on stdout: it is your own keychain',
  '       desktop-agent secrets list [--json]                                  names, services, backends and dates; never values',
  '       desktop-agent secrets delete KEY [--service S] [--backend B]',
  '       desktop-agent secrets status [--json]                                backends in lookup order, availability, lookups in 24 h',
  '       Works on the data dir directly (no server needed); changes and reads are in the audit log.',
  '       Environment backend: DESKTOP_AGENT_SECRET_<KEY>, or DESKTOP_AGENT_SECRET_<SERVICE>__<KEY>, upper-cased.',
].join('\n');

const OPTIONS = {
  service: { type: 'string' },
  backend: { type: 'string' },
  json: { type: 'boolean' },
} as const;

export const secretsCommand: Command = {
  name: 'secrets',
  summary: 'Store, read, list and delete secrets (OS keychain, environment, encrypted file); `status` shows the backends',
  usage: USAGE,
  async run(argv, io) {
    const { values, positionals } = parseCommandArgs(argv, OPTIONS);
    const [action, ...args] = positionals;
    const actions: Record<string, (s: SecretsSession) => Promise<number>> = {
      set: (s) => setSecret(s, refOf(args, values.service, 'set'), values.backend, values.json, io),
      get: (s) => getSecret(s, refOf(args, values.service, 'get'), io),
      delete: (s) => deleteSecret(s, refOf(args, values.service, 'delete'), values.backend, values.json, io),
      list: (s) => listSecrets(s, values.json, io, args),
      status: (s) => showStatus(s, values.json, io, args),
    };
    const run = action ? actions[action] : undefined;
    if (!run) throw new UsageError(action ? `unknown action '${action}': use set, get, list, delete or status` : 'secrets needs an action: set, get, list, delete or status');
    if (action === 'set' && args.length > 1) {
      throw new UsageError('the value is read from stdin, never from the command line (ps and shell history would show it): echo VALUE | desktop-agent secrets set KEY');
    }
    const session = await openSecretsAt(values, io);
    try {
      return await run(session);
    } catch (e) {
      if (e instanceof AppError) {
        io.stderr(`desktop-agent secrets ${action}: ${session.redactor.mask(e.message)}\n`);
        return e.code === 'VALIDATION_ERROR' ? EXIT.invalid : EXIT.failed;
      }
      throw e;
    } finally {
      session.close();
    }
  },
};

function refOf(args: string[], service: string | undefined, action: string): SecretRef {
  if (args.length === 0) throw new UsageError(`secrets ${action} needs a KEY`);
  if (args.length > 1 && action !== 'set') throw new UsageError(`secrets ${action} takes one KEY (got ${args.length})`);
  return service !== undefined ? { key: args[0]!, service } : { key: args[0]! };
}

async function setSecret(s: SecretsSession, ref: SecretRef, backend: string | undefined, json: boolean | undefined, io: CliIo): Promise<number> {
  const value = (await io.readStdin()).replace(/\r?\n$/, '');
  s.redactor.register(value);
  const audit = { action: 'secrets.set', ref };
  try {
    const r = await s.store.set(ref, value, { backend, user: s.user, source: 'cli' });
    s.audited({ ...audit, result: 'ok', details: { backend: r.backend } });
    if (json) io.stdout(JSON.stringify({ key: ref.key, service: ref.service ?? null, backend: r.backend, updated_at: r.updatedAt, shadowed_by: r.shadowedBy ?? null }) + '\n');
    io.stderr(`Stored secret '${formatSecretRef(ref)}' in the ${r.backend} backend.\n`);
    if (r.shadowedBy) io.stderr(`Note: the ${r.shadowedBy} backend comes first in secrets.backends and also holds '${formatSecretRef(ref)}'; lookups answer with that one.\n`);
    return EXIT.ok;
  } catch (e) {
    s.audited({ ...audit, result: 'error', details: { message: (e as Error).message } });
    throw e;
  }
}

async function getSecret(s: SecretsSession, ref: SecretRef, io: CliIo): Promise<number> {
  const r = await s.store.lookup(ref, { user: s.user, source: 'cli' });
  if (!r.found) {
    io.stderr(`${secretNotFoundMessage(ref, r.unavailable)}\n`);
    return EXIT.failed;
  }
  io.stdout(r.value);
  io.stderr(`\n(from the ${r.backend} backend)\n`);
  return EXIT.ok;
}

async function deleteSecret(s: SecretsSession, ref: SecretRef, backend: string | undefined, json: boolean | undefined, io: CliIo): Promise<number> {
  const audit = { action: 'secrets.delete', ref };
  let deleted: string[];
  try {
    deleted = await s.store.delete(ref, { backend, user: s.user, source: 'cli' });
  } catch (e) {
    s.audited({ ...audit, result: 'error', details: { message: (e as Error).message } });
    throw e;
  }
  s.audited({ ...audit, result: deleted.length ? 'ok' : 'error', details: { deleted_from: deleted } });
  if (json) io.stdout(JSON.stringify({ key: ref.key, service: ref.service ?? null, deleted_from: deleted }) + '\n');
  if (!deleted.length) {
    io.stderr(`Secret '${formatSecretRef(ref)}' not found in ${backend ?? 'any writable backend'}.\n`);
    return EXIT.failed;
  }
  io.stderr(`Deleted secret '${formatSecretRef(ref)}' from ${deleted.join(', ')}.\n`);
  return EXIT.ok;
}

async function listSecrets(s: SecretsSession, json: boolean | undefined, io: CliIo, extra: string[]): Promise<number> {
  if (extra.length) throw new UsageError('secrets list takes no KEY');
  const items = await s.store.list();
  s.audited({ action: 'secrets.list', result: 'granted' });
  if (json) {
    io.stdout(JSON.stringify({ items: items.map((i) => ({ key: i.key, service: i.service ?? null, backend: i.backend, updated_at: i.updatedAt ?? null, created_at: i.createdAt ?? null, shadowed_by: i.shadowedBy ?? null })) }) + '\n');
    return EXIT.ok;
  }
  const rows = [['SERVICE', 'KEY', 'BACKEND', 'UPDATED'], ...items.map((i) => [i.service ?? '-', i.key, i.backend + (i.shadowedBy ? ` (shadowed by ${i.shadowedBy})` : ''), i.updatedAt ?? '-'])];
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  io.stdout(rows.map((r) => r.map((cell, c) => cell.padEnd(widths[c]!)).join('  ').trimEnd()).join('\n') + '\n');
  if (!items.length) io.stderr('No secrets found.\n');
  return EXIT.ok;
}

async function showStatus(s: SecretsSession, json: boolean | undefined, io: CliIo, extra: string[]): Promise<number> {
  if (extra.length) throw new UsageError('secrets status takes no KEY');
  const status = await s.status();
  if (json) {
    io.stdout(JSON.stringify(status) + '\n');
    return EXIT.ok;
  }
  for (const b of status.backends) {
    io.stdout(
      `${b.name.padEnd(9)} ${b.available ? (b.writable ? 'available' : 'available, read-only') : 'UNAVAILABLE'}  lookups ${b.lookups_24h}  hits ${b.hits_24h}  misses ${b.misses_24h}  errors ${b.errors_24h}${b.reason ? `\n          ${b.reason}` : ''}\n`,
    );
  }
  io.stdout(`lookups in 24 h: ${status.lookups_24h} (hits ${status.hits_24h}, misses ${status.misses_24h})\n`);
  return EXIT.ok;
}
