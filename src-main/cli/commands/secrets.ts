import { formatSecretRef, type SecretRef } from '@shared/domain/secret-ref';
import { lockSentence } from '@shared/domain/secrets-lock';
import { AgentError, type AgentClient } from '@shared/client/agent-client';
import { UsageError } from '../../host/runtime-options';
import { currentOsUser } from '../../core/api/cli-access';
import { secretNotFoundMessage } from '../../core/security/secrets/secret-store';
import { closeLocalCore, connectCli, openLocalCore } from '../client/connect';
import { exitCodeOf } from '../client/cli-errors';
import { EXIT, parseCommandArgs, type CliIo, type Command } from '../io';

const USAGE = [
  'desktop-agent secrets set KEY [--service S] [--backend keychain|file]  value from stdin, never an argument (one trailing newline dropped)',
  '       desktop-agent secrets get KEY [--service S]                         prints the value on stdout: it is your own keychain',
  '       desktop-agent secrets list [--json]                                  names, services, backends and dates; never values',
  '       desktop-agent secrets delete KEY [--service S] [--backend B]',
  '       desktop-agent secrets status [--json]                                backends in lookup order, availability, lookups in 24 h',
  '       Goes to the running app or serve on the data dir if there is one (its backends), else works on the data dir here;',
  '       `get` always reads here: values never cross the API. Changes and reads are in the audit log.',
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
    const actions: Record<string, (client: AgentClient) => Promise<number>> = {
      set: (c) => setSecret(c, refOf(args, values.service, 'set'), values.backend, values.json, io),
      delete: (c) => deleteSecret(c, refOf(args, values.service, 'delete'), values.backend, values.json, io),
      list: (c) => listSecrets(c, values.json, io, args),
      status: (c) => showStatus(c, values.json, io, args),
    };
    if (action === 'get') return getSecret(refOf(args, values.service, 'get'), values, io);
    const run = action ? actions[action] : undefined;
    if (!run) throw new UsageError(action ? `unknown action '${action}': use set, get, list, delete or status` : 'secrets needs an action: set, get, list, delete or status');
    if (action === 'set' && args.length > 1) {
      throw new UsageError('the value is read from stdin, never from the command line (ps and shell history would show it): echo VALUE | desktop-agent secrets set KEY');
    }
    const { client, close } = await connectCli(values, io, 'in-process');
    try {
      return await run(client);
    } catch (e) {
      if (e instanceof AgentError) {
        // Already masked by the dispatcher.
        io.stderr(`desktop-agent secrets ${action}: ${e.message}\n`);
        return exitCodeOf(e) === EXIT.invalid && e.code === 'VALIDATION_ERROR' ? EXIT.invalid : EXIT.failed;
      }
      throw e;
    } finally {
      await close();
    }
  },
};

function refOf(args: string[], service: string | undefined, action: string): SecretRef {
  if (args.length === 0) throw new UsageError(`secrets ${action} needs a KEY`);
  if (args.length > 1 && action !== 'set') throw new UsageError(`secrets ${action} takes one KEY (got ${args.length})`);
  return service !== undefined ? { key: args[0]!, service } : { key: args[0]! };
}

async function setSecret(client: AgentClient, ref: SecretRef, backend: string | undefined, json: boolean | undefined, io: CliIo): Promise<number> {
  const value = (await io.readStdin()).replace(/\r?\n$/, '');
  const b = backend as 'keychain' | 'file' | undefined;
  const r = ref.service !== undefined ? await client.invoke('secrets.setInService', { service: ref.service, key: ref.key, value, backend: b }) : await client.invoke('secrets.set', { key: ref.key, value, backend: b });
  if (json) io.stdout(JSON.stringify(r) + '\n');
  io.stderr(`Stored secret '${formatSecretRef(ref)}' in the ${r.backend} backend.\n`);
  if (r.shadowed_by) io.stderr(`Note: the ${r.shadowed_by} backend comes first in secrets.backends and also holds '${formatSecretRef(ref)}'; lookups answer with that one.\n`);
  return EXIT.ok;
}

