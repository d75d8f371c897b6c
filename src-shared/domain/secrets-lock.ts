/**
 * Why a secrets backend cannot be used now, as a code the UI words in its language and the core
 * and CLI word in English: what is locked, and how to unlock it (issue 14, item 9). Other
 * reasons (a full disk, a damaged file) are shown as the backend said them.
 */
export const SECRETS_LOCKS = [
  'keychain_unreachable',
  'keychain_locked',
  'file_passphrase_needed',
  'file_passphrase_wrong',
  'file_key_unreachable',
  'file_key_missing',
  'file_no_key',
] as const;
export type SecretsLock = (typeof SECRETS_LOCKS)[number];

export const PASSPHRASE_VARIABLE = 'DESKTOP_AGENT_SECRETS_PASSPHRASE';

/** What is locked, and how to unlock it; `what: how` reads as one clause. */
export const SECRETS_LOCK_TEXT: Record<SecretsLock, { what: string; how: string }> = {
  keychain_unreachable: {
    what: 'the OS keychain cannot be reached',
    how: 'start a Secret Service (gnome-keyring or KWallet) on this D-Bus session and unlock it',
  },
  keychain_locked: { what: 'the OS keychain is locked', how: 'unlock (or create) its default keyring, such as "login"' },
  file_passphrase_needed: { what: 'secrets.enc is locked', how: `set ${PASSPHRASE_VARIABLE} to the passphrase it was created with and restart Desktop Agent` },
  file_passphrase_wrong: { what: `secrets.enc does not open with ${PASSPHRASE_VARIABLE}`, how: 'set it to the passphrase the file was created with and restart Desktop Agent' },
  file_key_unreachable: { what: 'secrets.enc is locked (its key is in the OS keychain, which cannot be reached)', how: 'start and unlock the Secret Service on this D-Bus session' },
  file_key_missing: { what: "secrets.enc's key is missing from the OS keychain", how: 'restore that keychain entry, or move secrets.enc away to start an empty one' },
  file_no_key: { what: 'secrets.enc has no key', how: `set ${PASSPHRASE_VARIABLE}, or make the OS keychain available` },
};

/** Codes that mean secrets exist but cannot be read now (a file with no key yet holds none). */
export function hidesSecrets(lock: SecretsLock): boolean {
  return lock !== 'file_no_key';
}

const clause = (lock: SecretsLock) => `${SECRETS_LOCK_TEXT[lock].what} (${SECRETS_LOCK_TEXT[lock].how})`;

/** "What: how." as one sentence; a file name that opens it keeps its case (the file is secrets.enc, not Secrets.enc). */
export function lockSentence(lock: SecretsLock): string {
  const { what, how } = SECRETS_LOCK_TEXT[lock];
  const opening = /^\S+\.\w/.test(what) ? what : `${what[0]!.toUpperCase()}${what.slice(1)}`;
  return `${opening}: ${how}.`;
}

/** One sentence for a store that no backend can take. */
export function cannotStoreSentence(locks: readonly SecretsLock[]): string {
  return `No backend can store secrets: ${locks.map(clause).join('; ')}.`;
}

/** One sentence for a list that some locked backends are missing from. */
export function notListedSentence(locks: readonly SecretsLock[]): string {
  return `Secrets in a locked backend are not listed: ${locks.map(clause).join('; ')}.`;
}
