import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import parsePrometheusTextFormat from 'parse-prometheus-text-format';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MetricsSnapshot } from '@shared/contract/metrics';
import { rawHttp } from '../../../test-support/raw-http';
import { FAST_SCRYPT, addUser, basic } from '../../../test-support/users';
import { until } from '../../../test-support/temp-core';
import { startServe, type ServeHandle } from '../../host/start-serve';
import { FakeClock } from '../kernel/clock';

/**
 * Known activity on a fake clock, then every figure of GET /metrics checked for its exact value
 * over real HTTP, the Prometheus text parsed back and compared, and the window moved past it.
 */
const START = Date.parse('2026-03-10T08:00:00Z');
let serve: ServeHandle;
let clock: FakeClock;
let dataDir: string;
let refusedPort: number;
const admin = () => basic('admin');


async function api<T>(method: string, path: string, body?: unknown, authorization = admin()): Promise<{ status: number; json: T; text: string; headers: Record<string, string | string[] | undefined> }> {
  const r = await rawHttp(`${serve.url}${path}`, {
    method,
    headers: { authorization, ...(body ? { 'content-type': 'application/json', origin: serve.url } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  let json: T = undefined as T;
  try {
    json = JSON.parse(r.body) as T;
  } catch {
    // Prometheus text and HTML are not JSON.
  }
  return { status: r.status, json, text: r.body, headers: r.headers };
}

const runStatus = async (id: string) => (await api<{ status: string; steps: { status: string }[] }>('GET', `/api/runs/${id}`)).json;

async function enqueue(yaml: string): Promise<string> {
  const r = await api<{ run_id: string }>('POST', '/api/runs', { template_yaml: yaml });
  expect(r.status, r.text).toBe(201);
  return r.json.run_id;
}

/** A run whose `wait` step lasts exactly `ms` on the fake clock. */
async function timedRun(ms: number): Promise<string> {
  const due = clock.now() + ms;
  const id = await enqueue(`dsl_version: "1.1"\nname: timed\nsteps:\n  - wait: { ms: ${ms} }\n`);
  await until('the wait step to set its timer', () => clock.hasTimerDueAt(due));
  clock.advance(ms);
  await until('the run to succeed', async () => (await runStatus(id)).status === 'succeeded');
  return id;
}

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'da-metrics-'));
  const configDir = join(dataDir, 'configs');
  mkdirSync(configDir, { recursive: true });
  // One retry after a second, no jitter: the failing run's attempts are known.
  writeFileSync(
    join(configDir, 'orchestrator.yaml'),
    'queues:\n  default:\n    max_concurrent: 3\n    retry_policy: { max_attempts: 2, backoff_ms: 1000, jitter: 0 }\napi:\n  public_metrics: false\nhitl:\n  self_approval: true\n',
  );
  // A port with nothing listening: make_request fails with a retryable network error.
  const probe = createServer();
  await new Promise<void>((r) => probe.listen(0, '127.0.0.1', () => r()));
  refusedPort = (probe.address() as { port: number }).port;
  await new Promise((r) => probe.close(r));
  clock = new FakeClock(START);
  serve = await startServe({ dataDir, host: '127.0.0.1', port: 0, allowRemote: false, env: {}, coreOverrides: { clock, watchConfig: false, users: { scrypt: FAST_SCRYPT } } });
  await addUser(serve.core, 'admin', 'Admin');
  await addUser(serve.core, 'vic', 'Viewer');
});
afterAll(async () => {
  await serve?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('GET /metrics from stored data', () => {
  it('answers JSON with nothing invented on an empty database, and 404 JSON for unknown paths', async () => {
    const m = (await api<MetricsSnapshot>('GET', '/metrics')).json;
    expect(m).toMatchObject({ total_runs: 0, success_rate_24h: null, retry_rate_24h: null, median_duration_ms_24h: null, runs_per_hour_24h: 0, top_failure_clusters_24h: [] });
    for (const s of m.scheduler_metrics) expect(s).toMatchObject({ fires_24h: 0, failures_24h: 0, last_fire: null });
    // A rate with nothing to measure is NaN in the Prometheus text, never 0.
    expect((await api('GET', '/metrics/prometheus')).text).toMatch(/^desktop_agent_success_rate_24h Nan$/im);
    const unknown = await api<{ error: { code: string } }>('GET', '/metricz');
    expect(unknown.status).toBe(404);
    expect(unknown.json.error.code).toBe('NOT_FOUND');
  });

  it('computes every figure exactly after known activity, and forgets it 24 h later', async () => {
    // An old run, finished 25 h before the others: counted in total_runs only.
    await timedRun(500);
    clock.advance(25 * 3_600_000);
    const t0 = clock.now();

    // Three runs that succeed after 1, 2 and 3 seconds: median 2000, p95 3000.
    for (const ms of [1000, 2000, 3000]) await timedRun(ms);
    // One that fails at once (no such file), one that fails twice on a refused connection.
    const missing = await enqueue(`dsl_version: "1.1"\nname: broken\nsteps:\n  - read_csv: { path: "${join(tmpdir(), 'da-metrics-nope', 'nope.csv')}" }\n`);
    await until('the missing-file run to fail', async () => (await runStatus(missing)).status === 'failed');
    const refused = await enqueue(`dsl_version: "1.1"\nname: flaky\nsteps:\n  - make_request: { url: "http://127.0.0.1:${refusedPort}/x", method: GET }\n`);
    await until('the first attempt to fail', async () => (await runStatus(refused)).status === 'retry_wait');
    clock.advance(1000);
    await until('the retry to fail', async () => (await runStatus(refused)).status === 'failed');

    // Approvals: one approved, one denied, one timed out (auto_action deny after 1 minute).
    const confirm = `dsl_version: "1.1"\nname: confirm\nsteps:\n  - human_confirm: { message: "ok?", timeout_minutes: 1, auto_action: deny }\n`;
    const ids = [await enqueue(confirm), await enqueue(confirm), await enqueue(confirm)];
    const approvals = await until('three approval requests', async () => {
      const list = (await api<{ items: { id: string; run_id: string }[] }>('GET', '/api/approvals?status=pending')).json.items;
      return list.length === 3 ? list : undefined;
    });
    const idOf = (run: string) => approvals.find((a) => a.run_id === run)!.id;
    expect((await api('POST', `/api/approvals/${idOf(ids[0]!)}/approve`, { comment: 'yes' })).status).toBe(200);
    expect((await api('POST', `/api/approvals/${idOf(ids[1]!)}/deny`, { comment: 'no' })).status).toBe(200);
    await until('the approved run to succeed', async () => (await runStatus(ids[0]!)).status === 'succeeded');
    await until('the denied run to fail', async () => (await runStatus(ids[1]!)).status === 'failed');
    clock.advance(60_000);
    await until('the timed-out run to fail', async () => (await runStatus(ids[2]!)).status === 'failed');

    // Two RBAC denials: a Viewer may not create runs or list users.
    expect((await api('POST', '/api/runs', { template: 'x' }, basic('vic'))).status).toBe(403);
    expect((await api('GET', '/api/admin/users', undefined, basic('vic'))).status).toBe(403);

    // Let the queue sampler store its minute.
    clock.advance(5_000);
    const m = (await api<MetricsSnapshot>('GET', '/metrics')).json;
    const finishedOk = 3 + 1; // three timed runs and the approved confirm run
    const finishedBad = 2 + 2; // missing file, refused twice, denied approval, timed-out approval
    expect(m.total_runs).toBe(1 + 3 + 2 + 3);
    expect(m.succeeded_24h).toBe(finishedOk);
    expect(m.failed_24h).toBe(finishedBad);
    expect(m.success_rate_24h).toBe(Math.round((finishedOk / (finishedOk + finishedBad)) * 10_000) / 10_000);
    // Durations and attempts as the runs API shows each run: the figures are their nearest-rank
    // percentiles and share (exact hand-made values are in runs/run-figures.int.test.ts).
    const inWindow = (await api<{ items: { id: string }[] }>('GET', '/api/runs?limit=100')).json.items.map((r) => r.id);
    const records = await Promise.all(inWindow.map(async (id) => (await api<{ started_at: string | null; finished_at: string | null; attempts: number; created_at: string }>('GET', `/api/runs/${id}`)).json));
    const finished = records.filter((r) => r.finished_at && Date.parse(r.finished_at) >= clock.now() - 86_400_000);
    expect(finished).toHaveLength(8);
    const durations = finished.filter((r) => r.started_at).map((r) => Date.parse(r.finished_at!) - Date.parse(r.started_at!)).sort((a, b) => a - b);
    expect(durations).toContain(3000);
    expect(m.median_duration_ms_24h).toBe(durations[Math.ceil(0.5 * durations.length) - 1]);
    expect(m.p95_duration_ms_24h).toBe(durations[Math.ceil(0.95 * durations.length) - 1]);
    expect(m.runs_per_hour_24h).toBe(Math.round((8 / 24) * 1000) / 1000);
    const retried = finished.filter((r) => r.attempts > 1).length;
    expect(retried).toBeGreaterThanOrEqual(1); // the refused connection was tried twice
    expect(m.retry_rate_24h).toBe(Math.round((retried / 8) * 10_000) / 10_000);
    expect([m.hitl_interventions_24h, m.hitl_approved_24h, m.hitl_denied_24h, m.hitl_timeouts_24h]).toEqual([3, 1, 1, 1]);
    expect(m.rbac_denied_24h).toBe(2);
    expect(m.top_denied_permissions.map((d) => d.permission).sort()).toEqual(['create_runs', 'manage_users']);
    expect(m.queue_depth_peak_24h).toBeGreaterThanOrEqual(1);
    expect(m.queues.find((q) => q.name === 'default')).toEqual({ name: 'default', depth: 0, running: 0, paused: false });
    expect(m.charts.runs_created.reduce((a, b) => a + b, 0)).toBe(8);
    expect(m.charts.hours).toHaveLength(24);
    expect(Date.parse(m.generated_at)).toBe(clock.now());
    expect(clock.now() - t0).toBeLessThan(3_600_000);

    // The guide's alert: jq '.success_rate_24h < 0.8' is true here.
    expect(m.success_rate_24h! < 0.8).toBe(true);

    // 24 h after the last activity the window is empty, total_runs stays.
    clock.advance(24 * 3_600_000 + 60_000);
    const later = (await api<MetricsSnapshot>('GET', '/metrics')).json;
    expect(later).toMatchObject({ total_runs: 9, succeeded_24h: 0, failed_24h: 0, success_rate_24h: null, runs_per_hour_24h: 0, hitl_interventions_24h: 0, rbac_denied_24h: 0 });
  });

  it('lists each schedule with its fires, last and next time (scheduler_metrics) and counts its runs', async () => {
    const saved = await api('POST', '/api/templates', { name: 'tick', yaml: 'dsl_version: "1.1"\nname: tick\nsteps:\n  - log: { message: "tick" }\n' });
    expect(saved.status, saved.text).toBe(201);
    const made = await api('POST', '/api/schedules', { id: 'every_minute', name: 'Every minute', cron: '* * * * *', template: 'tick', timezone: 'UTC' });
    expect(made.status, made.text).toBe(201);
    const before = (await api<MetricsSnapshot>('GET', '/metrics')).json.scheduled_runs_24h;
    // Three minutes pass, one at a time (each fire enqueues a run, which finishes on its own).
    for (let i = 0; i < 3; i++) {
      clock.advance(60_000);
      await until(`fire ${i + 1}`, async () => (await api<MetricsSnapshot>('GET', '/metrics')).json.scheduled_runs_24h === before + i + 1);
    }
    const m = (await api<MetricsSnapshot>('GET', '/metrics')).json;
    const s = m.scheduler_metrics.find((x) => x.schedule === 'every_minute')!;
    expect(s).toMatchObject({ name: 'Every minute', enabled: true, fires_24h: 3, failures_24h: 0, missed_24h: 0 });
    expect(Date.parse(s.next_fire!)).toBeGreaterThan(clock.now());
    expect(Date.parse(s.last_fire!)).toBeLessThanOrEqual(clock.now());
  });

  it('lists each folder watcher and webhook with its fires, failures, refusals and last fire (trigger_metrics), from stored data', async () => {
    const failing = `dsl_version: "1.1"\nname: broken_ingest\nsteps:\n  - read_csv: { path: "${join(tmpdir(), 'da-metrics-nope', 'nope.csv')}" }\n`;
    expect((await api('POST', '/api/templates', { name: 'broken_ingest', yaml: failing })).status).toBe(201);
    const inbox = join(dataDir, 'inbox');
    mkdirSync(inbox);
    const w = await api('POST', '/api/watchers', { id: 'inbox', name: 'Inbox', watch_path: inbox, template: 'broken_ingest', patterns: ['*.csv'], debounce_ms: 100 });
    expect(w.status, w.text).toBe(201);
    const h = await api('POST', '/api/webhooks', { id: 'hook', name: 'Hook', endpoint: '/webhooks/hook', template: 'tick', signature: 'none' });
    expect(h.status, h.text).toBe(201);
    const figure = async (kind: string, id: string) => (await api<MetricsSnapshot>('GET', '/metrics')).json.trigger_metrics.find((t) => t.kind === kind && t.trigger === id);
    expect(await figure('watcher', 'inbox')).toEqual({ kind: 'watcher', trigger: 'inbox', name: 'Inbox', enabled: true, last_fire: null, fires_24h: 0, failures_24h: 0, refused_24h: null });

    // The watcher hands one file over (its run fails); the webhook accepts two deliveries and refuses one.
    await until('the watcher to watch', async () => (await api<{ items: { id: string; state: string }[] }>('GET', '/api/watchers')).json.items.find((x) => x.id === 'inbox')?.state === 'watching');
    writeFileSync(join(inbox, 'a.csv'), 'x\n1\n');
    await until('the file handed over', async () => {
      clock.advance(200);
      return (await figure('watcher', 'inbox'))?.fires_24h === 1;
    });
    const handedAt = clock.now();
    const post = (body: string) => rawHttp(`${serve.url}/webhooks/hook`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    expect((await post('{"a":1}')).status).toBe(202);
    expect((await post('{"a":2}')).status).toBe(202);
    expect((await post('not json')).status).toBe(400);
    await until("the watcher's run to fail", async () => (await figure('watcher', 'inbox'))?.failures_24h === 1);
    const watcher = (await figure('watcher', 'inbox'))!;
    expect(Date.parse(watcher.last_fire!)).toBeLessThanOrEqual(handedAt);
    expect(Date.parse(watcher.last_fire!)).toBeGreaterThan(handedAt - 60_000);
    expect(await figure('webhook', 'hook')).toEqual({ kind: 'webhook', trigger: 'hook', name: 'Hook', enabled: true, last_fire: new Date(clock.now()).toISOString(), fires_24h: 2, failures_24h: 0, refused_24h: 1 });
    const prom = parsePrometheusTextFormat((await api('GET', '/metrics/prometheus')).text);
    const value = (name: string, kind: string, id: string) => prom.find((f) => f.name === name)?.metrics.find((m) => m.labels?.kind === kind && m.labels?.trigger === id)?.value;
    expect(value('desktop_agent_trigger_fires_24h', 'webhook', 'hook')).toBe('2');
    expect(value('desktop_agent_trigger_refused_24h', 'webhook', 'hook')).toBe('1');
    expect(value('desktop_agent_trigger_failures_24h', 'watcher', 'inbox')).toBe('1');
    expect(Number(value('desktop_agent_trigger_last_fire_timestamp_seconds', 'watcher', 'inbox'))).toBe(Date.parse(watcher.last_fire!) / 1000);

    // A day later the window is empty; the last fire stays.
    clock.advance(24 * 3_600_000 + 1000);
    expect(await figure('webhook', 'hook')).toMatchObject({ fires_24h: 0, refused_24h: 0, failures_24h: 0, last_fire: expect.any(String) });
    expect(await figure('watcher', 'inbox')).toMatchObject({ fires_24h: 0, failures_24h: 0, last_fire: watcher.last_fire });
    expect((await api('DELETE', '/api/watchers/inbox')).status).toBe(200);
  });

  it('writes the same figures in the Prometheus text format, parsed back by an exposition-format parser', async () => {
    const json = (await api<MetricsSnapshot>('GET', '/metrics')).json;
    const prom = await api('GET', '/metrics/prometheus');
    expect(prom.status).toBe(200);
    expect(String(prom.headers['content-type'])).toMatch(/^text\/plain; version=0\.0\.4/);
    const families = parsePrometheusTextFormat(prom.text);
    const byName = new Map(families.map((f) => [f.name, f]));
    for (const f of families) {
      expect(f.name).toMatch(/^desktop_agent_/);
      expect(f.help.length, f.name).toBeGreaterThan(0);
    }
    expect(byName.get('desktop_agent_total_runs')?.type).toBe('COUNTER');
    expect(Number(byName.get('desktop_agent_total_runs')!.metrics[0]!.value)).toBe(json.total_runs);
    // Every scalar figure of the JSON is a gauge of the same value; a figure with nothing to
    // measure (null) is NaN, never 0.
    const scalars = Object.entries(json).filter(([k, v]) => k !== 'total_runs' && (typeof v === 'number' || v === null));
    expect(scalars.length).toBeGreaterThanOrEqual(20);
    for (const [key, value] of scalars) {
      const f = byName.get(`desktop_agent_${key}`);
      expect(f?.type, key).toBe('GAUGE');
      if (value === null) expect(f!.metrics[0]!.value, key).toMatch(/^nan$/i);
      else expect(Number(f!.metrics[0]!.value), key).toBe(value);
    }
    const depth = byName.get('desktop_agent_queue_depth')!;
    expect(depth.metrics.map((s) => s.labels?.queue).sort()).toEqual(json.queues.map((q) => q.name).sort());
  });

  it('asks for read_metrics unless api.public_metrics is on', async () => {
    for (const path of ['/metrics', '/metrics/prometheus', '/public/dashboard']) {
      expect((await rawHttp(`${serve.url}${path}`)).status, path).toBe(401);
    }
    expect((await api('GET', '/metrics', undefined, basic('vic'))).status).toBe(200);
  });
});
