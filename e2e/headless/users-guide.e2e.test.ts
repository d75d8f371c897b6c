import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { CLI, requireBuild, startServeProcess, type ServeProcess } from '../support/serve-process';

/**
 * The operations guide's user-management commands, run as written (only the port differs)
 * with the real curl against the built `desktop-agent serve`.
 */
const running: ServeProcess[] = [];
afterEach(async () => {
  for (const s of running.splice(0)) {
    s.child.kill('SIGTERM');
    await s.exited;
  }
});

/** Runs a shell command line as a user would type it; the last line of stdout is the HTTP status. */
function sh(command: string): { status: number; body: unknown } {
  const r = spawnSync('sh', ['-c', `${command} -s -w '\\n%{http_code}'`], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${command} failed: ${r.stderr}`);
  const lines = r.stdout.trimEnd().split('\n');
  const status = Number(lines.pop());
  const text = lines.join('\n');
  return { status, body: text ? JSON.parse(text) : null };
}

function cli(args: string[], dataDir: string, stdin?: string) {
  return spawnSync(process.execPath, [CLI, ...args, '--data-dir', dataDir], { input: stdin, encoding: 'utf8' });
}

const portOf = (s: ServeProcess) => new URL(s.url).port;
const logText = (dataDir: string) => readdirSync(join(dataDir, 'logs')).map((f) => readFileSync(join(dataDir, 'logs', f), 'utf8')).join('');

describe("the guide's user management against `desktop-agent serve`", () => {
  it('first Admin from the CLI, then the guide’s curl commands: create a user, list users, read the audit log', async () => {
    requireBuild();
    const dataDir = mkdtempSync(join(tmpdir(), 'da-guide-'));
    const created = cli(['users', 'create', 'admin', '--role', 'admin', '--password-stdin'], dataDir, 'password\n');
    expect(created.status).toBe(0);
    expect(created.stderr).toMatch(/^Created Admin 'admin' \(usr_[0-9a-z]+\)\n$/);

    const s = await startServeProcess([], {}, dataDir);
    running.push(s);
    const port = portOf(s);

    // RBAC › ユーザー管理 (the guide's body; the SPEC adds "role")
    const create = sh(`curl -X POST http://localhost:${port}/api/admin/users \\
  -u admin:password \\
  -H "Content-Type: application/json" \\
  -d '{
    "username": "project_manager",
    "password": "secure_password",
    "active": true,
    "role": "Editor"
  }'`);
    expect(create.status).toBe(201);
    expect(create.body).toMatchObject({ username: 'project_manager', role: 'Editor', active: true });
    expect(JSON.stringify(create.body)).not.toContain('secure_password');

    // The guide's original body, without a role: a Viewer (least privilege).
    const plain = sh(`curl -X POST http://localhost:${port}/api/admin/users -u admin:password -H "Content-Type: application/json" -d '{"username": "reporter", "password": "secure_password", "active": true}'`);
    expect(plain).toMatchObject({ status: 201, body: { username: 'reporter', role: 'Viewer' } });

    // トラブルシューティング › RBAC認証エラー
    const users = sh(`curl -u admin:password http://localhost:${port}/api/admin/users`);
    expect(users.status).toBe(200);
    expect((users.body as { items: { username: string; role: string }[] }).items.map((u) => `${u.username}:${u.role}`)).toEqual(['admin:Admin', 'project_manager:Editor', 'reporter:Viewer']);

    // The symptom the guide troubleshoots: an Editor asking for an Admin endpoint gets a 403 naming the permission.
    const forbidden = sh(`curl -u project_manager:secure_password http://localhost:${port}/api/admin/users`);
    expect(forbidden).toEqual({
      status: 403,
      body: { error: { code: 'FORBIDDEN', message: "Permission 'manage_users' required; your role Editor does not have it", details: { permission: 'manage_users', role: 'Editor' } } },
    });

    const audit = sh(`curl -u admin:password http://localhost:${port}/api/admin/audit`);
    expect(audit.status).toBe(200);
    const entries = (audit.body as { items: { user: string; action: string; result: string; source: string; permission: string | null }[] }).items;
    expect(entries).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ user: 'project_manager', action: 'users.list', permission: 'manage_users', result: 'denied', source: '127.0.0.1' }),
        expect.objectContaining({ user: 'admin', action: 'users.create', permission: 'manage_users', result: 'ok', source: '127.0.0.1' }),
        expect.objectContaining({ user: `os:${userInfo().username}`, action: 'users.create', source: 'cli' }),
      ]),
    );

    // The CLI works on the same database while serve runs; a disabled user is refused at once.
    const disabled = cli(['users', 'disable', 'project_manager'], dataDir);
    expect(disabled.status).toBe(0);
    expect(sh(`curl -u project_manager:secure_password http://localhost:${port}/api/auth/me`).status).toBe(401);
    const listed = cli(['users', 'list', '--json'], dataDir);
    expect(JSON.parse(listed.stdout).items.find((u: { username: string }) => u.username === 'project_manager')).toMatchObject({ active: false, role: 'Editor' });

    expect(logText(dataDir)).not.toContain('secure_password');
  });

  it('DESKTOP_AGENT_ADMIN_PASSWORD creates the first Admin on the very first start only and is never logged', async () => {
    requireBuild();
    const dataDir = mkdtempSync(join(tmpdir(), 'da-guide-'));
    const first = await startServeProcess([], { DESKTOP_AGENT_ADMIN_PASSWORD: 'Env-Admin-Pass-1' }, dataDir);
    running.push(first);
    expect(sh(`curl -u admin:Env-Admin-Pass-1 http://localhost:${portOf(first)}/api/auth/me`).body).toMatchObject({ username: 'admin', role: 'Admin' });
    first.child.kill('SIGTERM');
    await first.exited;
    running.pop();

    const second = await startServeProcess([], { DESKTOP_AGENT_ADMIN_USER: 'intruder', DESKTOP_AGENT_ADMIN_PASSWORD: 'Env-Admin-Pass-2' }, dataDir);
    running.push(second);
    const port = portOf(second);
    expect(sh(`curl -u admin:Env-Admin-Pass-1 http://localhost:${port}/api/auth/me`).status).toBe(200);
    expect(sh(`curl -u intruder:Env-Admin-Pass-2 http://localhost:${port}/api/auth/me`).status).toBe(401);
    const log = logText(dataDir) + first.stderr() + second.stderr();
    expect(log).toContain("Created the first Admin 'admin' from DESKTOP_AGENT_ADMIN_PASSWORD");
    expect(log).toContain('DESKTOP_AGENT_ADMIN_PASSWORD is set but users exist already; it is ignored');
    expect(log).not.toContain('Env-Admin-Pass');
  });

  it('without any user, nothing but the public list and the first-run procedure answers', async () => {
    requireBuild();
    const s = await startServeProcess();
    running.push(s);
    const port = portOf(s);
    expect(sh(`curl http://localhost:${port}/api/admin/users`).status).toBe(401);
    expect(sh(`curl http://localhost:${port}/api/auth/first-run`).body).toMatchObject({ required: true });
    const setup = sh(`curl -X POST http://localhost:${port}/api/auth/first-run -H "Content-Type: application/json" -d '{"username":"owner","password":"owner-password"}'`);
    expect(setup).toMatchObject({ status: 201, body: { user: { username: 'owner', role: 'Admin' } } });
    expect(sh(`curl http://localhost:${port}/api/auth/first-run`).status).toBe(401);
    expect(sh(`curl -u owner:owner-password http://localhost:${port}/api/admin/users`).status).toBe(200);
  });
});
