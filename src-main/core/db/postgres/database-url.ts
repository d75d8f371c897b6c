import { databaseUrlProblem } from '@shared/config/fleet-settings';
import { parseSecretRef, type SecretRef } from '@shared/domain/secret-ref';

/**
 * The fleet database's URL as the settings give it: a `postgres://` URL, or a `secrets://name`
 * reference resolved through the secrets backend. Whatever is said about it (logs, errors, the
 * CLI) goes through `whereOf` or `maskDatabaseUrl`: the password never leaves this module's caller.
 */

/** Where a setting came from, for messages: `--database-url`, `orchestrator.yaml storage.url`. */
export type UrlSource = string;

export class DatabaseUrlError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DatabaseUrlError';
  }
}

/** `postgres://user:***@host:port/db`: the URL with its password (and any query) hidden. */
export function maskDatabaseUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return '(an unreadable database URL)';
  }
  if (parsed.password) parsed.password = '***';
  const query = parsed.search ? '?…' : '';
  parsed.search = '';
  parsed.hash = '';
  return parsed.toString() + query;
}

/** `host:port/database` (no user, no password): how messages name the server. */
export function whereOf(url: string): string {
  try {
    const u = new URL(url);
    return `${u.hostname || '(local socket)'}:${u.port || '5432'}${u.pathname}`;
  } catch {
    return '(an unreadable database URL)';
  }
}

/** A message with every occurrence of the URL and its password replaced by the masked URL. */
export function scrubUrl(message: string, url: string): string {
  let out = message.split(url).join(maskDatabaseUrl(url));
  let password = '';
  try {
    password = decodeURIComponent(new URL(url).password);
  } catch {
    // An unreadable URL has no password to hide beyond the URL itself.
  }
  if (password) out = out.split(password).join('***').split(encodeURIComponent(password)).join('***');
  return out;
}

/**
 * The postgres:// URL a setting stands for. `lookup` reads a secret (the secrets store); it is
 * called only for a `secrets://` reference. Errors name the setting's source and the secret, never
 * a value.
 */
export async function resolveDatabaseUrl(setting: string, source: UrlSource, lookup: (ref: SecretRef) => Promise<string | undefined>): Promise<string> {
  const problem = databaseUrlProblem(setting);
  if (problem) throw new DatabaseUrlError(`${source}: ${problem}`);
  if (!setting.startsWith('secrets://')) return setting;
  const ref = parseSecretRef(setting);
  if (!ref.ok) throw new DatabaseUrlError(`${source}: ${ref.message}`);
  const value = (await lookup(ref.ref))?.trim();
  if (value === undefined || value === '') throw new DatabaseUrlError(`${source}: the secret ${setting} is in no secrets backend (store the URL there: printf %s 'postgres://…' | desktop-agent secrets set ${ref.ref.key}${ref.ref.service ? ` --service ${ref.ref.service}` : ''})`);
  const inner = databaseUrlProblem(value);
  if (inner || value.startsWith('secrets://')) throw new DatabaseUrlError(`${source}: the secret ${setting} does not hold a usable database URL (${inner ?? 'it names another secret'})`);
  return value;
}

/**
 * Which setting names the fleet database: `--database-url` when given, else orchestrator.yaml's
 * `storage.url` when `storage.kind` is postgres. Undefined when neither does (a single machine).
 */
export function chooseDatabaseUrl(flag: string | undefined, storage: { kind: string; url?: string }, configFile: string): { setting: string; source: UrlSource } | undefined {
  if (flag !== undefined) return { setting: flag, source: '--database-url' };
  if (storage.kind === 'postgres' && storage.url) return { setting: storage.url, source: `${configFile} storage.url` };
  return undefined;
}
