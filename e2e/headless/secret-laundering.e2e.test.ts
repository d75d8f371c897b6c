import { readFileSync, readdirSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunView } from '../../src-shared/contract/runs';
import type { ServeHandle } from '../../src-main/host/start-serve';
import { readBody } from '../../test-support/raw-http';
import { derivedForms, filesHolding, found } from '../../test-support/secret-leaks';
import type { ApiSession, EventCapture } from '../support/api-session';
import { startRolesServe, type RolesServe } from '../support/roles-serve';

/**
 * Issue 21, items 1 and 2, reproduced with the requests that laundered a secret before the fix,
 * over real HTTP against the in-process server (`startServe`): an Editor posts the template, a
 * Viewer reads the run. Afterwards no form of the value, nor of anything a filter makes of it, is
 * in the database, its WAL, the log file, the artifacts (names included), any answer or the event
 * stream. The far ends (an HTTP sink, an SMTP server, a web form in Chromium) prove the values
 * that must leave still do.
 */

// `3` for replace:'3','3 '; `!`, space, `/`, `ü`, `&`, `=` change under every URL encoding.
const SECRET = 'sk-live-3f9!a b/ü&=Zq7x';
const NEEDLES = derivedForms(SECRET);

interface Sink {
  server: Server;
  url: string;
  requests: { path: string; query: string | null; xKey?: string; body: string }[];
  formTokens: string[];
}


/** Nests `leaf` `depth` levels deep: {"a":{"a":…{"key": leaf}}}. */
function nested(depth: number, leaf: string): unknown {
  let v: unknown = { key: leaf, list: [leaf] };
  for (let i = 0; i < depth; i++) v = { a: v };
  return v;
}

const page = (body: string) => `<!doctype html><html><head><meta charset="utf-8"><title>t</title></head><body>${body}</body></html>`;

