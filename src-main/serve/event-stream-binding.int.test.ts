import Database from 'better-sqlite3';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeClock } from '../core/kernel/clock';
import { openEventStream, waitFor, type EventStreamClient } from '../../test-support/event-stream';
import { rawHttp } from '../../test-support/raw-http';
import { FAST_SCRYPT, addUser, basic, bearer, passwordOf } from '../../test-support/users';
import { startServe, type ServeHandle } from '../host/start-serve';

// Issue 21 item 3: an open GET /api/events kept delivering run events after logout, token
// revocation and `active: false`, and one Viewer could hold 3,000 streams, each audited.
// Everything here goes over real HTTP, as a browser tab or a script would.

const TTL = 60 * 60_000;
const json = { 'content-type': 'application/json' };
let serve: ServeHandle;
let clock: FakeClock;
let dataDir: string;
const open: EventStreamClient[] = [];

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'da-streams-'));
  clock = new FakeClock();
  serve = await startServe({ dataDir, host: '127.0.0.1', port: 0, allowRemote: false, env: {}, coreOverrides: { clock, watchConfig: false, users: { scrypt: FAST_SCRYPT, sessionTtlMs: TTL } } });
  await addUser(serve.core, 'admin', 'Admin');
});
afterAll(async () => {
  for (const s of open) s.close();
  await serve?.stop();
});

async function stream(headers: Record<string, string>): Promise<EventStreamClient> {
  const s = await openEventStream(`${serve.url}/api/events`, headers);
  open.push(s);
  expect(s.status).toBe(200);
  return s;
}

async function login(username: string): Promise<string> {
  const r = await rawHttp(`${serve.url}/api/auth/login`, { method: 'POST', headers: json, body: JSON.stringify({ username, password: passwordOf(username) }) });
  expect(r.status).toBe(200);
  return JSON.parse(r.body).token as string;
}

/** A run event reaches the open stream (the stream is live), then the credential is changed. */
async function deliversOne(s: EventStreamClient, runId: string): Promise<void> {
  serve.core.bus.publish('run.queued', { runId, template: 't' });
  await waitFor(() => s.text().includes(runId), 10_000, `${runId} on the stream`);
}

async function endsAndDeliversNothing(s: EventStreamClient, runId: string): Promise<void> {
  await waitFor(() => s.ended(), 5_000, 'the server to end the stream');
  serve.core.bus.publish('run.queued', { runId, template: 't' });
  expect(s.text()).not.toContain(runId);
}

