/**
 * The ports the core is built from (STYLE: pass values and ports into factories, no singletons).
 * Electron, `serve`, the CLI and tests each supply their own implementations.
 */

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

export interface SecretRef {
  key: string;
  service?: string;
}

export interface SecretListing {
  key: string;
  service?: string;
  backend: string;
  updatedAt?: string;
}

export interface SecretBackendStatus {
  name: string;
  available: boolean;
  writable: boolean;
  reason?: string;
}

/** Credentials; the secrets issue provides keychain, environment and encrypted-file backends. */
export interface SecretStore {
  get(ref: SecretRef): Promise<{ value: string; backend: string } | undefined>;
  set(ref: SecretRef, value: string): Promise<{ backend: string }>;
  delete(ref: SecretRef): Promise<boolean>;
  list(): Promise<SecretListing[]>;
  status(): Promise<SecretBackendStatus[]>;
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
