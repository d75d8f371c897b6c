/**
 * The ports the core is built from (STYLE: pass values and ports into factories, no singletons).
 * Electron, `serve`, the CLI and tests each supply their own implementations.
 */
import type { SecretRef } from '@shared/domain/secret-ref';
import type { SecretsLock } from '@shared/domain/secrets-lock';

export interface TimerHandle {
  cancel(): void;
}

/** Time and timers. Tests use FakeClock so time-based logic never sleeps. */
export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
  /** Calls fn once after ms; the returned handle cancels it. */
  setTimer(ms: number, fn: () => void): TimerHandle;
}

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
export type LogFields = Record<string, unknown>;

/** Structured logging; every line carries a `component` (Queue, RBAC, Secrets, Engine, API, ...). */
export interface Logger {
  child(component: string, fields?: LogFields): Logger;
  debug(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
}

/** Where things live on disk (SPEC section 1). */
export interface Paths {
  dataDir: string;
  configDir: string;
  /** The defaults shipped in `configs/`, copied into configDir on first start. */
  defaultConfigDir: string;
  dbFile: string;
  logsDir: string;
  logFile: string;
  artifactsDir: string;
  runtimeFile: string;
}

export type { SecretRef };

export interface SecretListing {
  key: string;
  service?: string;
  backend: string;
  /** ISO-8601 UTC; unknown for entries made outside Desktop Agent (secret-tool, environment). */
  updatedAt?: string;
  createdAt?: string;
  /** An earlier backend in the lookup order has the same reference, so lookups answer with that one. */
  shadowedBy?: string;
}

export interface SecretBackendStatus {
  name: string;
  available: boolean;
  writable: boolean;
  /** Why the backend is unavailable (or why its last write failed), and what to do. */
  reason?: string;
  /** The same as a code, when it is locked (keychain unreachable, no passphrase…), for the UI's words. */
  lock?: SecretsLock;
}

/** The listing, and the locked backends whose secrets it cannot show. */
export interface SecretListingResult {
  items: SecretListing[];
  locked: { backend: string; lock: SecretsLock }[];
}

/** Who reads a secret and for what: recorded in the audit log (never the value). */
export interface SecretAccess {
  /** The user the run was requested by, or the CLI/API caller. */
  user?: string | null;
  runId?: string;
  /** The step's id or index within the run. */
  step?: string | number;
  /** `engine`, `cli`, an IP address. */
  source?: string;
}

export type SecretLookup =
  | { found: true; value: string; backend: string }
  /** `unavailable` names the backends that could not be asked, with the reason (for the step's error). */
  | { found: false; unavailable: { backend: string; reason: string }[] };

export interface SecretWriteOptions {
  /** A backend by name; default: the first writable, available backend in the configured order. */
  backend?: string;
  user?: string | null;
  source?: string;
}

/**
 * Credentials from the backends of SPEC section 8 (keychain, environment, encrypted file), tried
 * in the configured order. Every value read or written is registered with the Redactor.
 */
export interface SecretStore {
  /** The value, or undefined when no backend has it. Audited when `access` is given. */
  get(ref: SecretRef, access?: SecretAccess): Promise<{ value: string; backend: string } | undefined>;
  /** Like get, and on a miss says which backends could not be asked. */
  lookup(ref: SecretRef, access?: SecretAccess): Promise<SecretLookup>;
  set(ref: SecretRef, value: string, options?: SecretWriteOptions): Promise<{ backend: string; updatedAt: string; shadowedBy?: string }>;
  /** Removes the secret from every writable backend (or the one named); returns the backends it was removed from. */
  delete(ref: SecretRef, options?: SecretWriteOptions): Promise<string[]>;
  list(): Promise<SecretListing[]>;
  listing(): Promise<SecretListingResult>;
  status(): Promise<SecretBackendStatus[]>;
  /** Releases what the backends hold (the keychain helper process). */
  close?(): void;
}

export interface Notification {
  title: string;
  body: string;
  /** What a click on the notification opens, e.g. `approval:<id>`. */
  action?: string;
}

/** Reaching the person and their desktop: notifications and opening files. */
export interface Notifier {
  notify(notification: Notification): void;
  openPath(path: string): Promise<void>;
}
