import { secretNameProblem } from '@shared/domain/secret-ref';
import type { Clock } from '../../kernel/ports';
import { BackendRefusedError, BackendUnavailableError, type Availability, type BackendEntry, type SecretBackend } from './backend';
import type { KeychainPort } from './keychain-port';

/** The keychain service of SPEC section 8, as in the guide's `security`/`secret-tool` commands. */
export const KEYCHAIN_SERVICE = 'com.axion.desktop-agent';

export function keychainService(service: string | undefined, base = KEYCHAIN_SERVICE): string {
  return service ? `${base}.${service}` : base;
}

export interface KeychainBackendOptions {
  port: KeychainPort;
  clock: Clock;
  /** Upper bound of one keychain call: a missing D-Bus or Secret Service can block. */
  timeoutMs: number;
  /** After a failure, the keychain is not asked again for this long (lookups fall through at once). */
  retryAfterMs?: number;
  /** Services Desktop Agent has stored under (from its metadata), listed besides the default one. */
  knownServices: () => string[];
  base?: string;
}

/** Where a timed-out or failed keychain stands: unusable until `until`. */
interface Outage {
  reason: string;
  until: number;
}

/**
 * The OS keychain backend: service `com.axion.desktop-agent[.<service>]`, account = key. Every
 * call is bounded by a timeout, after which the port aborts it (the system port kills its keytar
 * helper); a failure marks the keychain unavailable, with the reason, for a while, so a dead
 * D-Bus costs one timeout, never a crash or a hang. A port that cannot abort gets no new call
 * while an earlier one still hangs.
 */
export type KeychainBackend = SecretBackend & {
  /** Calls the keychain directly, with the same bounds (the file backend keeps its key here). */
  call<T>(what: string, fn: (port: KeychainPort) => Promise<T>, kind?: 'read' | 'write'): Promise<T>;
};

export function createKeychainBackend(options: KeychainBackendOptions): KeychainBackend {
  const base = options.base ?? KEYCHAIN_SERVICE;
  const retryAfterMs = options.retryAfterMs ?? 30_000;
  let outage: Outage | undefined;
  let hanging = 0;
  let writeFailure: string | undefined;

  /** A read error means the keychain cannot be asked; a write error only that this write failed. */
  const call = async <T>(what: string, fn: (port: KeychainPort) => Promise<T>, kind: 'read' | 'write' = 'read'): Promise<T> => {
    if (hanging > 0) {
      // keytar cannot cancel a call; while one hangs, another would only block another worker thread.
      throw new BackendUnavailableError('keychain', `${outage?.reason ?? 'an earlier keychain call never returned'} (a call is still waiting; restart Desktop Agent once the Secret Service works)`, 'keychain_unreachable');
    }
    if (outage && options.clock.now() < outage.until) throw new BackendUnavailableError('keychain', outage.reason, 'keychain_unreachable');
    let timer: NodeJS.Timeout | undefined;
    let timedOut = false;
    const work = fn(options.port);
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        timedOut = true;
        if (options.port.abort) options.port.abort(`no answer from the OS keychain within ${options.timeoutMs} ms`);
        else hanging++;
        reject(
          new BackendUnavailableError(
            'keychain',
            `no answer from the OS keychain within ${options.timeoutMs} ms (${what}); is a Secret Service (gnome-keyring, KWallet) running and unlocked on this D-Bus session?`,
            'keychain_unreachable',
          ),
        );
      }, options.timeoutMs);
    });
    try {
      const result = await Promise.race([work, timeout]);
      outage = undefined;
      return result;
    } catch (e) {
      if (e instanceof BackendUnavailableError) {
        outage = { reason: e.reason, until: options.clock.now() + retryAfterMs };
        throw e;
      }
      const reason = describeKeychainError(e as Error);
      if (kind === 'write') throw new BackendRefusedError('keychain', `The OS keychain refused: ${reason}`);
      outage = { reason, until: options.clock.now() + retryAfterMs };
      throw new BackendUnavailableError('keychain', reason, 'keychain_unreachable');
    } finally {
      clearTimeout(timer);
      if (timedOut && !options.port.abort) {
        work.then(
          () => hanging--,
          () => hanging--,
        );
      }
    }
  };

  const availability = async (): Promise<Availability> => {
    try {
      await call('probe', (k) => k.getPassword(base, '@availability-probe'));
      return writeFailure ? { available: true, writable: false, reason: `the last write failed: ${writeFailure}`, lock: 'keychain_locked' } : { available: true };
    } catch (e) {
      return { available: false, reason: e instanceof BackendUnavailableError ? e.reason : (e as Error).message, lock: 'keychain_unreachable' };
    }
  };

  return {
    name: 'keychain',
    writable: true,
    call,
    availability,
    async get(ref) {
      return (await call(`read ${ref.key}`, (k) => k.getPassword(keychainService(ref.service, base), ref.key))) ?? undefined;
    },
    async set(ref, value) {
      try {
        await call(`store ${ref.key}`, (k) => k.setPassword(keychainService(ref.service, base), ref.key, value), 'write');
        writeFailure = undefined;
      } catch (e) {
        if (!(e instanceof BackendRefusedError)) throw e;
        // Typically a Secret Service without an unlocked default keyring ("…/collection/login does not exist").
        writeFailure = e.message.replace(/^The OS keychain refused: /, '');
        throw new BackendRefusedError(
          'keychain',
          `The OS keychain could not store the secret: ${writeFailure}. Unlock (or create) the default keyring, or choose another backend (--backend file)`,
        );
      }
    },
    async delete(ref) {
      return call(`delete ${ref.key}`, (k) => k.deletePassword(keychainService(ref.service, base), ref.key), 'write');
    },
    async list() {
      const services = [undefined, ...new Set(options.knownServices())];
      const out: BackendEntry[] = [];
      for (const service of services) {
        const accounts = await call('list', (k) => k.findAccounts(keychainService(service, base)));
        // Accounts that are not valid keys (the file backend's own key, probes) are not secrets of templates.
        for (const key of accounts) if (!secretNameProblem(key)) out.push(service ? { key, service } : { key });
      }
      return out;
    },
  };
}

function describeKeychainError(e: Error): string {
  const m = e.message || String(e);
  if (/autolaunch D-Bus|DBUS_SESSION_BUS_ADDRESS|dbus/i.test(m)) {
    return `no D-Bus session with a Secret Service (${m}); on a headless Linux start one (dbus-run-session, gnome-keyring-daemon --unlock) or use the env or file backend`;
  }
  return m;
}
