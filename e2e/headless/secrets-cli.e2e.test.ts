import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { filesContaining } from '../../test-support/secrets-core';
import { CLI, requireBuild } from '../support/serve-process';

/**
 * The built CLI as a separate process, with the real keytar, where no Secret Service can answer:
 * the keychain is reported unavailable with its reason, lookups fall through, and the process
 * finishes even when a keychain call never returns.
 */
const dirs: string[] = [];
const servers: Server[] = [];
afterAll(() => {
  for (const s of servers) s.close();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** The environment of a headless Linux without a D-Bus session (no bus address, no X display to autolaunch one). */
function headlessEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return { PATH: process.env.PATH, HOME: process.env.HOME, LANG: 'C.UTF-8', ...extra };
}

function cli(args: string[], env: NodeJS.ProcessEnv, stdin = ''): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { env, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    // A CLI that hangs is the failure this file is about: kill it and say so.
    const guard = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`desktop-agent ${args.join(' ')} did not finish within 30 s; stderr: ${stderr}`));
    }, 30_000);
    child.on('close', (code) => {
      clearTimeout(guard);
      resolve({ code, stdout, stderr });
    });
    child.stdin.end(stdin);
  });
}

function dataDir(secretsYaml?: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'da-e2e-secrets-'));
  dirs.push(dir);
  if (secretsYaml) {
    mkdirSync(join(dir, 'configs'));
    writeFileSync(join(dir, 'configs', 'orchestrator.yaml'), `secrets:\n  ${secretsYaml}\n`);
  }
  return dir;
}

