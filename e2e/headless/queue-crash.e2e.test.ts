import { createServer, type Server } from 'node:http';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { createApiToken } from '../support/serve-api';
import { startServeProcess, type ServeProcess } from '../support/serve-process';

/**
 * Crash safety (issues 6 and 21): `serve` runs as a child process, runs are enqueued over the API, and the
 * process is killed with SIGKILL at random moments and restarted. Every accepted run must reach a
 * final state, none may be lost, none may run twice at the same time, and the database must pass
 * integrity_check. Each run reports its start and end to a local HTTP server, which is how we see
 * executions (the engine's own records could be lost with the process; this cannot).
 *
 * Each run also sends a POST (not idempotent) to the sink between its GETs: over all kills, each
 * run's POST arrives at most once, and every run ends succeeded, or failed with `interrupted
 * during` (SPEC section 14: a step that may have had its effect is never repeated silently).
 *
 * CRASH_KILLS (default 20) and CRASH_RUNS (default 300) make the soak longer (`npm run soak:crash`);
 * the time limit grows with the kills (each restart costs seconds on a loaded machine).
 */
const KILLS = Number(process.env.CRASH_KILLS ?? 20);
const RUNS = Number(process.env.CRASH_RUNS ?? 300);
const ADMIN = { user: 'admin', password: 'crash-test-password-1' };

interface Mark {
  run: string;
  kind: 'start' | 'effect' | 'end';
  at: number;
}

function witness(): Promise<{ server: Server; url: string; marks: Mark[] }> {
  const marks: Mark[] = [];
  const server = createServer((req, res) => {
    const u = new URL(req.url ?? '/', 'http://x');
    const run = u.searchParams.get('run') ?? '';
    const kind = u.pathname === '/start' ? 'start' : u.pathname === '/effect' ? 'effect' : 'end';
    marks.push({ run, kind, at: Date.now() });
    // The side effect takes a moment, so kills also land while a POST is in flight.
    if (kind === 'effect') setTimeout(() => res.end('ok'), 20);
    else res.end('ok');
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({ server, url: `http://127.0.0.1:${(server.address() as { port: number }).port}`, marks })));
}

const template = (url: string) => `dsl_version: "1.1"
name: crash-probe
execution:
  retry: { max_attempts: 50, backoff_ms: 10, backoff_multiplier: 1, only_idempotent: false }
steps:
  - make_request: { url: "${url}/start?run={{run.id}}", method: GET }
  - make_request: { url: "${url}/effect?run={{run.id}}", method: POST, body: "{{run.id}}" }
  - wait: { ms: 30 }
  - make_request: { url: "${url}/end?run={{run.id}}", method: GET }
`;

let auth = '';

async function enqueue(url: string, yaml: string, key: string): Promise<string | undefined> {
  try {
    const r = await fetch(`${url}/api/runs`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: auth },
      body: JSON.stringify({ template_yaml: yaml, idempotency_key: key }),
    });
    if (r.status !== 201) return undefined;
    return ((await r.json()) as { run_id: string }).run_id;
  } catch {
    return undefined; // the process was killed mid-request: not accepted
  }
}

