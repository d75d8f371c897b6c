/**
 * Secret names and references (SPEC section 8): `{{secrets://api_key}}` and
 * `{{secrets://external_api/api_key}}`. Keys and services use letters, digits, `_`, `-` and `.`;
 * they are case-sensitive (only the environment backend upper-cases them).
 */

export const SECRET_NAME_PATTERN = /^[A-Za-z0-9_.-]+$/;
export const SECRET_NAME_MAX = 128;
/** Shorter values cannot be masked without masking ordinary text (see the Redactor). */
export const SECRET_VALUE_MIN = 4;
/** Values are text; larger blobs do not belong in a keychain. */
export const SECRET_VALUE_MAX = 65_536;
export const SECRET_BACKENDS = ['keychain', 'env', 'file'] as const;
export type SecretBackendName = (typeof SECRET_BACKENDS)[number];

export interface SecretRef {
  key: string;
  service?: string;
}

/** What is wrong with a key or service name, or undefined when it is valid. */
export function secretNameProblem(name: string, what: 'key' | 'service' = 'key'): string | undefined {
  if (name.length === 0) return `the secret ${what} is empty`;
  if (name.length > SECRET_NAME_MAX) return `the secret ${what} is longer than ${SECRET_NAME_MAX} characters`;
  if (!SECRET_NAME_PATTERN.test(name)) return `the secret ${what} '${name}' may contain only letters, digits, '_', '-' and '.'`;
  if (name === '.' || name === '..') return `the secret ${what} cannot be '${name}'`;
  return undefined;
}

/** The path of a reference: `api_key` or `external_api/api_key` (audit resources, messages). */
export function formatSecretRef(ref: SecretRef): string {
  return ref.service ? `${ref.service}/${ref.key}` : ref.key;
}

/**
 * Parses what follows `secrets://` (or the whole `secrets://…` text): `key` or `service/key`.
 * Returns the reference, or the reason it is invalid.
 */
export function parseSecretRef(text: string): { ok: true; ref: SecretRef } | { ok: false; message: string } {
  const body = text.startsWith('secrets://') ? text.slice('secrets://'.length) : text;
  const parts = body.split('/');
  if (parts.length > 2) return { ok: false, message: `'secrets://${body}' has more than one '/': use secrets://key or secrets://service/key` };
  const [first, second] = parts as [string, string | undefined];
  const ref: SecretRef = second === undefined ? { key: first } : { service: first, key: second };
  const problem = secretNameProblem(ref.key, 'key') ?? (ref.service !== undefined ? secretNameProblem(ref.service, 'service') : undefined);
  return problem ? { ok: false, message: problem } : { ok: true, ref };
}