describe('event streams are bound to their session or token', () => {
  it('ends the stream of a session on logout (POST /api/auth/logout)', async () => {
    await addUser(serve.core, 'v-logout', 'Viewer');
    const token = await login('v-logout');
    const s = await stream({ authorization: bearer(token) });
    await deliversOne(s, 'run-before-logout');
    const out = await rawHttp(`${serve.url}/api/auth/logout`, { method: 'POST', headers: { ...json, authorization: bearer(token) }, body: '{}' });
    expect(out.status).toBe(200);
    await endsAndDeliversNothing(s, 'run-after-logout');
    expect(s.text()).toContain(': stream ended: credentials_ended');
  });

  it('ends the stream of an API token when the token is revoked', async () => {
    const u = await addUser(serve.core, 'v-token', 'Viewer');
    const made = await rawHttp(`${serve.url}/api/admin/users/${u.id}/tokens`, { method: 'POST', headers: { ...json, authorization: basic('admin') }, body: JSON.stringify({ name: 'script' }) });
    expect(made.status).toBe(201);
    const { id, token } = JSON.parse(made.body) as { id: string; token: string };
    const s = await stream({ authorization: bearer(token) });
    await deliversOne(s, 'run-before-revoke');
    const gone = await rawHttp(`${serve.url}/api/admin/users/${u.id}/tokens/${id}`, { method: 'DELETE', headers: { authorization: basic('admin') } });
    expect(gone.status).toBe(200);
    await endsAndDeliversNothing(s, 'run-after-revoke');
  });

  it('ends every stream of a user set to active: false (Basic and session alike)', async () => {
    const u = await addUser(serve.core, 'v-disabled', 'Viewer');
    const viaBasic = await stream({ authorization: basic('v-disabled') });
    const viaSession = await stream({ cookie: `da_session=${await login('v-disabled')}` });
    await deliversOne(viaBasic, 'run-before-disable');
    const r = await rawHttp(`${serve.url}/api/admin/users/${u.id}`, { method: 'PATCH', headers: { ...json, authorization: basic('admin') }, body: JSON.stringify({ active: false }) });
    expect(r.status).toBe(200);
    await endsAndDeliversNothing(viaBasic, 'run-after-disable');
    await endsAndDeliversNothing(viaSession, 'run-after-disable-2');
  });

  it('ends the stream on a role change', async () => {
    const u = await addUser(serve.core, 'v-role', 'Viewer');
    const s = await stream({ authorization: basic('v-role') });
    await deliversOne(s, 'run-before-role');
    const r = await rawHttp(`${serve.url}/api/admin/users/${u.id}`, { method: 'PATCH', headers: { ...json, authorization: basic('admin') }, body: JSON.stringify({ role: 'Runner' }) });
    expect(r.status).toBe(200);
    await endsAndDeliversNothing(s, 'run-after-role');
  });

  it('ends the stream of a Basic caller whose password was reset', async () => {
    const u = await addUser(serve.core, 'v-reset', 'Viewer');
    const s = await stream({ authorization: basic('v-reset') });
    await deliversOne(s, 'run-before-reset');
    const r = await rawHttp(`${serve.url}/api/admin/users/${u.id}`, { method: 'PATCH', headers: { ...json, authorization: basic('admin') }, body: JSON.stringify({ password: 'a-new-Pa55word' }) });
    expect(r.status).toBe(200);
    await endsAndDeliversNothing(s, 'run-after-reset');
  });

  it('ends the stream when its session expires', async () => {
    await addUser(serve.core, 'v-expiry', 'Viewer');
    const s = await stream({ authorization: bearer(await login('v-expiry')) });
    await deliversOne(s, 'run-before-expiry');
    clock.advance(TTL);
    await endsAndDeliversNothing(s, 'run-after-expiry');
  });

  it('ends the stream when another process disables the user in the database (the CLI)', async () => {
    await addUser(serve.core, 'v-cli', 'Viewer');
    const s = await stream({ authorization: basic('v-cli') });
    await deliversOne(s, 'run-before-cli');
    const other = new Database(join(dataDir, 'desktop-agent.db'));
    try {
      other.prepare("update users set active = 0 where username = 'v-cli'").run();
    } finally {
      other.close();
    }
    await endsAndDeliversNothing(s, 'run-after-cli');
  });

  it('keeps at most 8 streams per principal, closing the oldest, with one audit row, not one per stream', async () => {
    await addUser(serve.core, 'v-flood', 'Viewer');
    const streams: EventStreamClient[] = [];
    for (let i = 0; i < 12; i++) streams.push(await stream({ authorization: basic('v-flood') }));
    await waitFor(() => streams.slice(0, 4).every((s) => s.ended()), 5_000, 'the 4 oldest streams to end');
    expect(streams.slice(4).map((s) => s.ended())).toEqual(Array(8).fill(false));
    expect(streams[0]!.text()).toContain(': stream ended: too_many_streams');
    await deliversOne(streams[11]!, 'run-to-the-newest');
    const audit = await rawHttp(`${serve.url}/api/admin/audit?action=events.subscribe&user=v-flood&limit=100`, { headers: { authorization: basic('admin') } });
    expect(JSON.parse(audit.body).items).toHaveLength(1);
    // Another principal's streams do not count against this one.
    const admins = await stream({ authorization: basic('admin') });
    await deliversOne(admins, 'run-to-admin');
    expect(streams.slice(4).every((s) => !s.ended())).toBe(true);
  });
});
