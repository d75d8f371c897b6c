import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { inject } from 'vitest';

/** What test-support/keyring-setup.ts found: a usable OS keychain, or why not. */
export type KeyringState = { available: true; started: boolean } | { available: false; reason: string };

declare module 'vitest' {
  export interface ProvidedContext {
    keyring: KeyringState;
  }
}

/** The keyring state, for `describe.skipIf(!keyring.available)` with the reason in the title. */
export function testKeyring(): KeyringState {
  return inject('keyring') ?? { available: false, reason: 'the keyring global setup did not run (vitest.config.ts globalSetup)' };
}

/** A suffix for test titles: empty when the keychain is there, else the reason the tests are skipped. */
export function keyringSkipReason(state: KeyringState = testKeyring()): string {
  return state.available ? '' : ` — SKIPPED: ${state.reason}`;
}

/**
 * The keychain bound tests give a core (`secrets.keychain_timeout_ms`). The 3 s default answered
 * a loaded machine's D-Bus too late: with both cores busy, one read of gnome-keyring took longer,
 * and the run failed with "Secret … not found (could not ask keychain: no answer … within 3000 ms)".
 * Tests of the timeout itself set their own.
 */
export const TEST_KEYCHAIN_TIMEOUT_MS = 20_000;

/** Writes `configs/orchestrator.yaml` with only that bound, for a `serve` started on `dataDir`. */
export function patientKeychainConfig(dataDir: string): string {
  mkdirSync(join(dataDir, 'configs'), { recursive: true });
  writeFileSync(join(dataDir, 'configs', 'orchestrator.yaml'), `secrets:\n  keychain_timeout_ms: ${TEST_KEYCHAIN_TIMEOUT_MS}\n`);
  return dataDir;
}
