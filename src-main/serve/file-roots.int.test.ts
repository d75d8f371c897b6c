import { mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunView } from '@shared/contract/runs';
import { insideAndOutside } from '../../test-support/files';
import { rawHttp } from '../../test-support/raw-http';
import { FAST_SCRYPT, addUser, basic } from '../../test-support/users';
import { startServe, type ServeHandle } from '../host/start-serve';

// Issue 21 item 11 (second half): running as root, a run of `read_csv /etc/shadow` put hash lines
// into a run that every Viewer can read. File actions are now confined to files.allowed_roots.
// Here the roots are one folder; the "shadow" file sits next to it, reached directly, through
// `..` and through a link inside the root. A Runner runs a stored template, as Runners do.
const HASH = 'root:$6$Zq9PlantedHash$y1Wv4uJ7'; // the marker that must not leave the file

let serve: ServeHandle;
let base: string;
let allowed: string;
let cleanup: () => void;
let shadow: string;
const json = { 'content-type': 'application/json' };
const IMPORT = 'dsl_version: "1.1"\nname: import\nvariables: { csv: null }\nsteps:\n  - read_csv: { path: "{{csv}}", header: false, id: csv }\n  - log: { message: "rows: {{steps.csv.rows}}" }\n';

beforeAll(async () => {
  ({ base, inside: allowed, cleanup } = insideAndOutside('roots'));
  shadow = join(base, 'outside', 'shadow');
  writeFileSync(shadow, `${HASH}:19000:0:99999:7:::\n`);
  writeFileSync(join(allowed, 'ok.csv'), '山田,42\n');
  symlinkSync(shadow, join(allowed, 'report.csv'));
  const dataDir = join(base, 'data');
  mkdirSync(join(dataDir, 'configs'), { recursive: true });
  writeFileSync(join(dataDir, 'configs', 'orchestrator.yaml'), `files:\n  allowed_roots: [${JSON.stringify(allowed)}, "<data-dir>"]\n`);
  serve = await startServe({ dataDir, host: '127.0.0.1', port: 0, allowRemote: false, env: {}, coreOverrides: { watchConfig: false, users: { scrypt: FAST_SCRYPT } } });
  for (const [name, role] of [['editor', 'Editor'], ['runner', 'Runner'], ['viewer', 'Viewer']] as const) await addUser(serve.core, name, role);
  const saved = await rawHttp(`${serve.url}/api/templates`, { method: 'POST', headers: { ...json, authorization: basic('editor') }, body: JSON.stringify({ name: 'import', yaml: IMPORT }) });
  expect(saved.status, saved.body).toBe(201);
});
afterAll(async () => {
  await serve?.stop();
  cleanup();
});

async function runAsRunner(csv: string, dryRun = false): Promise<RunView> {
  const r = await rawHttp(`${serve.url}/api/runs`, { method: 'POST', headers: { ...json, authorization: basic('runner') }, body: JSON.stringify({ template: 'import', variables: { csv }, dry_run: dryRun }) });
  expect(r.status, r.body).toBe(201);
  const id = (JSON.parse(r.body) as { run_id: string }).run_id;
  const deadline = Date.now() + 60_000;
  for (;;) {
    const got = await rawHttp(`${serve.url}/api/runs/${id}`, { headers: { authorization: basic('viewer') } });
    const view = JSON.parse(got.body) as RunView;
    if (view.status === 'succeeded' || view.status === 'failed') return view;
    if (Date.now() > deadline) throw new Error(`run ${id} is still ${view.status}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('file actions are confined to files.allowed_roots', () => {
  it('reads a file inside the roots (the same template, the same Runner)', async () => {
    const view = await runAsRunner(join(allowed, 'ok.csv'));
    expect(view.status, JSON.stringify(view.steps)).toBe('succeeded');
    expect(view.steps[0]!.result).toMatchObject({ rows: [['山田', '42']], count: 1 });
  });

  it('fails a run reading outside with PERMISSION_BLOCKED naming the setting and the path, and nothing of the file reaches the run', async () => {
    const cases: [string, string][] = [
      [shadow, shadow],
      [`${allowed}/../outside/shadow`, shadow],
      [join(allowed, 'report.csv'), join(allowed, 'report.csv')],
      ['/etc/shadow', '/etc/shadow'],
    ];
    for (const [csv, named] of cases) {
      for (const dryRun of [false, true]) {
        const view = await runAsRunner(csv, dryRun);
        const where = `${csv}${dryRun ? ' (dry run)' : ''}`;
        expect(view.status, where).toBe('failed');
        expect(view.steps[0], where).toMatchObject({ status: 'failed', error_code: 'PERMISSION_BLOCKED' });
        expect(view.steps[0]!.error, where).toContain(`read_csv: ${named}`);
        expect(view.steps[0]!.error, where).toContain('outside files.allowed_roots in orchestrator.yaml');
        expect(view.steps).toHaveLength(1);
        expect(JSON.stringify(view), where).not.toContain('Zq9PlantedHash');
      }
    }
    expect(readFileSync(join(base, 'data', 'logs', 'desktop-agent.log'), 'utf8')).not.toContain('Zq9PlantedHash');
  });
});
