import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI, startServeProcess, type ServeProcess } from '../support/serve-process';

const ADMIN = { DESKTOP_AGENT_ADMIN_USER: 'admin', DESKTOP_AGENT_ADMIN_PASSWORD: 'enqueue-test-pw-1' };
const basic = 'Basic ' + Buffer.from('admin:enqueue-test-pw-1').toString('base64');

describe('desktop-agent enqueue against a running serve', () => {
  let serve: ServeProcess;
  let token: string;
  let dir: string;

  beforeAll(async () => {
    serve = await startServeProcess([], ADMIN);
    const me = (await (await fetch(`${serve.url}/api/auth/me`, { headers: { authorization: basic } })).json()) as { id: string };
    const r = await fetch(`${serve.url}/api/admin/users/${me.id}/tokens`, { method: 'POST', headers: { authorization: basic, 'content-type': 'application/json' }, body: '{"name":"cli"}' });
    token = ((await r.json()) as { token: string }).token;
    dir = mkdtempSync(join(tmpdir(), 'da-cli-enqueue-'));
  });
  afterAll(async () => {
    serve.child.kill('SIGTERM');
    await serve.exited;
  });

  const cli = (args: string[], env: Record<string, string> = {}, input?: string) =>
    spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', cwd: dir, input, env: { ...process.env, DESKTOP_AGENT_DATA_DIR: serve.dataDir, ...env } });

  it('queues a YAML file with variables and a priority, prints the run id, and the run succeeds', async () => {
    writeFileSync(join(dir, 'hello.yaml'), 'dsl_version: "1.1"\nname: hello\nvariables: { who: null }\nsteps:\n  - log: { message: "こんにちは {{who}}" }\n');
    const r = cli(['enqueue', 'hello.yaml', '--var', 'who=世界', '--priority', '2'], { DESKTOP_AGENT_TOKEN: token });
    expect(r.status, r.stderr).toBe(0);
    const runId = r.stdout.trim();
    expect(runId).toMatch(/^run_/);
    expect(r.stderr).toContain(`Queued ${runId} in default (priority 2)`);
    const deadline = Date.now() + 20_000;
    let run: { status: string; priority: number; variables: Record<string, string> } | undefined;
    while (Date.now() < deadline) {
      run = (await (await fetch(`${serve.url}/api/runs/${runId}`, { headers: { authorization: `Bearer ${token}` } })).json()) as typeof run;
      if (run?.status === 'succeeded') break;
      await new Promise((res) => setTimeout(res, 50));
    }
    expect(run).toMatchObject({ status: 'succeeded', priority: 2, variables: { who: '世界' } });
  });

  it('signs in with --user and --password-stdin, and prints JSON with --json', () => {
    writeFileSync(join(dir, 'noop.yaml'), 'dsl_version: "1.1"\nname: noop\nsteps:\n  - log: { message: hi }\n');
    const r = cli(['enqueue', 'noop.yaml', '--user', 'admin', '--password-stdin', '--json', '--idempotency-key', 'k-1'], {}, 'enqueue-test-pw-1\n');
    expect(r.status, r.stderr).toBe(0);
    const first = JSON.parse(r.stdout) as { run_id: string; duplicate: boolean };
    expect(first.duplicate).toBe(false);
    const again = cli(['enqueue', 'noop.yaml', '--json', '--idempotency-key', 'k-1'], { DESKTOP_AGENT_TOKEN: token });
    expect(JSON.parse(again.stdout)).toMatchObject({ run_id: first.run_id, duplicate: true });
  });

  it('without credentials, acts as the OS user through the instance\'s cli-token, audited as the CLI', async () => {
    const r = cli(['enqueue', 'noop.yaml', '--json']);
    expect(r.status, r.stderr).toBe(0);
    const runId = (JSON.parse(r.stdout) as { run_id: string }).run_id;
    const audit = (await (await fetch(`${serve.url}/api/admin/audit?action=runs.enqueue`, { headers: { authorization: basic } })).json()) as { items: { user: string; resource: string | null; source: string; result: string }[] };
    expect(audit.items).toContainEqual(expect.objectContaining({ user: `os:${userInfo().username}`, source: 'cli', result: 'ok' }));
    expect(runId).toMatch(/^run_/);
    // The token is the instance's, for this data dir only: never sent to another --url.
    const token = readFileSync(join(serve.dataDir, 'cli-token'), 'utf8').trim();
    expect(statSync(join(serve.dataDir, 'cli-token')).mode & 0o777).toBe(0o600);
    expect(token).toMatch(/^dacli_/);
  });

  it('says clearly what is wrong: no credentials, unknown template, bad priority, no running instance', () => {
    // --url names an instance explicitly: the data dir's cli-token is not sent, so credentials are needed.
    const anon = cli(['enqueue', 'nope', '--url', serve.url]);
    expect(anon.status).toBe(1);
    expect(anon.stderr).toContain('UNAUTHENTICATED');
    expect(anon.stderr).toContain('Give DESKTOP_AGENT_TOKEN=<api token>, or --user NAME --password-stdin.');
    const unknown = cli(['enqueue', 'no_such_template'], { DESKTOP_AGENT_TOKEN: token });
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toContain("Template 'no_such_template' not found");
    const bad = cli(['enqueue', 'x', '--priority', '0'], { DESKTOP_AGENT_TOKEN: token });
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('--priority is 1 (highest) to 9 (lowest)');
    const none = cli(['enqueue', 'x'], { DESKTOP_AGENT_DATA_DIR: mkdtempSync(join(tmpdir(), 'da-none-')), DESKTOP_AGENT_TOKEN: token });
    expect(none.status).toBe(2);
    expect(none.stderr).toContain('no running Desktop Agent found');
  });
});