/** Values never cross the API, so `get` reads the data dir's backends in this process (your own keychain). */
async function getSecret(ref: SecretRef, flags: Record<string, string | boolean | undefined>, io: CliIo): Promise<number> {
  const core = await openLocalCore(flags, io);
  try {
    const r = await core.secrets.lookup(ref, { user: currentOsUser(), source: 'cli' });
    if (!r.found) {
      io.stderr(`${secretNotFoundMessage(ref, r.unavailable)}\n`);
      return EXIT.failed;
    }
    io.stdout(r.value);
    io.stderr(`\n(from the ${r.backend} backend)\n`);
    return EXIT.ok;
  } finally {
    await closeLocalCore(core);
  }
}

async function deleteSecret(client: AgentClient, ref: SecretRef, backend: string | undefined, json: boolean | undefined, io: CliIo): Promise<number> {
  const b = backend as 'keychain' | 'file' | undefined;
  const notFound = `Secret '${formatSecretRef(ref)}' not found in ${backend ?? 'any writable backend'}.\n`;
  let r;
  try {
    r = ref.service !== undefined ? await client.invoke('secrets.deleteInService', { service: ref.service, key: ref.key, backend: b }) : await client.invoke('secrets.delete', { key: ref.key, backend: b });
  } catch (e) {
    if (!(e instanceof AgentError) || e.code !== 'NOT_FOUND') throw e;
    io.stderr(notFound);
    return EXIT.failed;
  }
  if (json) io.stdout(JSON.stringify(r) + '\n');
  if (!r.deleted_from.length) {
    io.stderr(notFound);
    return EXIT.failed;
  }
  io.stderr(`Deleted secret '${formatSecretRef(ref)}' from ${r.deleted_from.join(', ')}.\n`);
  return EXIT.ok;
}

async function listSecrets(client: AgentClient, json: boolean | undefined, io: CliIo, extra: string[]): Promise<number> {
  if (extra.length) throw new UsageError('secrets list takes no KEY');
  const listing = await client.invoke('secrets.list', {});
  const { items, notice } = listing;
  if (json) {
    io.stdout(JSON.stringify(listing) + '\n');
    return EXIT.ok;
  }
  const rows = [['SERVICE', 'KEY', 'BACKEND', 'UPDATED'], ...items.map((i) => [i.service ?? '-', i.key, i.backend + (i.shadowed_by ? ` (shadowed by ${i.shadowed_by})` : ''), i.updated_at ?? '-'])];
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  io.stdout(rows.map((r) => r.map((cell, c) => cell.padEnd(widths[c]!)).join('  ').trimEnd()).join('\n') + '\n');
  // "No secrets found" would be wrong while a backend that holds some is locked: say what and how to unlock it.
  if (notice) io.stderr(`${notice}\n`);
  else if (!items.length) io.stderr('No secrets found.\n');
  return EXIT.ok;
}

async function showStatus(client: AgentClient, json: boolean | undefined, io: CliIo, extra: string[]): Promise<number> {
  if (extra.length) throw new UsageError('secrets status takes no KEY');
  const status = await client.invoke('secrets.status', {});
  if (json) {
    io.stdout(JSON.stringify(status) + '\n');
    return EXIT.ok;
  }
  for (const b of status.backends) {
    io.stdout(
      `${b.name.padEnd(9)} ${b.available ? (b.writable ? 'available' : 'available, read-only') : 'UNAVAILABLE'}  lookups ${b.lookups_24h}  hits ${b.hits_24h}  misses ${b.misses_24h}  errors ${b.errors_24h}${b.lock ? `\n          ${lockSentence(b.lock)}` : ''}${b.reason ? `\n          ${b.reason}` : ''}\n`,
    );
  }
  io.stdout(`lookups in 24 h: ${status.lookups_24h} (hits ${status.hits_24h}, misses ${status.misses_24h})\n`);
  return EXIT.ok;
}
