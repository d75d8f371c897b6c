import { join } from 'node:path';
import type { Database } from 'better-sqlite3';
import type { SecretBackendName } from '@shared/domain/secret-ref';
import { PASSPHRASE_VARIABLE } from '@shared/domain/secrets-lock';
import type { Clock, Logger, SecretStore } from '../../kernel/ports';
import type { AuditInput } from '../audit/audit-log';
import { createEnvBackend, ENV_PREFIX } from './env-backend';
import { createFileBackend } from './file-backend';
import { createKeychainBackend } from './keychain-backend';
import { createSystemKeychain, type KeychainPort } from './keychain-port';
import { SecretRecords } from './secret-records';
import { createSecretStore } from './secret-store';

export const SECRETS_FILE = 'secrets.enc';

export interface SecretsOptions {
  dataDir: string;
  db: Database;
  clock: Clock;
  /** Component `Secrets`. */
  logger: Logger;
  redactor: { register(value: string): void };
  audit?: { record(entry: AuditInput): void };
  /** `secrets.backends` of orchestrator.yaml, read on each call. */
  order: () => readonly SecretBackendName[];
  /** `secrets.keychain_timeout_ms`. */
  keychainTimeoutMs: () => number;
  /** DESKTOP_AGENT_SECRET_* and DESKTOP_AGENT_SECRETS_PASSPHRASE come from here. */
  env?: NodeJS.ProcessEnv;
  /** The OS keychain (keytar by default); tests inject one to run without D-Bus. */
  keychain?: KeychainPort;
}

/** Builds the store of SPEC section 8 from the data dir, the database and the configuration. */
export function createSecrets(options: SecretsOptions): SecretStore {
  const env = options.env ?? takeSecretsFromProcessEnv();
  const records = new SecretRecords(options.db);
  const passphrase = env[PASSPHRASE_VARIABLE] || undefined;
  // Secrets by declaration: masked from the start, whether or not a template uses them.
  if (passphrase) options.redactor.register(passphrase);
  for (const [name, value] of Object.entries(env)) if (name.startsWith(ENV_PREFIX) && value) options.redactor.register(value);

  // keytar and secret-tool reach D-Bus through the process environment, whatever `env` holds.
  const port = options.keychain ?? createSystemKeychain();
  const keychain = createKeychainBackend({
    port,
    clock: options.clock,
    get timeoutMs() {
      return options.keychainTimeoutMs();
    },
    knownServices: () => records.keychainServices(),
  });
  const file = createFileBackend({
    file: join(options.dataDir, SECRETS_FILE),
    passphrase,
    keychain,
    now: () => options.clock.now(),
    withWriteLock: (fn) => records.withWriteLock(fn),
    onValue: (v) => options.redactor.register(v),
  });
  return createSecretStore({
    order: options.order,
    backends: { keychain, env: createEnvBackend(env), file },
    records,
    redactor: options.redactor,
    audit: options.audit,
    logger: options.logger,
    clock: options.clock,
    onClose: () => port.abort?.('the secret store was closed'),
  });
}

/**
 * The secret variables of this process, moved out of `process.env`: a secret given in the
 * environment stays in this store's memory and is not inherited by what the engine starts
 * (the browser, xclip, xdg-open), the way the first Admin's password is handled.
 */
export function takeSecretsFromProcessEnv(): NodeJS.ProcessEnv {
  for (const name of Object.keys(process.env)) {
    if (name.startsWith(ENV_PREFIX) || name === PASSPHRASE_VARIABLE) {
      takenFromProcess[name] = process.env[name];
      delete process.env[name];
    }
  }
  // Every core of this process (tests build several) sees the same variables.
  return takenFromProcess;
}

const takenFromProcess: NodeJS.ProcessEnv = {};