describe('desktop-agent secrets without a usable OS keychain', () => {
  it('reports no D-Bus session, falls through to env and file, and stores in the file', async () => {
    requireBuild();
    const dir = dataDir();
    const env = headlessEnv({ DESKTOP_AGENT_SECRET_API_KEY: 'env-api-key-value', DESKTOP_AGENT_SECRETS_PASSPHRASE: 'e2e passphrase' });

    const status = await cli(['secrets', 'status', '--json', '--data-dir', dir], env);
    expect(status.code).toBe(0);
    const keychain = JSON.parse(status.stdout).backends[0];
    expect(keychain).toMatchObject({ name: 'keychain', available: false, writable: false });
    expect(keychain.reason).toMatch(/^no D-Bus session with a Secret Service \(.*\); on a headless Linux start one/);

    expect(await cli(['secrets', 'get', 'api_key', '--data-dir', dir], env)).toMatchObject({ code: 0, stdout: 'env-api-key-value' });
    const set = await cli(['secrets', 'set', 'file_key', '--data-dir', dir], env, 'file-value-123\n');
    expect(set).toMatchObject({ code: 0, stderr: "Stored secret 'file_key' in the file backend.\n" });
    expect(await cli(['secrets', 'get', 'file_key', '--data-dir', dir], env)).toMatchObject({ code: 0, stdout: 'file-value-123' });

    const text = await cli(['secrets', 'status', '--data-dir', dir], env);
    expect(text.stdout).toMatch(/^keychain\s+UNAVAILABLE/m);
    expect(text.stdout).toMatch(/lookups in 24 h: 2 \(hits 2, misses 0\)/);
  });

  it('sets, gets, lists and deletes KEY --service S in the file backend, the value from stdin only', async () => {
    requireBuild();
    const dir = dataDir();
    const env = headlessEnv({ DESKTOP_AGENT_SECRETS_PASSPHRASE: 'e2e passphrase' });
    const value = 'svc token value é/+=&';

    const argument = await cli(['secrets', 'set', 'token', value, '--service', 'external_api', '--data-dir', dir], env);
    expect(argument.code).toBe(2);
    expect(argument.stderr).toContain('the value is read from stdin, never from the command line');
    const set = await cli(['secrets', 'set', 'token', '--service', 'external_api', '--data-dir', dir], env, `${value}\n`);
    expect(set).toMatchObject({ code: 0, stderr: "Stored secret 'external_api/token' in the file backend.\n" });
    expect(await cli(['secrets', 'get', 'token', '--service', 'external_api', '--data-dir', dir], env)).toMatchObject({ code: 0, stdout: value });

    const list = await cli(['secrets', 'list', '--json', '--data-dir', dir], env);
    expect(JSON.parse(list.stdout).items).toEqual([expect.objectContaining({ key: 'token', service: 'external_api', backend: 'file', updated_at: expect.stringMatching(/Z$/) })]);
    expect(list.stdout).not.toContain(value);

    expect(await cli(['secrets', 'delete', 'token', '--service', 'external_api', '--data-dir', dir], env)).toMatchObject({ code: 0, stderr: "Deleted secret 'external_api/token' from file.\n" });
    const gone = await cli(['secrets', 'get', 'token', '--service', 'external_api', '--data-dir', dir], env);
    expect(gone.code).toBe(1);
    expect(gone.stderr).toMatch(/^Secret 'external_api\/token' not found \(could not ask keychain: no D-Bus session/);

    const db = new BetterSqlite3(join(dir, 'desktop-agent.db'), { readonly: true });
    const audit = db.prepare("select action, resource, result, source from audit_log where action like 'secrets.%' order by id").all();
    db.close();
    // The CLI's changes are the contract's procedures, audited by the dispatcher under their names.
    expect(audit).toEqual([
      { action: 'secrets.setInService', resource: 'external_api/token', result: 'ok', source: 'cli' },
      { action: 'secrets.resolve', resource: 'external_api/token', result: 'ok', source: 'cli' },
      { action: 'secrets.list', resource: null, result: 'granted', source: 'cli' },
      { action: 'secrets.deleteInService', resource: 'external_api/token', result: 'ok', source: 'cli' },
      { action: 'secrets.resolve', resource: 'external_api/token', result: 'error', source: 'cli' },
    ]);
    expect(filesContaining(dir, value)).toEqual([]);
  });

  it('bounds a keychain call on a D-Bus peer that never answers, and still exits', async () => {
    requireBuild();
    const socket = join(dataDir(), 'silent-bus.sock');
    // Accepts the connection and says nothing: keytar (libsecret) waits for the handshake forever.
    const silent = createServer((s) => s.on('data', () => {}));
    servers.push(silent);
    await new Promise<void>((r) => silent.listen(socket, () => r()));
    const dir = dataDir('keychain_timeout_ms: 500');
    const env = headlessEnv({ DBUS_SESSION_BUS_ADDRESS: `unix:path=${socket}`, DESKTOP_AGENT_SECRET_API_KEY: 'env-api-key-value' });

    const get = await cli(['secrets', 'get', 'api_key', '--data-dir', dir], env);
    expect(get).toMatchObject({ code: 0, stdout: 'env-api-key-value' });
    const status = await cli(['secrets', 'status', '--json', '--data-dir', dir], env);
    const keychain = JSON.parse(status.stdout).backends[0];
    expect(keychain).toMatchObject({ name: 'keychain', available: false });
    expect(keychain.reason).toMatch(/^no answer from the OS keychain within 500 ms/);
    const set = await cli(['secrets', 'set', 'k1', '--data-dir', dir], env, 'some-value');
    expect(set.code).toBe(1);
    // One sentence: what is locked and how to unlock it (issue 14, item 9), not every backend's own story.
    expect(set.stderr).toBe(
      'desktop-agent secrets set: No backend can store secrets: the OS keychain cannot be reached (start a Secret Service (gnome-keyring or KWallet) on this D-Bus session and unlock it); ' +
        'secrets.enc has no key (set DESKTOP_AGENT_SECRETS_PASSPHRASE, or make the OS keychain available).\n',
    );
  });

  it('says that secrets.enc is locked and how to unlock it when listing without its passphrase, never "No secrets found"', async () => {
    requireBuild();
    const dir = dataDir();
    const set = await cli(['secrets', 'set', 'api_key', '--backend', 'file', '--data-dir', dir], headlessEnv({ DESKTOP_AGENT_SECRETS_PASSPHRASE: 'e2e passphrase' }), 'file-value-123');
    expect(set.code).toBe(0);

    const list = await cli(['secrets', 'list', '--data-dir', dir], headlessEnv());
    expect(list.code).toBe(0);
    expect(list.stderr).toBe(
      'Secrets in a locked backend are not listed: secrets.enc is locked (set DESKTOP_AGENT_SECRETS_PASSPHRASE to the passphrase it was created with and restart Desktop Agent).\n',
    );
    const json = JSON.parse((await cli(['secrets', 'list', '--json', '--data-dir', dir], headlessEnv())).stdout);
    expect(json).toMatchObject({ items: [], locked: [{ backend: 'file', lock: 'file_passphrase_needed' }] });
    expect((await cli(['secrets', 'list', '--data-dir', dir], headlessEnv({ DESKTOP_AGENT_SECRETS_PASSPHRASE: 'e2e passphrase' }))).stdout).toMatch(/^-\s+api_key\s+file/m);
  });
});
