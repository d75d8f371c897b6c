import { ApiSession } from './api-session';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { RunView } from '../../src-shared/contract/runs';
import { startServeProcess, type ServeProcess } from './serve-process';

/**
 * `desktop-agent serve` as a child process with a first Admin, driven over its real HTTP API with
 * an API token created through the API: enqueue templates, poll runs, fetch artifacts, cancel.
 */

export const ADMIN = { user: 'admin', password: 'e2e-admin-password-1' };

const FINAL = ['succeeded', 'failed', 'cancelled'];

export interface ApiAnswer<T = unknown> {
  status: number;
  headers: Headers;
  json: T;
}

export interface AgentServer extends ServeProcess {
  /** `Bearer <token>`, an Admin's API token. */
  auth: string;
  api<T = Record<string, unknown>>(method: string, path: string, body?: unknown): Promise<ApiAnswer<T>>;
  /** POST /api/runs with the YAML text; the run id. */
  enqueue(yaml: string, variables?: Record<string, unknown>): Promise<string>;
  getRun(id: string): Promise<RunView>;
  /** Polls GET /api/runs/{id} until `until` holds (default: a final status), or fails after `timeoutMs`. */
  waitForRun(id: string, until?: (run: RunView) => boolean, timeoutMs?: number): Promise<RunView>;
  /** GET /api/runs/{id}/artifacts/{name}: the bytes as served. */
  artifact(id: string, name: string): Promise<{ status: number; contentType: string | null; body: Buffer }>;
  /** SIGTERM, then waits for the process to exit (it closes its runs' browsers on the way). */
  stop(): Promise<void>;
  /** stop() and remove the data dir. */
  cleanup(): Promise<void>;
}

/** An API token of the Admin, created through the API (a password check per request would cost a scrypt each). */
export async function createApiToken(url: string, admin = ADMIN, name = 'e2e'): Promise<string> {
  return (await ApiSession.withToken(url, admin.user, admin.password, name)).authorization;
}

export const isFinal = (run: RunView) => FINAL.includes(run.status);

/**
 * Starts serve on its own data dir (port 0) with `orchestrator` as <data-dir>/configs/orchestrator.yaml
 * and `configFiles` (paths under configs/, e.g. `templates/x.yaml`) written before it starts.
 * `env` is added to this process's environment; a key set to undefined is removed (e.g. DISPLAY).
 */
export async function startAgentServer(
  options: { env?: Record<string, string | undefined>; orchestratorYaml?: string; configFiles?: Record<string, string> } = {},
): Promise<AgentServer> {
  const dataDir = mkdtempSync(join(tmpdir(), 'da-e2e-'));
  const files = { ...options.configFiles, ...(options.orchestratorYaml ? { 'orchestrator.yaml': options.orchestratorYaml } : {}) };
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dataDir, 'configs', name)), { recursive: true });
    writeFileSync(join(dataDir, 'configs', name), text);
  }
  const env = { DESKTOP_AGENT_ADMIN_USER: ADMIN.user, DESKTOP_AGENT_ADMIN_PASSWORD: ADMIN.password, ...options.env } as NodeJS.ProcessEnv;
  const serve = await startServeProcess([], env, dataDir);
  let auth: string;
  try {
    auth = await createApiToken(serve.url);
  } catch (e) {
    serve.child.kill('SIGKILL');
    throw e;
  }

  const api = async <T>(method: string, path: string, body?: unknown): Promise<ApiAnswer<T>> => {
    const r = await fetch(`${serve.url}${path}`, {
      method,
      headers: { authorization: auth, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      body: body !== undefined ? JSON.stringify(body) : undefined,
    });
    const text = await r.text();
    return { status: r.status, headers: r.headers, json: (text ? JSON.parse(text) : undefined) as T };
  };
  const getRun = async (id: string) => {
    const r = await api<RunView>('GET', `/api/runs/${id}`);
    if (r.status !== 200) throw new Error(`GET /api/runs/${id} answered ${r.status}: ${JSON.stringify(r.json)}`);
    return r.json;
  };
  const stop = async () => {
    if (serve.child.exitCode === null && serve.child.signalCode === null) serve.child.kill('SIGTERM');
    await serve.exited;
  };
  return {
    ...serve,
    auth,
    api,
    getRun,
    async enqueue(yaml, variables = {}) {
      const r = await api<{ run_id: string }>('POST', '/api/runs', { template_yaml: yaml, variables });
      if (r.status !== 201) throw new Error(`POST /api/runs answered ${r.status}: ${JSON.stringify(r.json)}`);
      return r.json.run_id;
    },
    async waitForRun(id, until = isFinal, timeoutMs = 90_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const run = await getRun(id);
        if (until(run)) return run;
        if (Date.now() > deadline) throw new Error(`run ${id} did not reach the expected state within ${timeoutMs} ms; it is ${run.status}: ${JSON.stringify(run.steps.map((s) => [s.action, s.status, s.error]))}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    },
    async artifact(id, name) {
      const r = await fetch(`${serve.url}/api/runs/${id}/artifacts/${encodeURIComponent(name)}`, { headers: { authorization: auth } });
      return { status: r.status, contentType: r.headers.get('content-type'), body: Buffer.from(await r.arrayBuffer()) };
    },
    stop,
    async cleanup() {
      await stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
