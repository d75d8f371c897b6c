import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { createServer as createNetServer, type AddressInfo, type Server as NetServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { simpleParser } from 'mailparser';
import { afterAll, describe, expect, it } from 'vitest';
import type { RunView } from '../../src-shared/contract/runs';
import { readBody } from '../../test-support/raw-http';
import { patientKeychainConfig, testKeyring } from '../../test-support/keyring';
import { filesContaining, listTree, secretForms } from '../../test-support/secrets-core';
import { ApiSession, captureEvents } from '../support/api-session';
import { startServeProcess, type ServeProcess } from '../support/serve-process';

/**
 * The canary (issue 8): one long secret, with characters that URL-encoding and base64 change, is
 * used in request headers, a JSON body and a query, in `log` messages, in a mail draft, typed into
 * a web form, and in runs that fail with the value in their error. Afterwards neither the value
 * nor its base64, base64url or URL-encoded form is in the database file or its WAL (while serve
 * runs and after it stops), the log files, the artifacts (decoded where they encode text), any
 * answer of the API or the event stream. The far ends (a local HTTP server, the form's server)
 * prove the value was really used.
 */

const ADMIN = { user: 'admin', password: 'canary-admin-password-1' };
const CANARY = `canary-${randomUUID()}/+=&é`;

interface Received {
  echo: { authorization?: string; xCanary?: string; query?: string | null; body: string }[];
  formTokens: string[];
}


const html = (title: string, body: string) => `<!doctype html><html><head><meta charset="utf-8"><title>${title}</title></head><body>${body}</body></html>`;

/**
 * The far end: /echo answers with what it received and that text's encoded forms (so results
 * carry every form), /form is a form whose "Next" sends the token in the query string,
 * /plain lacks the canary, and anything else is a 404 that quotes the path it was asked for.
 */
function site(): Promise<{ server: Server; url: string; received: Received }> {
  const received: Received = { echo: [], formTokens: [] };
  const server = createServer((req, res) => {
    void (async () => {
      const u = new URL(req.url ?? '/', 'http://site');
      if (u.pathname === '/echo') {
        const body = await readBody(req);
        const xCanary = String(req.headers['x-canary'] ?? '');
        received.echo.push({ authorization: req.headers.authorization, xCanary, query: u.searchParams.get('token'), body });
        res.writeHead(200, { 'content-type': 'application/json' });
        const forms = { plain: xCanary, base64: Buffer.from(xCanary).toString('base64'), base64url: Buffer.from(xCanary).toString('base64url'), url: encodeURIComponent(xCanary) };
        res.end(JSON.stringify({ you_sent: JSON.parse(body) as unknown, authorization: req.headers.authorization, forms, basic: `Basic ${Buffer.from(`robot:${xCanary}`).toString('base64')}` }));
        return;
      }
      res.writeHead(u.pathname === '/form' || u.pathname === '/next' || u.pathname === '/plain' ? 200 : 404, { 'content-type': 'text/html; charset=utf-8' });
      if (u.pathname === '/form') {
        res.end(html('Sign in', '<form method="get" action="/next"><label for="t">Access token</label> <input id="t" name="token" type="text"> <button type="submit">Next</button></form>'));
      } else if (u.pathname === '/next') {
        received.formTokens.push(u.searchParams.get('token') ?? '');
        res.end(html('Signed in', '<h1>Thanks</h1><p>You are signed in.</p>'));
      } else if (u.pathname === '/plain') {
        res.end(html('Plain', '<p>Nothing secret here.</p>'));
      } else {
        res.end(`No page at ${req.url}`);
      }
    })();
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({ server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, received })));
}

/** A server that closes every connection at once: requests to it fail with a network error. */
async function hangUp(): Promise<{ server: NetServer; url: string }> {
  const server = createNetServer((socket) => socket.destroy());
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

const template = (name: string, steps: string, extra = '') => `dsl_version: "1.1"\nname: ${name}\n${extra}steps:\n${steps}`;

/** Which of the secret's forms a text contains (empty when none). */
const formsIn = (text: string) => secretForms(CANARY).filter((f) => text.includes(f));

const cleanup: (() => Promise<void> | void)[] = [];
afterAll(async () => {
  for (const c of cleanup.reverse()) await c();
});

describe('the canary: a secret used in every way is found nowhere', () => {
  it('is absent from the database and WAL, logs, artifacts, API answers and the event stream', { timeout: 300_000 }, async () => {
    const far = await site();
    cleanup.push(() => new Promise<void>((r) => far.server.close(() => r())));
    const dataDir = patientKeychainConfig(mkdtempSync(join(tmpdir(), 'da-canary-')));
    cleanup.push(() => rmSync(dataDir, { recursive: true, force: true }));
    const serve: ServeProcess = await startServeProcess([], {
      DESKTOP_AGENT_ADMIN_USER: ADMIN.user,
      DESKTOP_AGENT_ADMIN_PASSWORD: ADMIN.password,
      // The file backend when no keychain answers (no D-Bus session).
      DESKTOP_AGENT_SECRETS_PASSPHRASE: 'canary file passphrase',
      DESKTOP_AGENT_BROWSER_PATH: '/usr/bin/chromium',
    }, dataDir);
    let stopped = false;
    const stop = async () => {
      if (stopped) return;
      stopped = true;
      serve.child.kill('SIGTERM');
      expect(await serve.exited).toBe(0);
    };
    cleanup.push(stop);

    const api = await ApiSession.withToken(serve.url, ADMIN.user, ADMIN.password, 'canary');
    const events = await captureEvents(api);
    cleanup.push(() => events.close());

    // Stored through the API: the first writable backend that is available.
    const stored = await api.call<{ backend: string }>('PUT', '/api/secrets/canary', { value: CANARY });
    expect(stored.status).toBe(200);
    expect(stored.body.backend).toBe(testKeyring().available ? 'keychain' : 'file');

    const rude = await hangUp();
    cleanup.push(() => new Promise<void>((r) => rude.server.close(() => r())));
    const runs = {
      http: await api.enqueue(
        template(
          'canary-http',
          `  - make_request:
      url: "${far.url}/echo"
      method: POST
      headers: { Authorization: "Bearer {{secrets://canary}}", X-Canary: "{{secrets://canary}}" }
      query: { token: "{{secrets://canary}}" }
      json: { token: "{{secrets://canary}}", note: "sent as {{secrets://canary}}" }
  - log: { message: "the server saw {{ steps[0].json.you_sent.token }} and {{ steps[0].json.forms.base64 }}; we used {{secrets://canary}}" }
  - log: { message: "as a warning: {{secrets://canary}}", level: warn }
  - compose_mail: { to: "ops@example.com", subject: "Key {{secrets://canary}}", body: "The key is {{secrets://canary}}." }
  - save_draft: { name: canary }
`,
        ),
      ),
      web: await api.enqueue(
        template(
          'canary-web',
          `  - open_browser: { url: "${far.url}/form" }
  - fill_by_label: { label: "Access token", text: "{{secrets://canary}}" }
  - capture_dom_schema: {}
  - click_by_text: { text: "Next" }
  - assert_text: { contains: "Thanks" }
  - capture_dom_schema: {}
`,
        ),
      ),
      assertion: await api.enqueue(
        template('canary-assert', `  - open_browser: { url: "${far.url}/plain" }\n  - assert_text: { contains: "{{secrets://canary}}", timeout_ms: 500 }\n`),
      ),
      notFound: await api.enqueue(template('canary-404', `  - make_request: { url: "${far.url}/missing/{{secrets://canary}}" }\n`)),
      hungUp: await api.enqueue(
        template(
          'canary-hung-up',
          `  - make_request: { url: "${rude.url}/{{secrets://canary}}", timeout_ms: 5000 }\n`,
          'execution:\n  retry: { max_attempts: 2, backoff_ms: 10 }\n',
        ),
      ),
      missing: await api.enqueue(template('canary-missing', `  - log: { message: "{{secrets://nope}}" }\n`)),
    };

    const done: Record<keyof typeof runs, RunView> = {} as never;
    for (const [name, id] of Object.entries(runs) as [keyof typeof runs, string][]) done[name] = await api.waitForRun(id);

    // The value was really used: the far ends received it.
    expect(done.http).toMatchObject({ status: 'succeeded', error: null });
    expect(far.received.echo).toEqual([{ authorization: `Bearer ${CANARY}`, xCanary: CANARY, query: CANARY, body: JSON.stringify({ token: CANARY, note: `sent as ${CANARY}` }) }]);
    expect(done.web).toMatchObject({ status: 'succeeded', error: null });
    expect(far.received.formTokens).toEqual([CANARY]);

    // ... and is masked where a user looks.
    const [request, said, warned, , draft] = done.http.steps;
    expect(request!.params).toMatchObject({ headers: { Authorization: 'Bearer ***', 'X-Canary': '***' }, query: { token: '***' }, json: { token: '***', note: 'sent as ***' } });
    expect(request!.result).toMatchObject({ json: { you_sent: { token: '***' }, authorization: 'Bearer ***', forms: { plain: '***', base64: '***', base64url: '***', url: '***' } } });
    expect(said!.result).toEqual({ message: 'the server saw *** and ***; we used ***', level: 'info' });
    expect(warned!.result).toEqual({ message: 'as a warning: ***', level: 'warn' });
    expect(draft!.artifacts).toEqual([expect.objectContaining({ name: 'canary.eml', kind: 'mail-draft' })]);
    expect(done.web.steps[1]!.params).toMatchObject({ label: 'Access token', text: '***' });

    expect(done.assertion).toMatchObject({ status: 'failed', error_code: 'ASSERTION_FAILED' });
    expect(done.assertion.error).toMatch(/^steps\[1\] assert_text: (assert_text: )?'\*\*\*' is not on /);
    expect(done.notFound).toMatchObject({ status: 'failed', error_code: 'HTTP_STATUS' });
    expect(done.notFound.error).toMatch(/^steps\[0\] make_request: (make_request: )?GET http:\/\/127\.0\.0\.1:\d+\/missing\/\*\*\* answered 404 Not Found, expected a 2xx status: No page at \/missing\/\*\*\*$/);
    expect(done.hungUp).toMatchObject({ status: 'failed', error_code: 'NETWORK_ERROR', attempts: 2 });
    // Each attempt's error (the reason, RST or FIN, varies), with the URL masked.
    const hungUpError = /^steps\[0\] make_request: (make_request: )?GET http:\/\/127\.0\.0\.1:\d+\/\*\*\* failed: network error /;
    expect([done.hungUp.error, ...done.hungUp.attempt_history.map((a) => a.error)]).toEqual([expect.stringMatching(hungUpError), expect.stringMatching(hungUpError), expect.stringMatching(hungUpError)]);
    expect(done.missing).toMatchObject({ status: 'failed', error_code: 'SECRET_NOT_FOUND' });
    expect(done.missing.error).toMatch(/^steps\[0\] log: Secret 'nope' not found/);

    // Everything else a client can ask for, captured with the rest.
    await api.call('GET', '/api/runs?limit=100');
    await api.call('GET', '/api/admin/audit?limit=1000');
    await api.call('GET', '/api/secrets');
    await api.call('GET', '/api/secrets/status');
    await api.call('GET', '/api/queues');
    await api.call('GET', '/api/system/status');
    // SPEC section 11's metrics, once this build serves them (a 404 answer is searched all the same).
    await api.call('GET', '/metrics');
    await api.call('GET', '/metrics/prometheus');
    for (const run of Object.values(done)) {
      for (const step of run.steps) for (const a of step.artifacts) expect((await api.call('GET', `/api/runs/${run.id}/artifacts/${encodeURIComponent(a.name)}`)).status).toBe(200);
    }

    // Who resolved what, from which run and step.
    const audit = await api.call<{ items: { user: string; action: string; resource: string; result: string; details: Record<string, unknown> }[] }>('GET', '/api/admin/audit?action=secrets.resolve&limit=1000');
    expect(audit.body.items).toContainEqual(expect.objectContaining({ user: ADMIN.user, resource: 'canary', result: 'ok', details: expect.objectContaining({ run_id: runs.http, step: 0 }) }));
    expect(audit.body.items).toContainEqual(expect.objectContaining({ user: ADMIN.user, resource: 'canary', result: 'ok', details: expect.objectContaining({ run_id: runs.web, step: 1 }) }));
    expect(audit.body.items).toContainEqual(expect.objectContaining({ user: ADMIN.user, resource: 'nope', result: 'error', details: expect.objectContaining({ run_id: runs.missing, step: 0 }) }));

    // The mail draft encodes its text (quoted-printable, RFC 2047): decoded, it holds no form either.
    const eml = join(dataDir, 'artifacts', runs.http, 'canary.eml');
    const mail = await simpleParser(readFileSync(eml));
    expect.soft(mail.subject).toBe('Key ***');
    expect.soft(mail.text?.trim()).toBe('The key is ***.');
    // The DOM schemas: decoded JSON, the page URL with the token in its query string.
    const schemas = readdirSync(join(dataDir, 'artifacts', runs.web)).filter((n) => n.endsWith('.json'));
    expect(schemas).toHaveLength(2);
    for (const name of schemas) {
      const schema = JSON.parse(readFileSync(join(dataDir, 'artifacts', runs.web, name), 'utf8')) as { url: string };
      expect.soft(formsIn(decodeURIComponent(schema.url.replace(/\+/g, ' ')))).toEqual([]);
    }

    // On disk while serve runs: database, WAL, logs, artifacts.
    const tree = listTree(dataDir);
    expect(tree).toEqual(expect.arrayContaining(['desktop-agent.db', 'desktop-agent.db-wal', 'logs/desktop-agent.log']));
    expect.soft(filesContaining(dataDir, CANARY)).toEqual([]);

    // Out of the backend again (the keychain outlives the data dir); this answer is searched too.
    expect((await api.call('DELETE', '/api/secrets/canary')).body).toMatchObject({ deleted_from: [stored.body.backend] });

    await events.close();
    const sse = events.text();
    expect(sse).toContain('event: run.finished');
    expect.soft(formsIn(sse)).toEqual([]);
    const leaks = api.answers.filter((a) => formsIn(a.text).length > 0).map((a) => `${a.method} ${a.path}: ${formsIn(a.text).join(', ')}`);
    expect.soft(leaks).toEqual([]);
    expect(api.answers.length).toBeGreaterThan(20);

    await stop();
    expect.soft(formsIn(serve.stderr())).toEqual([]);
    // After a clean stop (WAL checkpointed into the database file).
    expect.soft(filesContaining(dataDir, CANARY)).toEqual([]);
    const log = readFileSync(join(dataDir, 'logs', 'desktop-agent.log'), 'utf8');
    expect(log).toContain('as a warning: ***');
  });
});