describe('queue crash safety', () => {
  it(`survives ${KILLS} SIGKILLs: every accepted run finishes, none lost, none concurrent with itself`, { timeout: Math.max(600_000, KILLS * 20_000) }, async () => {
    const w = await witness();
    const dataDir = mkdtempSync(join(tmpdir(), 'da-crash-'));
    const env = { DESKTOP_AGENT_ADMIN_USER: ADMIN.user, DESKTOP_AGENT_ADMIN_PASSWORD: ADMIN.password };
    const yaml = template(w.url);
    const accepted = new Set<string>();
    const kills: number[] = [];
    let serve: ServeProcess = await startServeProcess([], env, dataDir, 90_000);
    auth = await createApiToken(serve.url, ADMIN, 'crash-test');
    let next = 0;
    for (let k = 0; k < KILLS; k++) {
      // Enqueue a batch while runs execute, then kill at a random moment.
      const batch = Math.ceil(RUNS / KILLS);
      const pending: Promise<void>[] = [];
      // The random moment counts from the batch's first acceptance, so a slow (loaded) machine
      // still gets runs in before each kill instead of killing a process that accepted nothing.
      let firstAccepted!: () => void;
      const accepting = new Promise<void>((r) => (firstAccepted = r));
      for (let i = 0; i < batch; i++) {
        const key = `probe-${next++}`;
        pending.push(
          enqueue(serve.url, yaml, key).then((id) => {
            if (id) accepted.add(id);
            if (id) firstAccepted();
          }),
        );
      }
      await Promise.race([accepting, new Promise((r) => setTimeout(r, 10_000))]);
      await new Promise((r) => setTimeout(r, Math.random() * 300));
      serve.child.kill('SIGKILL');
      await serve.exited;
      // When the killed process is certainly gone: an execution it started ends here at the latest.
      kills.push(Date.now());
      await Promise.all(pending);
      serve = await startServeProcess([], env, dataDir, 90_000);
      if (KILLS > 20 && (k + 1) % 10 === 0) console.log(`crash soak: ${k + 1} of ${KILLS} kills, ${accepted.size} runs accepted`);
    }
    // Let everything finish.
    const deadline = Date.now() + 240_000;
    let open = Infinity;
    while (Date.now() < deadline) {
      const r = await fetch(`${serve.url}/api/runs?limit=1000&status=succeeded`, { headers: { authorization: auth } });
      expect(r.status).toBe(200);
      const db = new BetterSqlite3(join(dataDir, 'desktop-agent.db'), { readonly: true });
      open = db.prepare("select count(*) from runs where status not in ('succeeded', 'failed', 'cancelled')").pluck().get() as number;
      db.close();
      if (open === 0) break;
      await new Promise((r) => setTimeout(r, 250));
    }
    serve.child.kill('SIGTERM');
    await serve.exited;
    w.server.close();

    const db = new BetterSqlite3(join(dataDir, 'desktop-agent.db'), { readonly: true });
    const rows = db.prepare('select id, status, error, attempt_history_json from runs').all() as { id: string; status: string; error: string | null; attempt_history_json: string }[];
    const historyOf = (id: string) => rows.find((r) => r.id === id)?.attempt_history_json;
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    db.close();
    const byId = new Map(rows.map((r) => [r.id, r.status]));
    const errorOf = new Map(rows.map((r) => [r.id, r.error]));
    // None lost: every run the API accepted is in the database, finished: succeeded, or failed
    // because it was killed during its POST (which is then not sent again).
    for (const id of accepted) {
      const status = byId.get(id);
      if (status === 'failed') expect(errorOf.get(id), id).toMatch(/^interrupted during steps\[1\] make_request/);
      else expect(status, id).toBe('succeeded');
    }
    // Every side effect at most once; exactly once for a run that succeeded.
    const effects = new Map<string, number>();
    for (const m of w.marks) if (m.kind === 'effect') effects.set(m.run, (effects.get(m.run) ?? 0) + 1);
    for (const [run, n] of effects) expect(n, `run ${run} sent its POST ${n} times`).toBe(1);
    for (const id of accepted) if (byId.get(id) === 'succeeded') expect(effects.get(id), `run ${id} succeeded without its POST`).toBe(1);
    const interrupted = [...accepted].filter((id) => byId.get(id) === 'failed').length;
    console.log(`crash soak: ${KILLS} kills, ${accepted.size} runs accepted, ${accepted.size - interrupted} succeeded, ${interrupted} failed "interrupted during" their POST, ${[...effects.values()].reduce((a, b) => a + b, 0)} POSTs received`);
    expect(open).toBe(0);
    // Each round waits for its first acceptance before the kill; on a loaded machine fewer of a batch get in.
    expect(accepted.size).toBeGreaterThanOrEqual(KILLS);

    // None ran concurrently with itself: a second start while an earlier start has no end is
    // only allowed when a killed process exited in between (the earlier execution died with it).
    const starts = new Map<string, number[]>();
    const ends = new Map<string, number[]>();
    for (const m of w.marks) if (m.kind !== 'effect') (m.kind === 'start' ? starts : ends).set(m.run, [...((m.kind === 'start' ? starts : ends).get(m.run) ?? []), m.at]);
    for (const [run, s] of starts) {
      const e = ends.get(run) ?? [];
      for (let i = 1; i < s.length; i++) {
        const prevStart = s[i - 1]!;
        const endedBefore = e.some((t) => t >= prevStart && t <= s[i]!);
        const killedBetween = kills.some((t) => t >= prevStart && t <= s[i]!);
        expect(endedBefore || killedBetween, `run ${run} started again at ${s[i]} while its start at ${prevStart} was still executing; kills ${kills.join(',')}; attempts ${historyOf(run)}`).toBe(true);
      }
      if (byId.get(run) === 'succeeded') expect(e.length, `run ${run} succeeded without reaching its last step`).toBeGreaterThan(0);
    }
    expect(kills).toHaveLength(KILLS);
  });
});
