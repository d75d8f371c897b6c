import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { SecretsStatus } from '@shared/contract/secrets';
import { FakeClock } from '../../kernel/clock';
import type { AppError } from '../../kernel/errors';
import { failingKeychain, hangingKeychain, memoryKeychain } from '../../../../test-support/keychains';
import { filesContaining, listTree, secretsCore, type SecretsCore } from '../../../../test-support/secrets-core';
import { asUser, tempCore } from '../../../../test-support/temp-core';
import { KEYCHAIN_SERVICE } from './keychain-backend';
import { secretNotFoundMessage } from './secret-store';

const admin = asUser('Admin');
const open: SecretsCore[] = [];
const track = (c: SecretsCore) => (open.push(c), c);

afterEach(async () => {
  for (const c of open.splice(0)) await c.cleanup();
});

describe('secret store: order and fallback', () => {
  it('asks keychain, then env, then file, and counts hits and misses per backend', async () => {
    const keychain = memoryKeychain();
    keychain.items.set(`${KEYCHAIN_SERVICE}\0shared`, 'from-keychain');
    const c = track(
      await secretsCore({
        keychain,
        env: { DESKTOP_AGENT_SECRET_SHARED: 'from-env', DESKTOP_AGENT_SECRET_ONLY_ENV: 'env-value', DESKTOP_AGENT_SECRETS_PASSPHRASE: 'pass phrase 1' },
      }),
    );
    const s = c.core.secrets;
    await s.set({ key: 'only_file' }, 'file-value', { backend: 'file' });
    await s.set({ key: 'only_env' }, 'shadowed-file-value', { backend: 'file' });

    expect(await s.get({ key: 'shared' })).toEqual({ value: 'from-keychain', backend: 'keychain' });
    expect(await s.get({ key: 'only_env' })).toEqual({ value: 'env-value', backend: 'env' });
    expect(await s.get({ key: 'only_file' })).toEqual({ value: 'file-value', backend: 'file' });
    expect(await s.lookup({ key: 'nowhere' })).toEqual({ found: false, unavailable: [] });

    const status = await c.core.invoke<SecretsStatus>('secrets.status', {}, admin);
    expect(status).toMatchObject({ lookups_24h: 4, hits_24h: 3, misses_24h: 1 });
    // Per backend: asked, answered with the value, without it, could not be asked.
    expect(status.backends.map((b) => [b.name, b.lookups_24h, b.hits_24h, b.misses_24h, b.errors_24h])).toEqual([
      ['keychain', 4, 1, 3, 0],
      ['env', 3, 1, 2, 0],
      ['file', 2, 1, 1, 0],
    ]);
  });

  it('follows secrets.backends of orchestrator.yaml', async () => {
    const keychain = memoryKeychain();
    keychain.items.set(`${KEYCHAIN_SERVICE}\0k`, 'from-keychain');
    const c = track(await secretsCore({ keychain, env: { DESKTOP_AGENT_SECRET_K: 'from-env' }, secretsYaml: 'backends: [env, keychain]' }));
    expect(await c.core.secrets.get({ key: 'k' })).toEqual({ value: 'from-env', backend: 'env' });
    expect((await c.core.secrets.status()).map((b) => b.name)).toEqual(['env', 'keychain']);
    // A backend left out of the order is not written either.
    await expect(c.core.secrets.set({ key: 'x' }, 'value-x', { backend: 'file' })).rejects.toThrow(/not in use: add it to secrets\.backends/);
  });

  it('stores in the first writable backend, says when an earlier backend shadows it, and deletes everywhere', async () => {
    const keychain = memoryKeychain();
    const c = track(await secretsCore({ keychain, env: { DESKTOP_AGENT_SECRETS_PASSPHRASE: 'pp', DESKTOP_AGENT_SECRET_TOKEN: 'env-token' } }));
    const s = c.core.secrets;
    expect((await s.set({ service: 'external_api', key: 'api_key' }, 'v1-api-key')).backend).toBe('keychain');
    expect(keychain.items.get(`${KEYCHAIN_SERVICE}.external_api\0api_key`)).toBe('v1-api-key');
    await s.set({ service: 'external_api', key: 'api_key' }, 'v1-file-key', { backend: 'file' });
    const r = await s.set({ key: 'token' }, 'file-token', { backend: 'file' });
    expect(r.shadowedBy).toBe('env');
    await expect(s.set({ key: 'x' }, 'value-x', { backend: 'env' })).rejects.toThrow(/env backend is read-only/);

    const list = await c.core.invoke<{ items: Record<string, unknown>[] }>('secrets.list', {}, admin);
    expect(list.items.map((i) => [i.service, i.key, i.backend, i.shadowed_by])).toEqual([
      [null, 'token', 'env', null],
      [null, 'token', 'file', 'env'],
      ['external_api', 'api_key', 'file', 'keychain'],
      ['external_api', 'api_key', 'keychain', null],
    ]);
    expect(JSON.stringify(list)).not.toMatch(/v1-|file-token|env-token/);
    for (const i of list.items.filter((x) => x.backend !== 'env')) expect(i.updated_at).toMatch(/Z$/);

    expect(await s.delete({ service: 'external_api', key: 'api_key' })).toEqual(['keychain', 'file']);
    expect(await s.get({ service: 'external_api', key: 'api_key' })).toBeUndefined();
  });

  it('validates keys and values with messages that say what is wrong', async () => {
    const c = track(await secretsCore({ keychain: memoryKeychain() }));
    await expect(c.core.secrets.set({ key: 'bad key' }, 'value-1')).rejects.toThrow("Invalid secret reference: the secret key 'bad key' may contain only letters, digits, '_', '-' and '.'");
    await expect(c.core.secrets.set({ key: 'k', service: 'a/b' }, 'value-1')).rejects.toThrow(/secret service 'a\/b'/);
    await expect(c.core.secrets.set({ key: 'k' }, '')).rejects.toThrow('Invalid secret value: the value is empty');
    await expect(c.core.secrets.set({ key: 'k' }, 'abc')).rejects.toThrow('Invalid secret value: the value is shorter than 4 characters, too short to be masked in logs and results');
    await expect(c.core.secrets.get({ key: '' })).rejects.toThrow(/the secret key is empty/);
  });
});

