import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SecretsStatus } from '../../src-shared/contract/secrets';
import { privateKeyring, privateKeyringUnavailable, type PrivateKeyring } from '../../test-support/keyring-daemon';
import { patientKeychainConfig } from '../../test-support/keyring';
import { filesContaining } from '../../test-support/secrets-core';
import { ApiSession } from '../support/api-session';
import { CLI, startServeProcess, type ServeProcess } from '../support/serve-process';

/**
 * The guide's Linux keyring set-up, end to end: `secret-tool store … service com.axion.desktop-agent
 * account api_key` as written, then the guide's template (its URL pointed at a local server) queued
 * over the API of `desktop-agent serve` with an API token. serve, secret-tool and the CLI share one
 * D-Bus session with an unlocked gnome-keyring — a session of this test's own, so the fixed names
 * of the guide cannot meet another test's items in the shared keyring of `npm test`.
 */
const unavailable = privateKeyringUnavailable();
const ADMIN = { user: 'admin', password: 'keychain-admin-password-1' };

let keyring: PrivateKeyring;
let server: Server;
let site = '';
const seen: { authorization?: string; apiKey?: string }[] = [];
const cleanup: (() => Promise<void> | void)[] = [];

beforeAll(async () => {
  if (unavailable) return;
  keyring = await privateKeyring();
  cleanup.push(() => keyring.stop());
  server = createServer((req, res) => {
    seen.push({ authorization: req.headers.authorization, apiKey: req.headers['x-api-key'] as string | undefined });
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ ok: true, you_sent: req.headers.authorization }));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  site = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  cleanup.push(() => new Promise<void>((r) => server.close(() => r())));
});
afterAll(async () => {
  for (const c of cleanup.reverse()) await c();
});

/** A command line as the guide writes it, in the test's D-Bus session; the value goes to stdin. */
function sh(command: string, stdin?: string) {
  return spawnSync('sh', ['-c', command], { input: stdin, env: { ...process.env, ...keyring.env }, encoding: 'utf8', timeout: 30_000 });
}

function cli(args: string[], dataDir: string, stdin?: string) {
  return spawnSync(process.execPath, [CLI, ...args, '--data-dir', dataDir], { input: stdin, env: { ...process.env, ...keyring.env }, encoding: 'utf8', timeout: 60_000 });
}

/** The guide's "DSL での使用" template, with its URL on the local server. */
const guideTemplate = () => `dsl_version: "1.1"
name: "API Call with Secrets"
steps:
  - make_request:
      url: "${site}/data"
      headers:
        Authorization: "Bearer {{secrets://api_key}}"
        # または service/key形式
        X-API-Key: "{{secrets://external_api/api_key}}"
`;

