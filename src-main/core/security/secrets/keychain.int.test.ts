import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import BetterSqlite3 from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../../../../test-support/cli';
import { keyringSkipReason, testKeyring } from '../../../../test-support/keyring';
import { filesContaining, secretsCore, type SecretsCore } from '../../../../test-support/secrets-core';
import { asUser } from '../../../../test-support/temp-core';
import { KEYCHAIN_SERVICE } from './keychain-backend';
import { createSystemKeychain } from './keychain-port';

/**
 * The real OS keychain: gnome-keyring on the D-Bus session that `npm test` (or
 * `dbus-run-session -- npx vitest run <path>`) provides, unlocked by test-support/keyring-setup.ts.
 */
const keyring = testKeyring();

function secretTool(args: string[], input?: string) {
  const r = spawnSync('secret-tool', args, { input, encoding: 'utf8', timeout: 10_000 });
  // `search` prints attribute lines on stderr.
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const open: SecretsCore[] = [];
afterAll(async () => {
  for (const c of open.splice(0)) await c.cleanup();
});

describe.skipIf(!keyring.available)(`real OS keychain (gnome-keyring on D-Bus)${keyringSkipReason(keyring)}`, () => {
  it("reads what the guide's `secret-tool store … service com.axion.desktop-agent account api_key` stored, and deletes it", async () => {
    const value = `guide-api-key-${randomUUID()}`;
    const stored = secretTool(['store', '--label=Desktop Agent API Key', 'service', KEYCHAIN_SERVICE, 'account', 'api_key'], value);
    expect(stored.code, stored.stderr).toBe(0);

    const c = await secretsCore({ env: {} });
    open.push(c);
    expect(await c.core.secrets.get({ key: 'api_key' }, { user: 'alice', runId: 'run-1', step: 0 })).toEqual({ value, backend: 'keychain' });
    const [resolve] = c.core.audit.query({ action: 'secrets.resolve' });
    expect(resolve).toMatchObject({ user: 'alice', resource: 'api_key', result: 'ok', source: 'engine', details: { run_id: 'run-1', step: 0, backend: 'keychain' } });
    expect((await c.core.secrets.list()).filter((i) => i.key === 'api_key')).toEqual([{ key: 'api_key', backend: 'keychain' }]);
    expect((await c.core.secrets.status())[0]).toEqual({ name: 'keychain', available: true, writable: true });

    const del = await c.core.invoke('secrets.delete', { key: 'api_key' }, asUser('Admin'));
    expect(del).toEqual({ key: 'api_key', service: null, deleted_from: ['keychain'], still_in: [] });
    expect(secretTool(['lookup', 'service', KEYCHAIN_SERVICE, 'account', 'api_key']).code).toBe(1);
    expect(await c.core.secrets.get({ key: 'api_key' })).toBeUndefined();
  });

  it('sets, gets, lists and deletes through the CLI, audited, with the value only in the keychain', async () => {
    const c = await secretsCore({ env: {} });
    await c.stop();
    open.push(c);
    const service = `cli-${randomUUID().slice(0, 8)}`;
    const value = `cli value ${randomUUID()}`;
    const dir = ['--data-dir', c.dir];

    const set = await runCli(['secrets', 'set', 'token', '--service', service, ...dir], { stdin: `${value}\n` });
    expect(set).toMatchObject({ code: 0, stdout: '' });
    expect(set.stderr).toBe(`Stored secret '${service}/token' in the keychain backend.\n`);
    expect(secretTool(['lookup', 'service', `${KEYCHAIN_SERVICE}.${service}`, 'account', 'token']).stdout).toBe(value);

    const get = await runCli(['secrets', 'get', 'token', '--service', service, ...dir]);
    expect(get).toMatchObject({ code: 0, stdout: value });
    const list = await runCli(['secrets', 'list', '--json', ...dir]);
    expect(JSON.parse(list.stdout).items).toContainEqual(expect.objectContaining({ key: 'token', service, backend: 'keychain', updated_at: expect.stringMatching(/Z$/) }));
    expect(list.stdout).not.toContain(value);
    const table = await runCli(['secrets', 'list', ...dir]);
    expect(table.stdout).toMatch(new RegExp(`^${service}\\s+token\\s+keychain\\s+\\d{4}-`, 'm'));

    const del = await runCli(['secrets', 'delete', 'token', '--service', service, ...dir]);
    expect(del).toMatchObject({ code: 0, stderr: `Deleted secret '${service}/token' from keychain.\n` });
    expect(secretTool(['lookup', 'service', `${KEYCHAIN_SERVICE}.${service}`, 'account', 'token']).code).toBe(1);
    const missing = await runCli(['secrets', 'get', 'token', '--service', service, ...dir]);
    expect(missing).toMatchObject({ code: 1, stdout: '', stderr: `Secret '${service}/token' not found\n` });

    const db = new BetterSqlite3(`${c.dir}/desktop-agent.db`, { readonly: true });
    const audit = db.prepare("select action, resource, result, source from audit_log where action like 'secrets.%' order by id").all();
    db.close();
    expect(audit).toEqual([
      { action: 'secrets.setInService', resource: `${service}/token`, result: 'ok', source: 'cli' },
      { action: 'secrets.resolve', resource: `${service}/token`, result: 'ok', source: 'cli' },
      { action: 'secrets.list', resource: null, result: 'granted', source: 'cli' },
      { action: 'secrets.list', resource: null, result: 'granted', source: 'cli' },
      { action: 'secrets.deleteInService', resource: `${service}/token`, result: 'ok', source: 'cli' },
      { action: 'secrets.resolve', resource: `${service}/token`, result: 'error', source: 'cli' },
    ]);
    expect(filesContaining(c.dir, value)).toEqual([]);
  });

  it('stores and deletes through the API (Admin), under com.axion.desktop-agent.<service>', async () => {
    const c = await secretsCore({ env: {} });
    open.push(c);
    const service = `api-${randomUUID().slice(0, 8)}`;
    const value = `api value ${randomUUID()}`;
    const admin = asUser('Admin');
    expect(await c.core.invoke('secrets.setInService', { service, key: 'api_key', value }, admin)).toMatchObject({ backend: 'keychain', service, key: 'api_key' });
    expect(secretTool(['lookup', 'service', `${KEYCHAIN_SERVICE}.${service}`, 'account', 'api_key']).stdout).toBe(value);
    const list = await c.core.invoke<{ items: { key: string; service: string | null; backend: string }[] }>('secrets.list', {}, admin);
    expect(list.items).toContainEqual(expect.objectContaining({ key: 'api_key', service, backend: 'keychain' }));
    expect(await c.core.invoke('secrets.deleteInService', { service, key: 'api_key' }, admin)).toMatchObject({ deleted_from: ['keychain'] });
    expect(secretTool(['lookup', 'service', `${KEYCHAIN_SERVICE}.${service}`, 'account', 'api_key']).code).toBe(1);
    await c.stop();
    expect(filesContaining(c.dir, value)).toEqual([]);
  });

  it("keeps the encrypted file's key in the keychain under its own account, not beside the file", async () => {
    const value = `file value ${randomUUID()}`;
    const c = await secretsCore({ env: {} });
    open.push(c);
    await c.core.secrets.set({ key: 'in_file' }, value, { backend: 'file' });
    const search = secretTool(['search', '--all', 'service', KEYCHAIN_SERVICE]);
    const accounts = search.stdout + search.stderr;
    expect(accounts).toMatch(/attribute\.account = secrets-file-key:[0-9a-f]{16}/);
    // The file key is not a template secret: it is not listed.
    expect((await c.core.secrets.list()).map((i) => i.key)).not.toContainEqual(expect.stringMatching(/secrets-file-key/));
    await c.stop();
    const again = await secretsCore({ dir: c.dir, env: {} });
    open.push(again);
    expect(await again.core.secrets.get({ key: 'in_file' })).toEqual({ value, backend: 'file' });
    expect(filesContaining(c.dir, value)).toEqual([]);
  });

  it('sees an item stored with secret-tool after a miss once the short miss memory has passed', async () => {
    let now = 1_000_000;
    const port = createSystemKeychain({ now: () => now, missTtlMs: 10_000 });
    const service = `${KEYCHAIN_SERVICE}.ttl-${randomUUID().slice(0, 8)}`;
    try {
      expect(await port.getPassword(service, 'late')).toBeNull();
      // An explicit foreign schema makes the item one that keytar cannot match (as secret-tool's
      // schema-less items mostly are), so only the secret-tool retry can find it.
      expect(secretTool(['store', '--label=late', 'service', service, 'account', 'late', 'xdg:schema', 'org.example.Other'], 'late-value').code).toBe(0);
      expect(await port.getPassword(service, 'late')).toBeNull();
      now += 10_000;
      expect(await port.getPassword(service, 'late')).toBe('late-value');
      expect(await port.deletePassword(service, 'late')).toBe(true);
      expect(secretTool(['lookup', 'service', service, 'account', 'late']).code).toBe(1);
    } finally {
      port.abort?.('test done');
    }
  });
});
