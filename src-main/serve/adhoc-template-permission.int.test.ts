import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rawHttp } from '../../test-support/raw-http';
import { FAST_SCRYPT, addUser, basic } from '../../test-support/users';
import { startServe, type ServeHandle } from '../host/start-serve';

// Issue 21 item 11: a Runner's ad-hoc template_yaml could use every secret and read any file the
// server can. Unsaved YAML now needs manage_templates (Editor); Runners run stored templates.
let serve: ServeHandle;
const json = { 'content-type': 'application/json' };
const YAML = 'dsl_version: "1.1"\nname: adhoc\nsteps:\n  - log: { message: "{{secrets://api_key | upper}}" }\n';

beforeAll(async () => {
  serve = await startServe({ dataDir: mkdtempSync(join(tmpdir(), 'da-adhoc-')), host: '127.0.0.1', port: 0, allowRemote: false, env: {}, coreOverrides: { watchConfig: false, users: { scrypt: FAST_SCRYPT } } });
  for (const [name, role] of [['admin', 'Admin'], ['editor', 'Editor'], ['runner', 'Runner'], ['viewer', 'Viewer']] as const) await addUser(serve.core, name, role);
  const saved = await rawHttp(`${serve.url}/api/templates`, { method: 'POST', headers: { ...json, authorization: basic('editor') }, body: JSON.stringify({ name: 'stored', yaml: YAML.replace('adhoc', 'stored').replace('{{secrets://api_key | upper}}', 'hello') }) });
  expect(saved.status, saved.body).toBe(201);
});
afterAll(async () => serve?.stop());

const enqueue = (user: string, body: unknown) => rawHttp(`${serve.url}/api/runs`, { method: 'POST', headers: { ...json, authorization: basic(user) }, body: JSON.stringify(body) });

describe('runs from unsaved template_yaml need manage_templates', () => {
  it('refuses a Runner\'s template_yaml with 403 naming the permission, and queues nothing', async () => {
    const before = (await serve.core.invoke<{ items: unknown[] }>('runs.list', {}, { principal: { kind: 'user', id: 'x', username: 'admin', role: 'Admin', via: 'cli' }, source: 'cli' })).items.length;
    const r = await enqueue('runner', { template_yaml: YAML });
    expect(r.status, r.body).toBe(403);
    const error = JSON.parse(r.body).error;
    expect(error.details).toMatchObject({ permission: 'manage_templates', role: 'Runner', field: 'template_yaml' });
    expect(error.message).toContain('run a stored template instead');
    const batch = await rawHttp(`${serve.url}/api/runs/batch`, { method: 'POST', headers: { ...json, authorization: basic('runner') }, body: JSON.stringify({ runs: [{ template: 'stored' }, { template_yaml: YAML }] }) });
    expect(batch.status, batch.body).toBe(403);
    const after = (await serve.core.invoke<{ items: unknown[] }>('runs.list', {}, { principal: { kind: 'user', id: 'x', username: 'admin', role: 'Admin', via: 'cli' }, source: 'cli' })).items.length;
    expect(after).toBe(before);
    const audit = serve.core.audit.query({ action: 'runs.enqueue', user: 'runner' });
    expect(audit[0]).toMatchObject({ result: 'denied', permission: 'create_runs' });
  });

  it('lets a Runner run a stored template, and an Editor run template_yaml', async () => {
    expect((await enqueue('runner', { template: 'stored', dry_run: true })).status).toBe(201);
    expect((await enqueue('editor', { template_yaml: YAML, dry_run: true })).status).toBe(201);
    expect((await enqueue('viewer', { template: 'stored' })).status).toBe(403);
  });
});
