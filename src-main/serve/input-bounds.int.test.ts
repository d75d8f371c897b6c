import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rawHttp } from '../../test-support/raw-http';
import { FAST_SCRYPT, addUser, basic } from '../../test-support/users';
import { startServe, type ServeHandle } from '../host/start-serve';

// Bad input over real HTTP gets a 400 that says what and where (SPEC section 14).
let serve: ServeHandle;
const json = { 'content-type': 'application/json' };

beforeAll(async () => {
  serve = await startServe({ dataDir: mkdtempSync(join(tmpdir(), 'da-input-')), host: '127.0.0.1', port: 0, allowRemote: false, env: {}, coreOverrides: { watchConfig: false, users: { scrypt: FAST_SCRYPT } } });
  await addUser(serve.core, 'admin', 'Admin');
  await serve.core.invoke('templates.save', { name: 'hello', yaml: 'dsl_version: "1.1"\nname: hello\nsteps:\n  - log: { message: hi }\n' }, { principal: { kind: 'user', id: 'x', username: 'admin', role: 'Admin', via: 'cli' }, source: 'cli' });
});
afterAll(async () => serve?.stop());

describe('POST /api/runs with hostile input', () => {
  // Issue 21 item 9: answered 500 "Maximum call stack size exceeded".
  it('answers deeply nested JSON in variables with 400 and the path where it stopped', async () => {
    const depth = 100_000;
    const body = `{"template":"hello","variables":{"x":${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}}}`;
    const r = await rawHttp(`${serve.url}/api/runs`, { method: 'POST', headers: { ...json, authorization: basic('admin') }, body });
    expect(r.status, r.body).toBe(400);
    const error = JSON.parse(r.body).error;
    expect(error.code).toBe('VALIDATION_ERROR');
    const path = `variables.x${'.a'.repeat(62)}`;
    expect(error.details.issues).toEqual([{ path, message: 'nested more than 64 levels deep; nothing here is read past this point' }]);
    // Arrays too, and the server still answers afterwards.
    const arrays = `{"template":"hello","variables":{"list":${'['.repeat(depth)}${']'.repeat(depth)}}}`;
    const r2 = await rawHttp(`${serve.url}/api/runs`, { method: 'POST', headers: { ...json, authorization: basic('admin') }, body: arrays });
    expect(r2.status).toBe(400);
    expect(JSON.parse(r2.body).error.details.issues[0].path).toBe(`variables.list${'[0]'.repeat(62)}`);
    expect((await rawHttp(`${serve.url}/healthz`)).status).toBe(200);
  });

  it('accepts variables nested as deep as the limit allows', async () => {
    const body = JSON.stringify({ template: 'hello', variables: { x: JSON.parse(`${'{"a":'.repeat(62)}1${'}'.repeat(62)}`) } });
    const r = await rawHttp(`${serve.url}/api/runs`, { method: 'POST', headers: { ...json, authorization: basic('admin') }, body });
    expect(r.status, r.body).toBe(201);
  });
});

describe('POST /api/runs with a priority that is not a number', () => {
  // Issue 14 item 11: `priority: "high"` answered "expected number, received NaN".
  it('says what is expected', async () => {
    for (const priority of ['high', 2.5, 0, 10]) {
      const r = await rawHttp(`${serve.url}/api/runs`, { method: 'POST', headers: { ...json, authorization: basic('admin') }, body: JSON.stringify({ template: 'hello', priority }) });
      expect(r.status, String(priority)).toBe(400);
      expect(JSON.parse(r.body).error.details.issues, String(priority)).toEqual([{ path: 'priority', message: 'expected a whole number from 1 (highest) to 9 (lowest), e.g. 5' }]);
    }
    expect((await rawHttp(`${serve.url}/api/runs`, { method: 'POST', headers: { ...json, authorization: basic('admin') }, body: JSON.stringify({ template: 'hello', priority: '3', dry_run: true }) })).status).toBe(201);
  });
});
