import { mkdirSync, mkdtempSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CoreOptions } from '../src-main/core/app/create-core';
import { TEST_KEYCHAIN_TIMEOUT_MS } from './keyring';
import { tempCore, type TempCore } from './temp-core';

export type SecretsCore = TempCore;

/**
 * A real core (see tempCore) with no environment (`env: {}`, so this machine's variables are not
 * read as secrets) and `secrets:` of orchestrator.yaml set as given (default: a keychain timeout of 20 s).
 */
export async function secretsCore(options: Partial<CoreOptions> & { dir?: string; secretsYaml?: string } = {}): Promise<SecretsCore> {
  // See TEST_KEYCHAIN_TIMEOUT_MS; tests that check the timeout set their own.
  const { secretsYaml = `keychain_timeout_ms: ${TEST_KEYCHAIN_TIMEOUT_MS}`, ...rest } = options;
  const dir = options.dir ?? mkdtempSync(join(tmpdir(), 'da-secrets-'));
  if (secretsYaml) {
    mkdirSync(join(dir, 'configs'), { recursive: true });
    writeFileSync(join(dir, 'configs', 'orchestrator.yaml'), `secrets:\n${secretsYaml.replace(/^/gm, '  ')}\n`);
  }
  return tempCore({ env: {}, ...rest, dir });
}

/** Every file under dir (relative paths), to show what a data dir holds. */
export function listTree(dir: string, prefix = ''): string[] {
  return readdirSync(dir).flatMap((name) => {
    const rel = prefix ? `${prefix}/${name}` : name;
    return statSync(join(dir, name)).isDirectory() ? listTree(join(dir, name), rel) : [rel];
  });
}

/** The forms of a secret that must never be found on disk or in output: itself, base64, URL-encoded. */
export function secretForms(value: string): string[] {
  return [...new Set([value, Buffer.from(value).toString('base64'), Buffer.from(value).toString('base64url'), encodeURIComponent(value)])];
}

/** Which files under dir contain any form of the secret (as bytes, UTF-8 and UTF-16). */
export function filesContaining(dir: string, value: string): string[] {
  const needles = secretForms(value).flatMap((f) => [Buffer.from(f, 'utf8'), Buffer.from(f, 'utf16le')]);
  return listTree(dir).filter((rel) => {
    const bytes = readFileSync(join(dir, rel));
    return needles.some((n) => bytes.includes(n));
  });
}
