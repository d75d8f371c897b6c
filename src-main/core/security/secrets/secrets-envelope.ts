import { createCipheriv, createDecipheriv, createHmac, randomBytes, scrypt, timingSafeEqual } from 'node:crypto';
import { PASSPHRASE_VARIABLE } from '@shared/domain/secrets-lock';

/**
 * The envelope of `secrets.enc` (AES-256-GCM):
 *
 *   "DASECRET" | version (1 byte) | header length (u32 BE) | header JSON | GCM tag (16) | ciphertext
 *
 * The header says how to get the key (scrypt parameters and salt, or the keychain account that
 * holds a random key), the nonce, and a key check. Everything before the tag is authenticated as
 * associated data, so any change to the file fails the GCM tag. The key check (an HMAC of a
 * constant under the key) tells a wrong passphrase apart from a tampered file.
 */
export const MAGIC = Buffer.from('DASECRET', 'ascii');
export const ENVELOPE_VERSION = 1;
const TAG_BYTES = 16;
const NONCE_BYTES = 12;
const PREFIX_BYTES = MAGIC.length + 1 + 4;

export type KdfParams = { name: 'scrypt'; N: number; r: number; p: number; salt: string } | { name: 'keychain'; account: string };

export interface EnvelopeHeader {
  cipher: 'aes-256-gcm';
  kdf: KdfParams;
  nonce: string;
  key_check: string;
}

export class EnvelopeError extends Error {
  constructor(
    readonly kind: 'format' | 'version' | 'wrong_key' | 'tampered',
    message: string,
    /** For `wrong_key`: where the key came from (scrypt: it was a wrong passphrase). */
    readonly kdf?: KdfParams['name'],
  ) {
    super(message);
    this.name = 'EnvelopeError';
  }
}

/** scrypt cost: about 32 MB and a few tens of ms per derivation, done once per process and salt. */
export const SCRYPT_DEFAULTS = { N: 32_768, r: 8, p: 1 } as const;

export function newScryptParams(): KdfParams {
  return { name: 'scrypt', ...SCRYPT_DEFAULTS, salt: randomBytes(16).toString('base64') };
}

export function deriveKey(passphrase: string, kdf: Extract<KdfParams, { name: 'scrypt' }>): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    scrypt(passphrase.normalize('NFC'), Buffer.from(kdf.salt, 'base64'), 32, { N: kdf.N, r: kdf.r, p: kdf.p, maxmem: 256 * kdf.N * kdf.r }, (err, key) =>
      err ? reject(err) : resolve(key),
    ),
  );
}

function keyCheck(key: Buffer): string {
  return createHmac('sha256', key).update('desktop-agent secrets.enc key check v1').digest().subarray(0, 16).toString('base64');
}

export function seal(plaintext: Buffer, key: Buffer, kdf: KdfParams): Buffer {
  const nonce = randomBytes(NONCE_BYTES);
  const header: EnvelopeHeader = { cipher: 'aes-256-gcm', kdf, nonce: nonce.toString('base64'), key_check: keyCheck(key) };
  const headerBytes = Buffer.from(JSON.stringify(header), 'utf8');
  const prefix = Buffer.alloc(PREFIX_BYTES);
  MAGIC.copy(prefix, 0);
  prefix.writeUInt8(ENVELOPE_VERSION, MAGIC.length);
  prefix.writeUInt32BE(headerBytes.length, MAGIC.length + 1);
  const aad = Buffer.concat([prefix, headerBytes]);
  const cipher = createCipheriv('aes-256-gcm', key, nonce);
  cipher.setAAD(aad);
  const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return Buffer.concat([aad, cipher.getAuthTag(), body]);
}

/** Reads the header without decrypting (to know which key is needed). */
export function readHeader(file: Buffer, name = 'secrets.enc'): { header: EnvelopeHeader; aadLength: number } {
  if (file.length < PREFIX_BYTES || !file.subarray(0, MAGIC.length).equals(MAGIC)) {
    throw new EnvelopeError('format', `${name} is not a Desktop Agent secrets file (it does not start with the DASECRET marker)`);
  }
  const version = file.readUInt8(MAGIC.length);
  if (version > ENVELOPE_VERSION) {
    throw new EnvelopeError('version', `${name} has envelope version ${version}, newer than this build supports (${ENVELOPE_VERSION}); upgrade Desktop Agent`);
  }
  const length = file.readUInt32BE(MAGIC.length + 1);
  const aadLength = PREFIX_BYTES + length;
  if (length > 64 * 1024 || file.length < aadLength + TAG_BYTES) throw tampered(name, 'its header is truncated or oversized');
  let header: EnvelopeHeader;
  try {
    header = JSON.parse(file.subarray(PREFIX_BYTES, aadLength).toString('utf8')) as EnvelopeHeader;
  } catch {
    throw tampered(name, 'its header is not readable');
  }
  const kdf = header?.kdf;
  const kdfOk =
    kdf?.name === 'keychain'
      ? typeof kdf.account === 'string'
      : kdf?.name === 'scrypt' && [kdf.N, kdf.r, kdf.p].every((n) => Number.isInteger(n) && n > 0) && kdf.N <= 1 << 20 && kdf.r <= 32 && kdf.p <= 16 && typeof kdf.salt === 'string';
  if (header?.cipher !== 'aes-256-gcm' || !kdfOk || typeof header.nonce !== 'string' || typeof header.key_check !== 'string') {
    throw tampered(name, 'its header does not describe a known cipher and key');
  }
  return { header, aadLength };
}

export function unseal(file: Buffer, key: Buffer, name = 'secrets.enc'): Buffer {
  const { header, aadLength } = readHeader(file, name);
  const expected = Buffer.from(header.key_check, 'base64');
  const actual = Buffer.from(keyCheck(key), 'base64');
  if (expected.length !== actual.length || !timingSafeEqual(expected, actual)) {
    throw new EnvelopeError(
      'wrong_key',
      header.kdf.name === 'scrypt'
        ? `Wrong passphrase: ${PASSPHRASE_VARIABLE} does not open ${name}. Set the passphrase the file was created with.`
        : `The key in the OS keychain (account ${header.kdf.account}) does not open ${name}.`,
      header.kdf.name,
    );
  }
  const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(header.nonce, 'base64'));
  decipher.setAAD(file.subarray(0, aadLength));
  decipher.setAuthTag(file.subarray(aadLength, aadLength + TAG_BYTES));
  try {
    return Buffer.concat([decipher.update(file.subarray(aadLength + TAG_BYTES)), decipher.final()]);
  } catch {
    throw tampered(name, 'the AES-GCM authentication tag does not match');
  }
}

function tampered(name: string, why: string): EnvelopeError {
  return new EnvelopeError(
    'tampered',
    `${name} failed its integrity check (${why}): it was modified or damaged outside Desktop Agent. Restore it from a backup, or move it away to start an empty one.`,
  );
}
