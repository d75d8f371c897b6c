import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunView } from '../../src-shared/contract/runs';
import { readBody } from '../../test-support/raw-http';
import { derivedForms, filesHolding, found } from '../../test-support/secret-leaks';
import { startRolesServe, type RolesServe } from '../support/roles-serve';

/**
 * The masking property of issue 21: for random secret values — ASCII, Japanese, URL-special
 * characters, path separators — every filter, applied to the secret and to a step result that
 * holds it, on every way a value leaves an action (result, log line, error, file name, request,
 * artifact, approval text, event), leaves neither the value nor any text the filters make of it
 * (nor their base64 / URL forms) in the database, the WAL, the log file, the artifacts, any API
 * answer or the event stream. Real HTTP against the in-process server; the far end checks that
 * the values that must leave still do.
 */

const CHARS = [...'abcxyzABCXYZ0123', ...'秘密鍵あいうエ', ...`!*'();:@&=+$,/\\%ü~"[] <>.-_`];
/** Each value carries a random nonce, so a needle cannot be found in unrelated bytes by chance. */
const secretValues = fc
  .tuple(fc.string({ unit: fc.constantFrom(...CHARS), maxLength: 10 }), fc.string({ unit: fc.constantFrom(...CHARS), maxLength: 10 }))
  .map(([a, b]) => `${a}${randomBytes(4).toString('hex')}${b}`);

const FILTERS_ON_RESULTS = ["replace:'a','b'", 'basename', 'dirname', 'upper', 'lower', 'json'];

const template = (sink: string) => `dsl_version: "1.1"
name: masking-property
steps:
  - make_request: { id: req, url: "${sink}/echo", method: POST, query: { token: "{{secrets://prop_key}}", low: "{{secrets://prop_key | lower}}" }, json: { key: "{{secrets://prop_key}}", up: "{{secrets://prop_key | upper}}", js: "{{secrets://prop_key | json}}" } }
  - make_request: { url: "${sink}/missing", method: POST, json: { key: "{{secrets://prop_key | upper}}" }, continue_on_error: true }
  - log: { id: said, message: "{{secrets://prop_key}} | {{secrets://prop_key | upper}} | {{secrets://prop_key | lower}} | {{secrets://prop_key | json}}", level: warn }
${FILTERS_ON_RESULTS.map((f) => `  - log: { message: "{{ steps.said.message | ${f} }}" }`).join('\n')}
  - log: { message: "{{ steps.said.message | default:'x' }}" }
  - log: { message: "{{ steps.req.json.body | upper }} {{ steps.req.json.query | lower }} {{ steps.said.message.length }}" }
  - log: { message: "{{ steps.said.message * 2 }}", continue_on_error: true }
  - log: { message: "chosen", when: "'a' in steps.said.message", continue_on_error: true }
  - for_each:
      items: ["{{secrets://prop_key}}", "plain"]
      as: item
      steps:
        - log: { message: "{{ item | upper }} {{ item | dirname }} {{ item | json }}" }
  - compose_mail: { to: [boss@example.com], subject: "S {{secrets://prop_key | upper}}", body: "{{secrets://prop_key | lower}} {{ steps.said.message | replace:'a','b' }}" }
  - save_draft: { name: "d-{{secrets://prop_key | lower}}" }
  - human_confirm: { message: "OK {{secrets://prop_key | upper}}?", details: "{{ steps.said.message | replace:'a','b' }}", required_role: Editor }
`;
const FIRST_DERIVED = 3;
const ERROR_STEP = FIRST_DERIVED + FILTERS_ON_RESULTS.length + 2;

let far: { server: Server; url: string; got: { path: string; query: URLSearchParams; body: string }[] };
let t: RolesServe;
/** Where this value's answers and events begin (what came before cannot hold a value not yet made). */
let seen = { answers: [0, 0, 0], events: 0 };

