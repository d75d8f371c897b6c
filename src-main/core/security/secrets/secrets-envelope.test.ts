import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { deriveKey, EnvelopeError, MAGIC, newScryptParams, readHeader, seal, unseal } from './secrets-envelope';

const plain = Buffer.from(JSON.stringify({ version: 1, entries: [{ key: 'api_key', value: 'v4lue-in-the-clear' }] }));

function expectEnvelopeError(fn: () => unknown, kind: EnvelopeError['kind'], message: RegExp) {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(EnvelopeError);
    expect((e as EnvelopeError).kind).toBe(kind);
    expect((e as Error).message).toMatch(message);
    return;
  }
  throw new Error('expected an EnvelopeError');
}

describe('secrets.enc envelope', () => {
  const key = randomBytes(32);
  const kdf = { name: 'keychain' as const, account: 'secrets-file-key:0123' };

  it('round-trips, starts with the magic and version, and holds no plaintext', () => {
    const file = seal(plain, key, kdf);
    expect(file.subarray(0, MAGIC.length).equals(MAGIC)).toBe(true);
    expect(file.readUInt8(MAGIC.length)).toBe(1);
    expect(file.includes(Buffer.from('v4lue-in-the-clear'))).toBe(false);
    expect(readHeader(file).header.kdf).toEqual(kdf);
    expect(unseal(file, key).equals(plain)).toBe(true);
  });

  it('uses a fresh nonce for every seal', () => {
    const a = readHeader(seal(plain, key, kdf)).header.nonce;
    const b = readHeader(seal(plain, key, kdf)).header.nonce;
    expect(a).not.toBe(b);
  });

  it('tells a wrong passphrase apart from a tampered file', async () => {
    const params = newScryptParams();
    const right = await deriveKey('correct horse', params as Extract<typeof params, { name: 'scrypt' }>);
    const wrong = await deriveKey('wrong horse', params as Extract<typeof params, { name: 'scrypt' }>);
    const file = seal(plain, right, params);
    expectEnvelopeError(() => unseal(file, wrong), 'wrong_key', /Wrong passphrase: DESKTOP_AGENT_SECRETS_PASSPHRASE does not open secrets\.enc/);

    const flipped = Buffer.from(file);
    flipped[flipped.length - 3]! ^= 0x01;
    expectEnvelopeError(() => unseal(flipped, right), 'tampered', /failed its integrity check \(the AES-GCM authentication tag does not match\)/);
  });

  it('detects a change to the authenticated header', () => {
    const file = seal(plain, key, kdf);
    const text = file.toString('latin1').replace('secrets-file-key:0123', 'secrets-file-key:0124');
    expectEnvelopeError(() => unseal(Buffer.from(text, 'latin1'), key), 'tampered', /AES-GCM authentication tag/);
  });

  it('refuses a file that is not an envelope, a truncated one and a newer version', () => {
    expectEnvelopeError(() => readHeader(Buffer.from('{"api_key":"plain json"}')), 'format', /not a Desktop Agent secrets file/);
    expectEnvelopeError(() => readHeader(seal(plain, key, kdf).subarray(0, 20)), 'tampered', /truncated/);
    const newer = seal(plain, key, kdf);
    newer.writeUInt8(9, MAGIC.length);
    expectEnvelopeError(() => readHeader(newer), 'version', /version 9, newer than this build supports/);
  });
});
