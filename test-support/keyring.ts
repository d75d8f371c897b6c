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
