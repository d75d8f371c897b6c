import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createApiToken } from '../support/serve-api';
import { startServeProcess, type ServeProcess } from '../support/serve-process';

/**
 * Issue 21 items 5 and 6, reproduced as filed: `serve` is killed with SIGKILL while a step's
 * request is at a local sink (the sink kills the process as the request arrives, before it
 * answers), then started again on the same data dir. A step that is not idempotent must not be
 * sent again (the run fails with `interrupted during`); an idempotent GET is simply retried.
 */
const ADMIN = { user: 'admin', password: 'exactly-once-password-1' };
const env = { DESKTOP_AGENT_ADMIN_USER: ADMIN.user, DESKTOP_AGENT_ADMIN_PASSWORD: ADMIN.password };

interface Sink {
  server: Server;
  url: string;
  hits: string[];
  /** Called on a request to `path` the first time; the request is left unanswered. */
  onFirst(path: string, fn: () => void): void;
}

function sink(): Promise<Sink> {
  const hits: string[] = [];
  const first = new Map<string, () => void>();
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    hits.push(`${req.method} ${path}`);
    const fn = first.get(path);
    if (fn) {
      first.delete(path);
      fn();
      return; // never answered: the process that sent it dies now
    }
    res.end('ok');
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => resolve({ server, url: `http://127.0.0.1:${(server.address() as { port: number }).port}`, hits, onFirst: (p, fn) => first.set(p, fn) })),
  );
}

let serve: ServeProcess | undefined;
let sinkServer: Server | undefined;
afterEach(async () => {
  serve?.child.kill('SIGKILL');
  await serve?.exited;
  sinkServer?.close();
});

async function runOnce(yaml: string, killAt: string): Promise<{ run: { status: string; error: string | null; attempts: number }; hits: string[] }> {
  const s = await sink();
  sinkServer = s.server;
  const dataDir = mkdtempSync(join(tmpdir(), 'da-exactly-once-'));
  serve = await startServeProcess([], env, dataDir, 90_000);
  const auth = await createApiToken(serve.url, ADMIN, 'exactly-once');
  const killed = new Promise<void>((resolve) =>
    s.onFirst(killAt, () => {
      serve!.child.kill('SIGKILL');
      resolve();
    }),
  );
  const r = await fetch(`${serve.url}/api/runs`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: auth }, body: JSON.stringify({ template_yaml: yaml.replaceAll('SINK', s.url) }) });
  expect(r.status).toBe(201);
  const { run_id } = (await r.json()) as { run_id: string };
  await killed;
  await serve.exited;
  serve = await startServeProcess([], env, dataDir, 90_000);
  const deadline = Date.now() + 60_000;
  for (;;) {
    const got = await fetch(`${serve.url}/api/runs/${run_id}`, { headers: { authorization: auth } });
    const run = (await got.json()) as { status: string; error: string | null; attempts: number };
    if (['succeeded', 'failed', 'cancelled'].includes(run.status)) return { run, hits: s.hits };
    if (Date.now() > deadline) throw new Error(`run ${run_id} did not finish: ${JSON.stringify(run)}`);
    await new Promise((res) => setTimeout(res, 100));
  }
}

describe('side effects across kill -9 (issue 21 items 5 and 6)', () => {
  it('never sends a non-idempotent request twice: make_request /s → wait 150 → make_request /e, killed at /e', { timeout: 300_000 }, async () => {
    const yaml = `dsl_version: "1.1"
name: exactly-once
execution:
  retry: { max_attempts: 5, backoff_ms: 10, only_idempotent: false }
steps:
  - make_request: { url: "SINK/s", method: POST, body: start }
  - wait: { ms: 150 }
  - make_request: { url: "SINK/e", method: POST, body: end }
`;
    const { run, hits } = await runOnce(yaml, '/e');
    expect(hits.filter((h) => h === 'POST /e')).toEqual(['POST /e']);
    expect(hits.filter((h) => h === 'POST /s')).toEqual(['POST /s']);
    expect(run.status).toBe('failed');
    expect(run.error).toMatch(/^interrupted during steps\[2\] make_request/);
  });

  it('re-queues a run interrupted in an idempotent GET, which then succeeds (retry.only_idempotent as shipped)', { timeout: 300_000 }, async () => {
    const yaml = `dsl_version: "1.1"
name: get-twice-is-fine
steps:
  - make_request: { url: "SINK/g", method: GET }
  - log: { message: done }
`;
    const { run, hits } = await runOnce(yaml, '/g');
    expect(run.status).toBe('succeeded');
    expect(hits.filter((h) => h === 'GET /g')).toHaveLength(2);
  });
});
