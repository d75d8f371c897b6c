import { randomBytes } from 'node:crypto';
import { closeSync, fsyncSync, openSync, readFileSync, renameSync, rmSync, statSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { SecretRef } from '@shared/domain/secret-ref';
import { PASSPHRASE_VARIABLE, type SecretsLock } from '@shared/domain/secrets-lock';
import { BackendRefusedError, BackendUnavailableError, type Availability, type SecretBackend } from './backend';
import { KEYCHAIN_SERVICE, type KeychainBackend } from './keychain-backend';
import { deriveKey, EnvelopeError, newScryptParams, readHeader, seal, unseal, type KdfParams } from './secrets-envelope';

interface StoredEntry {
  service: string | null;
  key: string;
  value: string;
  created_at: number;
  updated_at: number;
}

interface Contents {
  version: 1;
  entries: StoredEntry[];
}

export interface FileBackendOptions {
  file: string;
  passphrase?: string;
  /** Where a random file key is kept when there is no passphrase. */
  keychain?: KeychainBackend;
  now: () => number;
  /** Serializes writers across processes (the server and the CLI): the database's write lock. */
  withWriteLock: <T>(fn: () => T) => T;
  /** Told about every value decrypted or written (the Redactor). */
  onValue: (value: string) => void;
}

const NO_KEY_REASON =
  `no key for secrets.enc: set ${PASSPHRASE_VARIABLE} (the file key is then derived from it with scrypt), ` +
  'or make the OS keychain available so a random key can be kept there';

/**
 * `<data-dir>/secrets.enc`: every secret in one AES-256-GCM envelope (see secrets-envelope.ts).
 * The key comes from the OS keychain (a random 32-byte key under its own account) or from
 * DESKTOP_AGENT_SECRETS_PASSPHRASE via scrypt; it is never written beside the data. Writes are
 * atomic (temp file, fsync, rename; mode 0600) and serialized with other processes.
 */
export function createFileBackend(options: FileBackendOptions): SecretBackend {
  const name = basename(options.file);
  const keys = new Map<string, Buffer>();
  let cache: { stamp: string; contents: Contents } | undefined;

  const unavailable = (reason: string, lock?: SecretsLock) => new BackendUnavailableError('file', reason, lock);
  const envelopeUnavailable = (e: EnvelopeError) => unavailable(e.message, e.kind === 'wrong_key' && e.kdf === 'scrypt' ? 'file_passphrase_wrong' : undefined);

  const readRaw = (): { bytes: Buffer; stamp: string } | undefined => {
    try {
      const st = statSync(options.file);
      return { bytes: readFileSync(options.file), stamp: `${st.ino}:${st.size}:${st.mtimeMs}` };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw unavailable(`${options.file} cannot be read: ${(e as Error).message}`);
    }
  };

  const keyFor = async (kdf: KdfParams, create: boolean): Promise<Buffer> => {
    const id = kdf.name === 'scrypt' ? `scrypt:${kdf.salt}:${kdf.N}:${kdf.r}:${kdf.p}` : `keychain:${kdf.account}`;
    const known = keys.get(id);
    if (known) return known;
    let key: Buffer;
    if (kdf.name === 'scrypt') {
      if (!options.passphrase) throw unavailable(`${name} is encrypted with a passphrase: set ${PASSPHRASE_VARIABLE} to the passphrase it was created with`, 'file_passphrase_needed');
      key = await deriveKey(options.passphrase, kdf);
    } else {
      if (!options.keychain) throw unavailable(`${name} is encrypted with a key kept in the OS keychain (account ${kdf.account}), and the keychain is not in use`, 'file_key_unreachable');
      let stored: string | null;
      try {
        stored = await options.keychain.call('file key', (k) => k.getPassword(KEYCHAIN_SERVICE, kdf.account));
      } catch (e) {
        throw unavailable(`${name} is encrypted with a key kept in the OS keychain (account ${kdf.account}), which cannot be reached: ${(e as BackendUnavailableError).reason ?? (e as Error).message}`, 'file_key_unreachable');
      }
      if (stored === null && create) {
        stored = randomBytes(32).toString('base64');
        try {
          await options.keychain.call('store file key', (k) => k.setPassword(KEYCHAIN_SERVICE, kdf.account, stored!), 'write');
        } catch (e) {
          throw unavailable(`could not keep a key for ${name} in the OS keychain (${(e as Error).message}); set ${PASSPHRASE_VARIABLE} instead`, 'file_no_key');
        }
      }
      if (stored === null) {
        throw unavailable(
          `${name} is encrypted with a key kept in the OS keychain (service ${KEYCHAIN_SERVICE}, account ${kdf.account}), and the keychain has no such entry: restore that keychain entry, or move ${name} away to start an empty one`,
          'file_key_missing',
        );
      }
      key = Buffer.from(stored, 'base64');
    }
    keys.set(id, key);
    return key;
  };

  /** The kdf for a new file: the passphrase if one is set, else a new random key in the keychain. */
  const newKdf = (): KdfParams => {
    if (options.passphrase) return newScryptParams();
    if (options.keychain) return { name: 'keychain', account: `secrets-file-key:${randomBytes(8).toString('hex')}` };
    throw unavailable(NO_KEY_REASON, 'file_no_key');
  };

  const decode = (bytes: Buffer, key: Buffer): Contents => {
    const plain = unseal(bytes, key, name);
    const contents = JSON.parse(plain.toString('utf8')) as Contents;
    for (const e of contents.entries) options.onValue(e.value);
    return contents;
  };

  /** The current contents, or undefined when there is no file yet. */
  const load = async (): Promise<Contents | undefined> => {
    const raw = readRaw();
    if (!raw) return undefined;
    if (cache?.stamp === raw.stamp) return cache.contents;
    try {
      const key = await keyFor(readHeader(raw.bytes, name).header.kdf, false);
      const contents = decode(raw.bytes, key);
      cache = { stamp: raw.stamp, contents };
      return contents;
    } catch (e) {
      if (e instanceof EnvelopeError) throw envelopeUnavailable(e);
      throw e;
    }
  };

  /** Another process created or replaced the file between reading its header and taking the lock. */
  const RACED = Symbol('raced');

  const write = async (change: (c: Contents) => boolean): Promise<boolean> => {
    for (let attempt = 0; ; attempt++) {
      // The key is fetched first (it may need the keychain or scrypt, both asynchronous); the
      // read-modify-write itself runs synchronously under the cross-process write lock.
      const first = readRaw();
      const kdf = first ? readHeader(first.bytes, name).header.kdf : newKdf();
      const key = await keyFor(kdf, !first);
      const result = options.withWriteLock((): boolean | typeof RACED => {
        const raw = readRaw();
        let contents: Contents;
        if (raw) {
          if (JSON.stringify(readHeader(raw.bytes, name).header.kdf) !== JSON.stringify(kdf)) return RACED;
          contents = cache?.stamp === raw.stamp ? cache.contents : decode(raw.bytes, key);
        } else {
          if (first) return RACED;
          contents = { version: 1, entries: [] };
        }
        const next: Contents = { version: 1, entries: contents.entries.map((e) => ({ ...e })) };
        if (!change(next)) return false;
        atomicWrite(options.file, seal(Buffer.from(JSON.stringify(next), 'utf8'), key, kdf));
        cache = undefined;
        return true;
      });
      if (result !== RACED) return result;
      if (!first && kdf.name === 'keychain') {
        // Another process created the file first: the key made for ours is of no use.
        const account = kdf.account;
        keys.delete(`keychain:${account}`);
        await options.keychain?.call('drop unused file key', (k) => k.deletePassword(KEYCHAIN_SERVICE, account), 'write').catch(() => false);
      }
      if (attempt >= 5) throw unavailable(`${name} keeps changing while it is being written (another process?); try again`);
    }
  };

  const matches = (ref: SecretRef) => (e: StoredEntry) => e.key === ref.key && (e.service ?? undefined) === (ref.service ?? undefined);

  const wrap = async <T>(fn: () => Promise<T>): Promise<T> => {
    try {
      return await fn();
    } catch (e) {
      if (e instanceof EnvelopeError) throw envelopeUnavailable(e);
      throw e;
    }
  };

  return {
    name: 'file',
    writable: true,
    async availability(): Promise<Availability> {
      try {
        const contents = await load();
        if (!contents && !options.passphrase) {
          if (!options.keychain) return { available: false, reason: NO_KEY_REASON, lock: 'file_no_key' };
          const k = await options.keychain.availability();
          if (!k.available) return { available: false, reason: `${NO_KEY_REASON} (the keychain: ${k.reason})`, lock: 'file_no_key' };
        }
        return { available: true };
      } catch (e) {
        if (e instanceof BackendUnavailableError) return { available: false, reason: e.reason, ...(e.lock ? { lock: e.lock } : {}) };
        return { available: false, reason: (e as Error).message };
      }
    },
    async get(ref) {
      return (await wrap(load))?.entries.find(matches(ref))?.value;
    },
    async set(ref, value) {
      options.onValue(value);
      const now = options.now();
      await wrap(() =>
        write((c) => {
          const existing = c.entries.find(matches(ref));
          if (existing) Object.assign(existing, { value, updated_at: now });
          else c.entries.push({ service: ref.service ?? null, key: ref.key, value, created_at: now, updated_at: now });
          return true;
        }),
      );
    },
    async delete(ref) {
      if (!readRaw()) return false;
      return wrap(() =>
        write((c) => {
          const before = c.entries.length;
          c.entries = c.entries.filter((e) => !matches(ref)(e));
          return c.entries.length !== before;
        }),
      );
    },
    async list() {
      const contents = await wrap(load);
      return (contents?.entries ?? []).map((e) => ({ key: e.key, ...(e.service ? { service: e.service } : {}), updatedAt: e.updated_at }));
    },
  };
}

/** Writes a file so that readers see the old or the new bytes, never a mix: temp file, fsync, rename. */
function atomicWrite(file: string, bytes: Buffer): void {
  const tmp = join(dirname(file), `.${basename(file)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  let fd: number | undefined;
  try {
    fd = openSync(tmp, 'wx', 0o600);
    writeSync(fd, bytes);
    fsyncSync(fd);
    closeSync(fd);
    fd = undefined;
    renameSync(tmp, file);
  } catch (e) {
    if (fd !== undefined) closeSync(fd);
    rmSync(tmp, { force: true });
    throw new BackendRefusedError('file', `Could not write ${file}: ${(e as Error).message}`);
  }
  try {
    const dir = openSync(dirname(file), 'r');
    fsyncSync(dir);
    closeSync(dir);
  } catch {
    // Directory fsync is not supported everywhere (Windows); the rename is still atomic.
  }
}