function sink(): Promise<Sink> {
  const s: Omit<Sink, 'server' | 'url'> = { requests: [], formTokens: [] };
  const server = createServer((req, res) => {
    void (async () => {
      const u = new URL(req.url ?? '/', 'http://sink');
      const body = await readBody(req);
      const xKey = req.headers['x-key'] as string | undefined;
      if (u.pathname === '/form') {
        res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
        res.end(page('<form method="get" action="/next"><label for="t">Access token</label> <input id="t" name="token"> <button type="submit">Next</button></form>'));
        return;
      }
      if (u.pathname === '/next') {
        s.formTokens.push(u.searchParams.get('token') ?? '');
        res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
        res.end(page('<h1>Thanks</h1>'));
        return;
      }
      s.requests.push({ path: u.pathname, query: u.searchParams.get('token'), xKey, body });
      res.writeHead(200, { 'content-type': 'application/json' });
      // /deep answers with what it was sent 100 levels down; anything else echoes it flat.
      res.end(JSON.stringify(u.pathname === '/deep' ? nested(100, xKey ?? '') : { x_key: xKey, body }));
    })();
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({ ...s, server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` })));
}

const template = (steps: string) => `dsl_version: "1.1"\nname: laundering\nsteps:\n${steps}`;

let dataDir: string;
let serve: ServeHandle;
let far: Sink;
let smtp: SMTPServer;
const mails: { user?: string; raw: Buffer }[] = [];
let editor: ApiSession;
let viewer: ApiSession;
let admin: ApiSession;
let events: EventCapture;

let t: RolesServe;
const waitFor = (id: string, until: (r: RunView) => boolean) => t.waitFor(id, until);

beforeAll(async () => {
  far = await sink();
  smtp = new SMTPServer({
    authOptional: false,
    allowInsecureAuth: true,
    disabledCommands: ['STARTTLS'],
    onAuth(auth, _session, cb) {
      if (auth.username === 'agent' && auth.password === SECRET) cb(null, { user: 'agent' });
      else cb(new Error('Invalid username or password'));
    },
    onData(stream, session, cb) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        mails.push({ user: session.user as string, raw: Buffer.concat(chunks) });
        cb();
      });
    },
  });
  await new Promise<void>((r) => smtp.listen(0, '127.0.0.1', () => r()));
  const smtpPort = (smtp.server.address() as AddressInfo).port;

  t = await startRolesServe({
    orchestratorYaml: `secrets:\n  backends: [env]\nmail:\n  from: agent@example.com\n  smtp: { host: 127.0.0.1, port: ${smtpPort}, secure: false, user: agent, password_secret: "secrets://api_key" }\n`,
    env: { DESKTOP_AGENT_SECRET_API_KEY: SECRET },
    browserPath: '/usr/bin/chromium',
  });
  ({ dataDir, serve, editor, viewer, admin, events } = t);
}, 60_000);

afterAll(async () => {
  await t?.cleanup();
  await new Promise<void>((r) => (smtp ? smtp.close(() => r()) : r()));
  await new Promise<void>((r) => (far ? far.server.close(() => r()) : r()));
});

describe('issue 21 item 1: a filter or expression applied to a secret does not launder it', () => {
  it('`- log: { message: "{{secrets://api_key | upper}}" }` (and lower) shows *** to a Viewer', async () => {
    for (const filter of ['upper', 'lower']) {
      const id = await editor.enqueue(template(`  - log: { message: "{{secrets://api_key | ${filter}}}" }\n`));
      const run = await waitFor(id, (r) => r.status === 'succeeded' || r.status === 'failed');
      expect(run.status, filter).toBe('succeeded');
      expect(run.steps[0]!.result, filter).toEqual({ message: '***', level: 'info' });
    }
  });

  it("refuses replace:'3','3 ', basename and dirname on a secret when the run is posted, naming the line", async () => {
    for (const filter of ["replace:'3','3 '", 'basename', 'dirname']) {
      const r = await editor.call<{ ok: false; error: { code: string; details: { issues: { path: string; line?: number; message: string }[] } } }>('POST', '/api/runs', {
        template_yaml: template(`  - log: { message: "start" }\n  - log: { message: "{{secrets://api_key | ${filter}}}" }\n`),
      });
      expect(r.status, filter).toBe(400);
      expect(r.body.error.code).toBe('VALIDATION_ERROR');
      expect(r.body.error.details.issues, filter).toEqual([
        expect.objectContaining({ path: 'template.steps[1].log.message', line: 5, message: expect.stringMatching(new RegExp(`the filter ${filter.split(':')[0]} cannot be applied to a secret`)) }),
      ]);
    }
  });

  it('masks what a filter or an operator makes of a step result that holds the secret', async () => {
    const id = await editor.enqueue(
      template(`  - log: { message: "{{secrets://api_key}}" }
  - log: { message: "{{ steps[0].message | replace:'3','3 ' }}" }
  - log: { message: "{{ steps[0].message | basename }}" }
  - log: { message: "{{ steps[0].message | dirname }}" }
  - log: { message: "{{ steps[0].message | upper }}" }
  - log: { message: "length {{ steps[0].message.length }}" }
  - log: { message: "{{ steps[0].message * 2 }}", continue_on_error: true }
  - log: { message: "skipped?", when: "steps[0].message > 'm'", continue_on_error: true }
`),
    );
    const run = await waitFor(id, (r) => r.status === 'succeeded' || r.status === 'failed');
    expect(run.steps.slice(0, 6).map((s) => s.result)).toEqual(
      ['***', '***', '***', '***', '***', 'length ***'].map((message) => ({ message, level: 'info' })),
    );
    // An error would quote the value it could not use; a condition on a secret is refused, whatever it says.
    expect(run.steps[6]).toMatchObject({ status: 'failed', error: expect.stringMatching(/reads a value that holds a secret, which is not shown/) });
    expect(run.steps[7]).toMatchObject({ status: 'failed', error: expect.stringMatching(/a step cannot be chosen by what a secret says/) });
  });

  it('masks the approval text, the draft subject and the request, while the sink, the SMTP server and the web form get the real values', async () => {
    const id = await editor.enqueue(
      template(`  - make_request: { url: "${far.url}/echo", method: POST, headers: { X-Key: "{{secrets://api_key | upper}}" }, json: { key: "{{secrets://api_key | lower}}" } }
  - human_confirm: { message: "Send {{secrets://api_key | upper}}?", details: "{{secrets://api_key | lower}}", required_role: Admin }
  - compose_mail: { to: [boss@example.com], subject: "Key {{secrets://api_key | upper}}", body: "{{secrets://api_key | lower}}" }
  - save_draft: { name: key }
  - send_mail: {}
  - open_browser: { url: "${far.url}/form" }
  - fill_by_label: { label: "Access token", text: "{{secrets://api_key | upper}}" }
  - click_by_text: { text: "Next" }
  - assert_text: { contains: "Thanks" }
`),
    );
    await waitFor(id, (r) => r.status === 'waiting_approval');
    const approvals = await viewer.call<{ items: { id: string; run_id: string; message: string; details: string | null }[] }>('GET', '/api/approvals?status=pending');
    const approval = approvals.body.items.find((a) => a.run_id === id)!;
    expect(approval).toMatchObject({ message: 'Send ***?', details: '***' });
    const approvalPage = await admin.call('GET', `/hitl/approve/${id}`);
    expect(approvalPage.status).toBe(200);
    expect(approvalPage.text).toContain('Send ***?');
    expect((await admin.call('POST', `/api/approvals/${approval.id}/approve`, { comment: 'ok' })).status).toBe(200);
    const run = await waitFor(id, (r) => r.status === 'succeeded' || r.status === 'failed');
    expect(run).toMatchObject({ status: 'succeeded', error: null });

    // The values went out as the template made them.
    expect(far.requests).toContainEqual({ path: '/echo', query: null, xKey: SECRET.toUpperCase(), body: JSON.stringify({ key: SECRET.toLowerCase() }) });
    expect(mails.length).toBeGreaterThan(0);
    const sent = await simpleParser(mails.at(-1)!.raw);
    expect(mails.at(-1)!.user).toBe('agent');
    expect(sent.subject).toBe(`Key ${SECRET.toUpperCase()}`);
    expect(sent.text?.trim()).toBe(SECRET.toLowerCase());
    expect(far.formTokens).toEqual([SECRET.toUpperCase()]);

    // ... and are masked where people look.
    expect(run.steps[0]!.params).toMatchObject({ headers: { 'X-Key': '***' }, json: { key: '***' } });
    expect(run.steps[0]!.result).toMatchObject({ json: { x_key: '***', body: '{"key":"***"}' } });
    expect(run.steps[2]!.result).toMatchObject({ subject: 'Key ***' });
    expect(run.steps[1]!.params).toMatchObject({ message: 'Send ***?', details: '***' });
    expect(run.steps[6]!.params).toMatchObject({ text: '***' });
    const draft = await simpleParser(readFileSync(join(dataDir, 'artifacts', id, 'key.eml')));
    expect(draft.subject).toBe('Key ***');
  });
});

describe('issue 21 item 2: URL-encoded queries, deep answers and artifact names', () => {
  it("masks a secret that make_request's query URL-encoded, in the step's url", async () => {
    const id = await editor.enqueue(template(`  - make_request: { url: "${far.url}/q", query: { token: "{{secrets://api_key}}", n: 1 } }\n`));
    const run = await waitFor(id, (r) => r.status === 'succeeded' || r.status === 'failed');
    expect(run.status).toBe('succeeded');
    expect(far.requests).toContainEqual(expect.objectContaining({ path: '/q', query: SECRET }));
    expect(run.steps[0]!.result).toMatchObject({ url: `${far.url}/q?token=***&n=1` });
  });

  it('masks a secret nested 100 levels deep in an answer', async () => {
    const id = await editor.enqueue(template(`  - make_request: { url: "${far.url}/deep", headers: { X-Key: "{{secrets://api_key}}" } }\n`));
    const run = await waitFor(id, (r) => r.status === 'succeeded' || r.status === 'failed');
    expect(run.status).toBe('succeeded');
    expect(JSON.stringify(run.steps[0]!.result)).toContain('"key":"***","list":["***"]');
  });

  it('writes no secret into an artifact name; a guessed name answers 404 like any missing one', async () => {
    const id = await editor.enqueue(template(`  - compose_mail: { to: [boss@example.com], subject: "hello" }\n  - save_draft: { name: "draft-{{secrets://api_key}}" }\n`));
    const run = await waitFor(id, (r) => r.status === 'succeeded' || r.status === 'failed');
    expect(run.status).toBe('succeeded');
    expect(readdirSync(join(dataDir, 'artifacts', id))).toEqual(['draft-___.eml']);
    expect(run.steps[1]!.artifacts).toEqual([expect.objectContaining({ name: 'draft-___.eml', kind: 'mail-draft' })]);
    expect((await viewer.call('GET', `/api/runs/${id}/artifacts/draft-___.eml`)).status).toBe(200);
    const guessed = await viewer.call('GET', `/api/runs/${id}/artifacts/${encodeURIComponent(`draft-${SECRET}.eml`)}`);
    const wrong = await viewer.call('GET', `/api/runs/${id}/artifacts/${encodeURIComponent('draft-sk-live-wrong-guess.eml')}`);
    expect(guessed.status).toBe(404);
    expect(guessed.text).toBe(wrong.text);
    expect(guessed.body).toMatchObject({ error: { code: 'NOT_FOUND', message: `Run ${id} has no artifact of that name` } });
  });
});

describe('issue 21: afterwards', () => {
  it('finds no form of the secret or of what filters make of it in the data dir, the answers or the events', async () => {
    await events.close();
    expect(events.text()).toContain('event: run.finished');
    const answers = [...editor.answers, ...viewer.answers, ...admin.answers];
    expect(answers.flatMap((a) => found(a.text, NEEDLES).map((n) => `${a.method} ${a.path}: ${n}`))).toEqual([]);
    expect(found(events.text(), NEEDLES)).toEqual([]);
    expect(filesHolding(dataDir, NEEDLES)).toEqual([]);
    await serve.stop();
    // After a clean stop (the WAL checkpointed into the database file).
    expect(filesHolding(dataDir, NEEDLES)).toEqual([]);
    expect(readFileSync(join(dataDir, 'logs', 'desktop-agent.log'), 'utf8')).toContain('Run waits for an approval');
  });
});
