/**
 * GET /metrics on a database with 1,000,000 runs (issue 16: ≤ 100 ms). The runs are spread over
 * the 90 days of the default retention (~11,000 a day, the last 24 h included), with the audit log,
 * approvals and queue samples a busy desktop would have. Ours is the endpoint as served (real HTTP,
 * the dispatcher, every figure read from the database); the peer is the same run figures computed
 * by a plain full scan (`NOT INDEXED`), what the figures cost without the window indexes.
 *
 *   npm run bench -- metrics        (BENCH_METRICS_RUNS to change the size; BENCH_METRICS_TRACE=1 prints every call)
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createCore } from '../src-main/core/app/create-core';
import { startApi } from '../src-main/host/start-api';
import { nativeBindingPath } from '../src-main/core/db/native-binding';
import { packageInfo } from '../src-main/core/kernel/package-root';
import { resolvePaths } from '../src-main/core/kernel/paths';
import type { Database } from 'better-sqlite3';
import { addUser, passwordOf } from '../test-support/users';
import { percentile, printTable } from './support/report';

const RUNS = Number(process.env.BENCH_METRICS_RUNS ?? 1_000_000);
const CALLS = Number(process.env.BENCH_METRICS_CALLS ?? 40);
const DAY = 86_400_000;

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'da-bench-metrics-'));
  const root = packageInfo().root;
  const core = await createCore({
    paths: resolvePaths({ dataDir: dir, defaultConfigDir: join(root, 'configs') }),
    version: 'bench',
    nativeBinding: nativeBindingPath(root),
    users: { scrypt: { ln: 10, r: 8, p: 1 } },
  });
  const now = core.clock.now();
  const t0 = performance.now();
  seed(core.db, now);
  console.log(`Seeded ${RUNS.toLocaleString('en-US')} runs over 90 days in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  await core.start();
  await addUser(core, 'bench', 'Viewer');
  const http = await startApi(core, { host: '127.0.0.1', port: 0, allowRemote: false });
  // A session token: Basic credentials would cost a password hash per request.
  const login = await fetch(`${http.url}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'bench', password: passwordOf('bench') }) });
  const { token } = (await login.json()) as { token: string };

  const timeCalls = async (path: string) => {
    const ms: number[] = [];
    for (let i = 0; i < CALLS + 3; i++) {
      const s = performance.now();
      const r = await fetch(`${http.url}${path}`, { headers: { authorization: `Bearer ${token}` } });
      await r.text();
      if (r.status !== 200) throw new Error(`${path} answered ${r.status}`);
      if (i >= 3) ms.push(performance.now() - s);
      if (process.env.BENCH_METRICS_TRACE) console.log(`${path} #${i} ${(performance.now() - s).toFixed(1)} ms, wal ${walBytes()} bytes`);
    }
    return ms;
  };
  const walBytes = () => { try { return statSync(`${dir}/desktop-agent.db-wal`).size; } catch { return -1; } };
  const json = await timeCalls('/metrics');
  const prom = await timeCalls('/metrics/prometheus');
  const scan = fullScan(core.db, now);

  const rows = [
    { what: 'GET /metrics p50 (1M runs)', unit: 'ms', ours: percentile(json, 50), peer: percentile(scan, 50), higherIsBetter: false, target: '≤ 100 ms', met: percentile(json, 50) <= 100 },
    { what: 'GET /metrics p99', unit: 'ms', ours: percentile(json, 99), peer: percentile(scan, 99), higherIsBetter: false, target: '≤ 100 ms', met: percentile(json, 99) <= 100 },
    { what: 'GET /metrics/prometheus p50', unit: 'ms', ours: percentile(prom, 50), peer: percentile(scan, 50), higherIsBetter: false, met: null },
    { what: 'GET /metrics/prometheus p99', unit: 'ms', ours: percentile(prom, 99), peer: percentile(scan, 99), higherIsBetter: false, met: null },
  ];
  printTable(`Metrics on ${RUNS.toLocaleString('en-US')} runs: the endpoint over HTTP vs the run figures by full scan, this machine, this run`, rows, 'full scan');
  const met = rows.slice(0, 2).every((r) => r.ours <= 100);
  console.log(`\nTarget ≤ 100 ms for GET /metrics: ${met ? 'met' : 'NOT met'} (p50 ${percentile(json, 50).toFixed(1)} ms, p99 ${percentile(json, 99).toFixed(1)} ms, max ${Math.max(...json).toFixed(1)} ms over ${CALLS} calls)`);
  await http.close();
  await core.stop();
  rmSync(dir, { recursive: true, force: true });
}

/** 1M runs (90 % succeeded, 8 % failed, 2 % cancelled; 5 % retried; triggers mixed), plus audit, approvals, samples. */
function seed(d: Database, now: number): void {
  const insert = d.prepare(
    `insert into runs(id, template, template_hash, trigger, status, attempts, queue, available_at, enqueued_at, created_at, started_at, finished_at)
     values (?, ?, 'h', ?, ?, ?, 'default', ?, ?, ?, ?, ?)`,
  );
  const triggers = ['manual', 'api', 'schedule:nightly', 'watcher:inbox', 'webhook:deploy'];
  let x = 42;
  const rand = () => ((x = (x * 1_103_515_245 + 12_345) % 2_147_483_648) / 2_147_483_648);
  d.transaction(() => {
    for (let i = 0; i < RUNS; i++) {
      const created = now - Math.floor(rand() * 90 * DAY);
      const r = rand();
      const status = r < 0.9 ? 'succeeded' : r < 0.98 ? 'failed' : 'cancelled';
      const started = created + Math.floor(rand() * 2000);
      const finished = started + Math.floor(rand() * 60_000);
      insert.run(`r${i}`, `template_${i % 40}`, triggers[i % 5], status, rand() < 0.05 ? 2 : 1, created, created, created, started, Math.min(finished, now));
    }
    const audit = d.prepare("insert into audit_log(time, user, action, permission, resource, result, source) values (?, 'u', 'runs.enqueue', ?, null, ?, 'bench')");
    for (let i = 0; i < 100_000; i++) audit.run(now - Math.floor(rand() * 90 * DAY), rand() < 0.1 ? 'manage_users' : 'create_runs', rand() < 0.05 ? 'denied' : 'granted');
    const approval = d.prepare(
      "insert into approvals(id, run_id, step, template, message, risk_level, required_role, auto_action, requested_at, expires_at, status, decided_at) values (?, ?, 0, 't', 'm', 'high', 'Editor', 'deny', ?, ?, ?, ?)",
    );
    for (let i = 0; i < 10_000; i++) {
      const at = now - Math.floor(rand() * 90 * DAY);
      approval.run(`a${i}`, `r${i}`, at, at + 1_800_000, i % 3 === 0 ? 'approved' : i % 3 === 1 ? 'denied' : 'timed_out', at + 60_000);
    }
    const sample = d.prepare("insert or ignore into queue_samples(minute, queue, depth_max, running_max) values (?, '*', ?, ?)");
    for (let m = Math.floor((now - 90 * DAY) / 60_000); m <= Math.floor(now / 60_000); m += 5) sample.run(m, Math.floor(rand() * 50), 3);
  })();
  d.pragma('optimize');
  // A real database reaches 1M runs over 90 days with its WAL folded back every few seconds; the
  // seed writes ~1M rows in one go, and left in the WAL they would be checkpointed by the core's
  // worker while the calls are timed (one idle run saw a 240 ms call then).
  d.pragma('wal_checkpoint(TRUNCATE)');
}

/** The same run figures without the window indexes: one full scan per call. */
function fullScan(d: Database, now: number): number[] {
  const since = now - DAY;
  const q = d.prepare(`select count(*),
      sum(finished_at >= ? and status = 'succeeded'), sum(finished_at >= ? and status = 'failed'),
      sum(finished_at >= ? and attempts > 1), sum(created_at >= ?),
      sum(created_at >= ? and trigger like 'schedule:%')
    from runs not indexed`);
  const durations = d.prepare("select finished_at - started_at from runs not indexed where finished_at >= ? and status in ('succeeded', 'failed', 'cancelled') order by 1").pluck();
  const ms: number[] = [];
  for (let i = 0; i < Math.min(CALLS, 10) + 1; i++) {
    const s = performance.now();
    q.get(since, since, since, since, since);
    durations.all(since);
    if (i > 0) ms.push(performance.now() - s);
  }
  return ms;
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