describe('encrypted file backend', () => {
  it('keeps a random key in the keychain, no key file beside secrets.enc, and no plaintext on disk', async () => {
    const keychain = memoryKeychain();
    const value = 'file-s3cret/with+chars=';
    const c = track(await secretsCore({ keychain }));
    await c.core.secrets.set({ key: 'api_key' }, value, { backend: 'file' });
    await c.core.secrets.set({ service: 'svc', key: 'other' }, 'second value', { backend: 'file' });
    const fileKeys = [...keychain.items.keys()].filter((k) => k.includes('secrets-file-key:'));
    expect(fileKeys).toHaveLength(1);

    const files = listTree(c.dir).filter((f) => !f.startsWith('configs/'));
    expect(files.sort()).toEqual(expect.arrayContaining(['desktop-agent.db', 'logs/desktop-agent.log', 'secrets.enc']));
    expect(files.filter((f) => !/^(desktop-agent\.db(-wal|-shm)?|logs\/desktop-agent\.log|secrets\.enc)$/.test(f))).toEqual([]);
    expect(readFileSync(join(c.dir, 'secrets.enc')).subarray(0, 8).toString()).toBe('DASECRET');

    expect(filesContaining(c.dir, value)).toEqual([]);
    await c.stop();
    expect(filesContaining(c.dir, value)).toEqual([]);

    // A new process on the same data dir reads it back through the keychain-kept key.
    const again = track(await secretsCore({ keychain, dir: c.dir }));
    expect(await again.core.secrets.get({ key: 'api_key' })).toEqual({ value, backend: 'file' });
    expect(await again.core.secrets.get({ service: 'svc', key: 'other' })).toEqual({ value: 'second value', backend: 'file' });
  });

  it('derives the key from DESKTOP_AGENT_SECRETS_PASSPHRASE and refuses a wrong one with a clear error', async () => {
    const first = track(await secretsCore({ keychain: failingKeychain(), env: { DESKTOP_AGENT_SECRETS_PASSPHRASE: 'right passphrase' } }));
    expect((await first.core.secrets.set({ key: 'db_password' }, 'pw-123456')).backend).toBe('file');
    await first.stop();

    const wrong = track(await secretsCore({ dir: first.dir, keychain: failingKeychain(), env: { DESKTOP_AGENT_SECRETS_PASSPHRASE: 'wrong passphrase' } }));
    const file = (await wrong.core.secrets.status()).find((b) => b.name === 'file')!;
    expect(file).toMatchObject({ available: false, writable: false });
    expect(file.reason).toBe('Wrong passphrase: DESKTOP_AGENT_SECRETS_PASSPHRASE does not open secrets.enc. Set the passphrase the file was created with.');
    await expect(wrong.core.secrets.set({ key: 'x' }, 'value-x', { backend: 'file' })).rejects.toThrow(/Wrong passphrase/);
    const r = await wrong.core.secrets.lookup({ key: 'db_password' });
    expect(r).toEqual({ found: false, unavailable: expect.arrayContaining([expect.objectContaining({ backend: 'file', reason: expect.stringMatching(/^Wrong passphrase/) })]) });
    await wrong.stop();

    const none = track(await secretsCore({ dir: first.dir, keychain: memoryKeychain(), env: {} }));
    expect((await none.core.secrets.status()).find((b) => b.name === 'file')!.reason).toBe(
      'secrets.enc is encrypted with a passphrase: set DESKTOP_AGENT_SECRETS_PASSPHRASE to the passphrase it was created with',
    );
    await none.stop();

    const right = track(await secretsCore({ dir: first.dir, keychain: failingKeychain(), env: { DESKTOP_AGENT_SECRETS_PASSPHRASE: 'right passphrase' } }));
    expect(await right.core.secrets.get({ key: 'db_password' })).toEqual({ value: 'pw-123456', backend: 'file' });
  });

  it('detects a tampered file, reports it, and lets lookups fall through', async () => {
    const env = { DESKTOP_AGENT_SECRETS_PASSPHRASE: 'pp', DESKTOP_AGENT_SECRET_FALLBACK: 'from-env' };
    const c = track(await secretsCore({ keychain: failingKeychain(), env, secretsYaml: 'backends: [file, env]' }));
    await c.core.secrets.set({ key: 'fallback' }, 'from-file');
    expect(await c.core.secrets.get({ key: 'fallback' })).toEqual({ value: 'from-file', backend: 'file' });
    const path = join(c.dir, 'secrets.enc');
    const bytes = readFileSync(path);
    bytes[bytes.length - 1]! ^= 0x80;
    writeFileSync(path, bytes);

    expect(await c.core.secrets.get({ key: 'fallback' })).toEqual({ value: 'from-env', backend: 'env' });
    const file = (await c.core.secrets.status()).find((b) => b.name === 'file')!;
    expect(file.available).toBe(false);
    expect(file.reason).toMatch(/^secrets\.enc failed its integrity check \(the AES-GCM authentication tag does not match\): it was modified or damaged outside Desktop Agent/);
    await expect(c.core.secrets.set({ key: 'k' }, 'value-k', { backend: 'file' })).rejects.toThrow(/integrity check/);
    // The damaged file is left as it was for the user to restore.
    expect(readFileSync(path).equals(bytes)).toBe(true);
    const warn = c.logs.records().find((l) => l.component === 'Secrets' && String(l.msg).includes('could not be asked'));
    expect(warn).toMatchObject({ level: 'warn', backend: 'file' });
  });

  it('loses no write when two processes on one data dir store at the same time', async () => {
    const env = { DESKTOP_AGENT_SECRETS_PASSPHRASE: 'shared passphrase' };
    const a = track(await secretsCore({ keychain: failingKeychain(), env }));
    const b = track(await secretsCore({ keychain: failingKeychain(), env, dir: a.dir }));
    await Promise.all(
      Array.from({ length: 20 }, (_, i) => [a.core.secrets.set({ key: `a${i}` }, `value-a-${i}`), b.core.secrets.set({ key: `b${i}` }, `value-b-${i}`)]).flat(),
    );
    const keys = (await a.core.secrets.list()).map((i) => i.key).sort();
    expect(keys).toEqual([...Array.from({ length: 20 }, (_, i) => `a${i}`), ...Array.from({ length: 20 }, (_, i) => `b${i}`)].sort());
    expect(await b.core.secrets.get({ key: 'a7' })).toEqual({ value: 'value-a-7', backend: 'file' });
  });

  it('keeps one file key when two processes create secrets.enc at once', async () => {
    const keychain = memoryKeychain();
    const a = track(await secretsCore({ keychain }));
    const b = track(await secretsCore({ keychain, dir: a.dir }));
    await Promise.all([a.core.secrets.set({ key: 'from_a' }, 'value-a', { backend: 'file' }), b.core.secrets.set({ key: 'from_b' }, 'value-b', { backend: 'file' })]);
    expect([...keychain.items.keys()].filter((k) => k.includes('secrets-file-key:'))).toHaveLength(1);
    expect(await a.core.secrets.get({ key: 'from_b' })).toEqual({ value: 'value-b', backend: 'file' });
  });

  it('refuses to start without a passphrase or a keychain, saying what to do', async () => {
    const c = track(await secretsCore({ keychain: failingKeychain(), env: {} }));
    const file = (await c.core.secrets.status()).find((b) => b.name === 'file')!;
    expect(file.available).toBe(false);
    expect(file.reason).toMatch(/^no key for secrets\.enc: set DESKTOP_AGENT_SECRETS_PASSPHRASE \(the file key is then derived from it with scrypt\), or make the OS keychain available/);
    expect(file.lock).toBe('file_no_key');
    // One sentence: what is locked and how to unlock it; the backends' own words stay in the details.
    const refused = await c.core.secrets.set({ key: 'k' }, 'value-k').catch((e: AppError) => e);
    expect(refused).toMatchObject({
      code: 'UNAVAILABLE',
      message:
        'No backend can store secrets: the OS keychain cannot be reached (start a Secret Service (gnome-keyring or KWallet) on this D-Bus session and unlock it); ' +
        'secrets.enc has no key (set DESKTOP_AGENT_SECRETS_PASSPHRASE, or make the OS keychain available).',
      details: { locked: ['keychain_unreachable', 'file_no_key'] },
    });
    expect((refused as AppError).details).toMatchObject({ reasons: [expect.stringMatching(/^keychain: no D-Bus session/), expect.stringMatching(/^file: no key for secrets\.enc/)] });
    expect(listTree(c.dir)).not.toContain('secrets.enc');
  });

  it('says which backend is locked when a listing cannot show its secrets (secrets.enc without its passphrase)', async () => {
    const a = track(await secretsCore({ keychain: failingKeychain(), env: { DESKTOP_AGENT_SECRETS_PASSPHRASE: 'the passphrase 1' } }));
    await a.core.secrets.set({ key: 'api_key' }, 'value-api-key', { backend: 'file' });
    await a.core.stop();
    const b = track(await secretsCore({ keychain: failingKeychain(), env: {}, dir: a.dir }));
    expect(await b.core.secrets.listing()).toEqual({ items: [], locked: [{ backend: 'file', lock: 'file_passphrase_needed' }] });
    const wrong = track(await secretsCore({ keychain: failingKeychain(), env: { DESKTOP_AGENT_SECRETS_PASSPHRASE: 'not the passphrase' }, dir: a.dir }));
    expect((await wrong.core.secrets.listing()).locked).toEqual([{ backend: 'file', lock: 'file_passphrase_wrong' }]);
  });
});

