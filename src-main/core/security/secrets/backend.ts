import type { SecretBackendName, SecretRef } from '@shared/domain/secret-ref';
import type { SecretsLock } from '@shared/domain/secrets-lock';

export interface Availability {
  available: boolean;
  /** False when reads work but writes fail (a keychain without an unlocked default keyring). */
  writable?: boolean;
  /** Why not, and what to do about it. */
  reason?: string;
  /** The same as a code when the backend is locked (secrets-lock.ts). */
  lock?: SecretsLock;
}

/** A secret a backend holds: its name and, where the backend knows it, when it last changed (epoch ms). */
export interface BackendEntry {
  key: string;
  service?: string;
  updatedAt?: number;
}

/**
 * One place secrets live. Reads and writes of an unusable backend throw BackendUnavailableError
 * (so the store can skip it and say why); a secret that is simply absent is `undefined`.
 */
export interface SecretBackend {
  readonly name: SecretBackendName;
  readonly writable: boolean;
  /** Whether the backend can be used now. Never throws; bounded in time. */
  availability(): Promise<Availability>;
  get(ref: SecretRef): Promise<string | undefined>;
  set(ref: SecretRef, value: string): Promise<void>;
  delete(ref: SecretRef): Promise<boolean>;
  list(): Promise<BackendEntry[]>;
}

export class BackendUnavailableError extends Error {
  constructor(
    readonly backend: SecretBackendName,
    readonly reason: string,
    readonly lock?: SecretsLock,
  ) {
    super(`The ${backend} secrets backend is unavailable: ${reason}`);
    this.name = 'BackendUnavailableError';
  }
}

/** A backend refused an operation it does not support or a value it cannot hold. */
export class BackendRefusedError extends Error {
  constructor(
    readonly backend: SecretBackendName,
    message: string,
  ) {
    super(message);
    this.name = 'BackendRefusedError';
  }
}
