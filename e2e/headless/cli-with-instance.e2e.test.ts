import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI, startServeProcess, type ServeProcess } from '../support/serve-process';

/**
 * The CLI beside a running `serve` on the same data dir (issue 14 item 4, issue 13 item 3): one
 * process writes the database, so the CLI hands its work to the instance. The CLI runs with an
 * environment of its own, as from another shell: nothing of the server's environment.
 */
const ADMIN = { DESKTOP_AGENT_ADMIN_USER: 'admin', DESKTOP_AGENT_ADMIN_PASSWORD: 'instance-test-pw-1', DESKTOP_AGENT_SECRETS_PASSPHRASE: 'server passphrase' };
const basic = 'Basic ' + Buffer.from('admin:instance-test-pw-1').toString('base64');
const os = `os:${userInfo().username}`;

function cli(args: string[], dataDir: string, cwd: string, stdin = '', env: Record<string, string> = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args, '--data-dir', dataDir], { cwd, env: { PATH: process.env.PATH, HOME: process.env.HOME, LANG: 'C.UTF-8', ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(stdin);
  });
}

describe('the CLI while serve runs on the same data dir', () => {
  let serve: ServeProcess;
  let dir: string;
  const api = async <T>(path: string, init: RequestInit = {}): Promise<{ status: number; body: T }> => {
    const res = await fetch(`${serve.url}${path}`, { ...init, headers: { authorization: basic, 'content-type': 'application/json', ...init.headers } });
    const text = await res.text();
    return { status: res.status, body: (text && res.headers.get('content-type')?.includes('json') ? JSON.parse(text) : text) as T };
  };

  beforeAll(async () => {
    serve = await startServeProcess([], ADMIN);
    dir = mkdtempSync(join(tmpdir(), 'da-cli-instance-'));
  });
  afterAll(async () => {
    serve.child.kill('SIGTERM');
    await serve.exited;
  });

  it('run with a human_confirm step: the run is the instance\'s, listed and approvable at once, and finishes there', async () => {
    writeFileSync(
      join(dir, 'confirm.yaml'),
      'dsl_version: "1.1"\nname: confirm_here\nsteps:\n  - log: { message: "prepared {{who}}" }\n  - human_confirm: { message: "続けますか？", timeout_minutes: 1 }\n  - log: { message: "done" }\nvariables: { who: null }\n',
    );
    const r = await cli(['run', 'confirm.yaml', '--var', 'who=me'], serve.dataDir, dir);
    expect(r.code, r.stderr).toBe(1);
    const runId = /^Run (run_\S+): confirm_here, 3 step\(s\), on the Desktop Agent running on this data dir \(pid \d+, http:\/\/127\.0\.0\.1:\d+\)$/m.exec(r.stderr)?.[1];
    expect(runId, r.stderr).toBeDefined();
    expect(r.stderr).toMatch(/^✓ \[1\/3\] log /m);
    expect(r.stderr).toContain(`Run ${runId} waits for approval: 続けますか？\nApprove it in Desktop Agent (Approvals, or ${serve.url}/hitl/approve/${runId}); the app continues the run.`);

    // The server knows the request now, not after a restart.
    const pending = await api<{ items: { run_id: string; message: string }[] }>('/api/approvals');
    expect(pending.body.items).toEqual([expect.objectContaining({ run_id: runId, message: '続けますか？' })]);
    const page = await api<string>(`/hitl/approve/${runId}`, { headers: { accept: 'text/html' } });
    expect(page.status).toBe(200);
    expect(page.body).toContain('続けますか？');

    const approvalId = (pending.body.items[0] as unknown as { id: string }).id;
    expect((await api(`/api/approvals/${approvalId}/approve`, { method: 'POST', body: '{"comment":"ok"}' })).status).toBe(200);
    await expect
      .poll(async () => (await api<{ status: string }>(`/api/runs/${runId}`)).body.status, { timeout: 20_000 })
      .toBe('succeeded');
    const run = (await api<{ requested_by: string; steps: { status: string }[] }>(`/api/runs/${runId}`)).body;
    expect(run.requested_by).toBe(os);
    expect(run.steps.map((s) => s.status)).toEqual(['succeeded', 'succeeded', 'succeeded']);
  });

  it('run follows a run to its end on the instance and exits 0, printing each step once', async () => {
    writeFileSync(join(dir, 'two.yaml'), 'dsl_version: "1.1"\nname: two_steps\nsteps:\n  - log: { message: "one" }\n  - log: { message: "two" }\n');
    const r = await cli(['run', 'two.yaml', '--json'], serve.dataDir, dir);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr.match(/^✓ \[\d\/2\] log/gm)).toEqual(['✓ [1/2] log', '✓ [2/2] log']);
    expect(r.stderr).toMatch(/^Run run_\S+ succeeded in .+ \(2 succeeded\)$/m);
    expect(JSON.parse(r.stdout)).toMatchObject({ status: 'succeeded', template: 'two_steps' });
  });

  it('refuses a run that needs a secret only this shell\'s environment gives, and queues nothing', async () => {
    writeFileSync(join(dir, 'secret.yaml'), 'dsl_version: "1.1"\nname: needs_key\nsteps:\n  - log: { message: "{{secrets://api_key}}" }\n');
    const before = (await api<{ items: unknown[] }>('/api/runs?limit=100')).body.items.length;
    const r = await cli(['run', 'secret.yaml'], serve.dataDir, dir, '', { DESKTOP_AGENT_SECRET_API_KEY: 'only-in-this-shell-123' });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('which cannot see this shell\'s environment, and it does not know secrets://api_key (DESKTOP_AGENT_SECRET_API_KEY)');
    expect(r.stderr).toContain('Nothing was run.');
    expect(r.stderr).not.toContain('only-in-this-shell-123');
    expect((await api<{ items: unknown[] }>('/api/runs?limit=100')).body.items.length).toBe(before);
  });

  it('users and secrets commands go to the instance, audited there as the OS user from the CLI', async () => {
    const created = await cli(['users', 'create', 'dana', '--role', 'runner', '--password-stdin'], serve.dataDir, dir, 'dana-password-1\n');
    expect(created.code, created.stderr).toBe(0);
    expect(created.stderr).toMatch(/^Created Runner 'dana' \(usr_[0-9a-z]+\)\n$/);
    // The server's file backend has the passphrase; this shell has none: the secret is stored by the instance.
    const set = await cli(['secrets', 'set', 'shared_key', '--backend', 'file'], serve.dataDir, dir, 'a-secret-value-456\n');
    expect(set).toMatchObject({ code: 0, stderr: "Stored secret 'shared_key' in the file backend.\n" });
    const list = await cli(['secrets', 'list', '--json'], serve.dataDir, dir);
    expect(JSON.parse(list.stdout).items).toContainEqual(expect.objectContaining({ key: 'shared_key', backend: 'file' }));

    const audit = (await api<{ items: { user: string; action: string; source: string; result: string }[] }>('/api/admin/audit?limit=200')).body.items;
    for (const action of ['users.create', 'secrets.set', 'secrets.list']) {
      expect(audit, action).toContainEqual(expect.objectContaining({ user: os, action, source: 'cli' }));
    }
  });
});