describe('unavailable keychain', () => {
  it('reports why, lets lookups fall through and never hangs on a silent D-Bus peer', async () => {
    const keychain = hangingKeychain();
    const c = track(await secretsCore({ keychain, env: { DESKTOP_AGENT_SECRET_API_KEY: 'env-api-key' }, secretsYaml: 'keychain_timeout_ms: 200' }));
    expect(await c.core.secrets.get({ key: 'api_key' })).toEqual({ value: 'env-api-key', backend: 'env' });
    const callsAfterFirst = keychain.calls;
    // While the first call still hangs, the keychain is not asked again: later lookups go straight on.
    expect(await c.core.secrets.get({ key: 'api_key' })).toEqual({ value: 'env-api-key', backend: 'env' });
    const status = await c.core.invoke<{ backends: { name: string; available: boolean; reason: string | null; errors_24h: number }[] }>('secrets.status', {}, admin);
    expect(keychain.calls).toBe(callsAfterFirst);
    expect(status.backends[0]).toMatchObject({ name: 'keychain', available: false, errors_24h: 2 });
    expect(status.backends[0]!.reason).toMatch(/^no answer from the OS keychain within 200 ms/);
  });

  it('asks a failed keychain again once the retry pause has passed', async () => {
    const keychain = failingKeychain();
    const c = track(await secretsCore({ keychain, env: { DESKTOP_AGENT_SECRET_K: 'value-k' }, clock: new FakeClock() }));
    await c.core.secrets.get({ key: 'k' });
    await c.core.secrets.get({ key: 'k' });
    expect(keychain.calls).toBe(1);
    (c.core.clock as FakeClock).advance(30_000);
    await c.core.secrets.get({ key: 'k' });
    expect(keychain.calls).toBe(2);
  });

  it('reports a missing D-Bus session with the reason and what to do', async () => {
    const c = track(await secretsCore({ keychain: failingKeychain(), env: { DESKTOP_AGENT_SECRET_K: 'value-k' } }));
    expect(await c.core.secrets.get({ key: 'k' })).toEqual({ value: 'value-k', backend: 'env' });
    const keychain = (await c.core.secrets.status())[0]!;
    expect(keychain).toMatchObject({ name: 'keychain', available: false, writable: false });
    expect(keychain.reason).toMatch(/^no D-Bus session with a Secret Service \(Cannot autolaunch D-Bus without X11 \$DISPLAY\); on a headless Linux start one/);

    // The step error says which backend could not be asked, so "not found" is not read as "absent".
    const miss = await c.core.secrets.lookup({ service: 'external_api', key: 'api_key' });
    expect(miss.found).toBe(false);
    expect(secretNotFoundMessage({ service: 'external_api', key: 'api_key' }, miss.found ? [] : miss.unavailable)).toMatch(
      /^Secret 'external_api\/api_key' not found \(could not ask keychain: no D-Bus session with a Secret Service/,
    );
  });
});

describe('secrets given in the environment', () => {
  it('are taken out of process.env (children do not inherit them) and still resolve', async () => {
    process.env.DESKTOP_AGENT_SECRET_INHERIT_CANARY = 'not-for-children-123';
    const t = await tempCore();
    try {
      expect(process.env.DESKTOP_AGENT_SECRET_INHERIT_CANARY).toBeUndefined();
      const child = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.env.DESKTOP_AGENT_SECRET_INHERIT_CANARY))'], { encoding: 'utf8' });
      expect(child.stdout).toBe('undefined');
      const found = await t.core.secrets.lookup({ key: 'inherit_canary' }, { source: 'test' });
      expect(found).toMatchObject({ found: true, value: 'not-for-children-123' });
    } finally {
      await t.cleanup();
    }
  });
});
