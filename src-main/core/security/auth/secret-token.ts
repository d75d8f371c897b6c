import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * Bearer secrets: session tokens (`da_s_…`) and API tokens (`da_t_…`), 256 random bits each.
 * Only their SHA-256 is stored; a fast hash is right here because the token itself is
 * high-entropy (nothing to brute-force), unlike a password.
 */
export type TokenKind = 'session' | 'api';

const PREFIX: Record<TokenKind, string> = { session: 'da_s_', api: 'da_t_' };

export function newToken(kind: TokenKind): string {
  return PREFIX[kind] + randomBytes(32).toString('base64url');
}

export function tokenKind(token: string): TokenKind | undefined {
  if (token.startsWith(PREFIX.session)) return 'session';
  if (token.startsWith(PREFIX.api)) return 'api';
  return undefined;
}

export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/** Constant-time equality of two hex digests (after the index lookup, as a second check). */
export function sameDigest(a: string, b: string): boolean {
  const x = Buffer.from(a, 'hex');
  const y = Buffer.from(b, 'hex');
  return x.length === y.length && x.length > 0 && timingSafeEqual(x, y);
}