beforeAll(async () => {
  const got: { path: string; query: URLSearchParams; body: string }[] = [];
  const server = createServer((req, res) => {
    void (async () => {
      const u = new URL(req.url ?? '/', 'http://sink');
      const body = await readBody(req);
      got.push({ path: u.pathname, query: u.searchParams, body });
      // /echo answers with what it got; anything else is a 404 that quotes it (an error that holds the value).
      res.writeHead(u.pathname === '/echo' ? 200 : 404, { 'content-type': u.pathname === '/echo' ? 'application/json' : 'text/plain; charset=utf-8' });
      res.end(u.pathname === '/echo' ? JSON.stringify({ query: u.search, body }) : `No page for ${body}`);
    })();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  far = { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, got };
  t = await startRolesServe({ orchestratorYaml: 'secrets:\n  backends: [file]\n', env: { DESKTOP_AGENT_SECRETS_PASSPHRASE: 'property test passphrase' } });
}, 60_000);

afterAll(async () => {
  await t?.cleanup();
  await new Promise<void>((r) => (far ? far.server.close(() => r()) : r()));
});

/** One value through the whole template; returns what the run showed. */
async function runWith(secret: string): Promise<RunView> {
  const { editor, viewer, admin, events } = t;
  seen = { answers: [editor, viewer, admin].map((s) => s.answers.length), events: events.text().length };
  expect((await admin.call('PUT', '/api/secrets/prop_key', { value: secret })).status).toBe(200);
  far.got.length = 0;
  const id = await editor.enqueue(template(far.url));
  await t.waitFor(id, (r) => r.status === 'waiting_approval' || r.status === 'failed');
  const approvals = await viewer.call<{ items: { id: string; run_id: string; message: string }[] }>('GET', '/api/approvals?status=pending');
  const approval = approvals.body.items.find((a) => a.run_id === id);
  expect(approval, JSON.stringify(await viewer.call('GET', `/api/runs/${id}`))).toBeDefined();
  expect(approval!.message).toBe('OK ***?');
  expect((await viewer.call('GET', `/hitl/approve/${id}`)).status).toBe(200);
  expect((await editor.call('POST', `/api/approvals/${approval!.id}/approve`, {})).status).toBe(200);
  const run = await t.waitFor(id, (r) => r.status === 'succeeded' || r.status === 'failed');
  for (const step of run.steps) for (const a of step.artifacts) expect((await viewer.call('GET', `/api/runs/${id}/artifacts/${encodeURIComponent(a.name)}`)).status).toBe(200);
  return run;
}

describe('issue 21: the masking property', () => {
  it('no secret value nor anything a filter makes of it is stored, logged, answered or sent as an event', { timeout: 600_000 }, async () => {
    await fc.assert(
      fc.asyncProperty(secretValues, async (secret) => {
        const run = await runWith(secret);
        expect(run.status, run.error ?? '').toBe('succeeded');
        // The values left as the template made them.
        const echo = far.got.find((g) => g.path === '/echo')!;
        expect(echo.query.get('token')).toBe(secret);
        expect(echo.query.get('low')).toBe(secret.toLowerCase());
        expect(JSON.parse(echo.body)).toEqual({ key: secret, up: secret.toUpperCase(), js: JSON.stringify(secret) });
        // Every filter on a result that holds the secret gives a masked value.
        for (let i = 0; i < FILTERS_ON_RESULTS.length; i++) expect(run.steps[FIRST_DERIVED + i]!.result, FILTERS_ON_RESULTS[i]).toEqual({ message: '***', level: 'info' });
        expect(run.steps[ERROR_STEP - 1]!.result).toEqual({ message: '*** *** ***', level: 'info' });
        expect(run.steps[ERROR_STEP]).toMatchObject({ status: 'failed', error: expect.stringContaining('which is not shown') });
        expect(run.steps[ERROR_STEP + 1]).toMatchObject({ status: 'failed', error: expect.stringContaining('a step cannot be chosen by what a secret says') });
        expect(run.steps[1], JSON.stringify(run.steps[1])).toMatchObject({ status: 'failed', error_code: 'HTTP_STATUS' });

        const needles = derivedForms(secret, 6, [['a', 'b']]);
        const { editor, viewer, admin, events } = t;
        const answers = [editor, viewer, admin].flatMap((s, i) => s.answers.slice(seen.answers[i]));
        expect(answers.flatMap((a) => found(a.text, needles).map((n) => `${a.method} ${a.path}: ${n}`))).toEqual([]);
        expect(found(events.text().slice(seen.events), needles)).toEqual([]);
        expect(filesHolding(t.dataDir, needles)).toEqual([]);
      }),
      { numRuns: 25, endOnFailure: true },
    );
    expect(t.events.text()).toContain('event: approval.requested');
  });
});