describe.skipIf(unavailable !== undefined)(`the guide's Linux keyring commands with desktop-agent serve${unavailable ? ` — SKIPPED: ${unavailable}` : ''}`, () => {
  it('secret-tool store as written, then a queued run sends both values (secrets://api_key and secrets://external_api/api_key) to the server', { timeout: 180_000 }, async () => {
    const apiKey = `guide-api-key-${randomUUID()}`;
    const externalKey = `guide-external-${randomUUID()}`;
    const stored = sh(`secret-tool store --label="Desktop Agent API Key" \\\n  service com.axion.desktop-agent account api_key`, apiKey);
    expect(stored.status, stored.stderr).toBe(0);
    const external = sh('secret-tool store --label="Desktop Agent External API Key" service com.axion.desktop-agent.external_api account api_key', externalKey);
    expect(external.status, external.stderr).toBe(0);

    const dataDir = patientKeychainConfig(mkdtempSync(join(tmpdir(), 'da-keychain-e2e-')));
    cleanup.push(() => rmSync(dataDir, { recursive: true, force: true }));
    const serve: ServeProcess = await startServeProcess([], { ...keyring.env, DESKTOP_AGENT_ADMIN_USER: ADMIN.user, DESKTOP_AGENT_ADMIN_PASSWORD: ADMIN.password }, dataDir);
    const stop = async () => {
      if (serve.child.exitCode !== null) return;
      serve.child.kill('SIGTERM');
      await serve.exited;
    };
    cleanup.push(stop);
    const api = await ApiSession.withToken(serve.url, ADMIN.user, ADMIN.password, 'keychain-e2e');

    const first = await api.waitForRun(await api.enqueue(guideTemplate()));
    expect(first).toMatchObject({ status: 'succeeded', error: null });
    expect(seen).toEqual([{ authorization: `Bearer ${apiKey}`, apiKey: externalKey }]);
    expect(first.steps[0]).toMatchObject({ params: { headers: { Authorization: 'Bearer ***', 'X-API-Key': '***' } }, result: { json: { you_sent: 'Bearer ***' } } });

    // Who read which key, from which run and step, and from which backend.
    const audit = await api.call<{ items: { user: string; resource: string; result: string; source: string; details: Record<string, unknown> }[] }>('GET', '/api/admin/audit?action=secrets.resolve');
    expect(audit.body.items.map((e) => [e.user, e.resource, e.result, e.source, e.details]).sort()).toEqual([
      [ADMIN.user, 'api_key', 'ok', 'engine', { run_id: first.id, step: 0, backend: 'keychain' }],
      [ADMIN.user, 'external_api/api_key', 'ok', 'engine', { run_id: first.id, step: 0, backend: 'keychain' }],
    ]);

    // The guide's get_metrics(): the keychain answered both lookups.
    const status = await api.call<SecretsStatus>('GET', '/api/secrets/status');
    expect(status.body.backends[0]).toEqual({ name: 'keychain', available: true, writable: true, reason: null, lock: null, lookups_24h: 2, hits_24h: 2, misses_24h: 0, errors_24h: 0 });
    expect(status.body).toMatchObject({ order: ['keychain', 'env', 'file'], lookups_24h: 2, hits_24h: 2, misses_24h: 0 });

    // The CLI on the same keychain while serve runs.
    expect(cli(['secrets', 'get', 'api_key', '--service', 'external_api'], dataDir)).toMatchObject({ status: 0, stdout: externalKey });

    // A new value through the API lands where secret-tool finds it, and the next run sends it.
    const rotated = `rotated-${randomUUID()}`;
    expect((await api.call('PUT', '/api/secrets/api_key', rotated)).body).toMatchObject({ key: 'api_key', service: null, backend: 'keychain' });
    expect(sh('secret-tool lookup service com.axion.desktop-agent account api_key').stdout).toBe(rotated);
    expect(await api.waitForRun(await api.enqueue(guideTemplate()))).toMatchObject({ status: 'succeeded' });
    expect(seen.at(-1)).toEqual({ authorization: `Bearer ${rotated}`, apiKey: externalKey });

    // Deleted through the CLI: gone from the keychain, and a run fails with the SPEC's message.
    const deleted = cli(['secrets', 'delete', 'api_key', '--service', 'external_api'], dataDir);
    expect(deleted).toMatchObject({ status: 0, stderr: "Deleted secret 'external_api/api_key' from keychain.\n" });
    expect(sh('secret-tool lookup service com.axion.desktop-agent.external_api account api_key').status).toBe(1);
    const missing = await api.waitForRun(await api.enqueue(guideTemplate()));
    expect(missing).toMatchObject({ status: 'failed', error_code: 'SECRET_NOT_FOUND', error: "steps[0] make_request: Secret 'external_api/api_key' not found" });
    expect(seen).toHaveLength(2);

    expect(api.answers.filter((a) => [apiKey, externalKey, rotated].some((v) => a.text.includes(v))).map((a) => `${a.method} ${a.path}`)).toEqual([]);
    await stop();
    for (const value of [apiKey, externalKey, rotated]) expect(filesContaining(dataDir, value)).toEqual([]);
  });
});
