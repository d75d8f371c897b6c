/**
 * The engine benchmark (SPEC section 15, issue 4): validation and rendering throughput, the
 * runner's per-step overhead, and end-to-end persisted one-step `log` runs per second (a run row
 * inserted, executed by the real engine with its step row, resume point and log line written,
 * then finished), all on a real SQLite file in WAL mode.
 *
 *   npm run bench -- engine          (or: node dist/bench/engine.js after npm run build)
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { newId } from '../src-shared/domain/ids';
import { validateTemplate } from '../src-shared/dsl/validate';
import type { StepNode } from '../src-shared/dsl/template-model';
import { createCore } from '../src-main/core/app/create-core';
import { packageInfo } from '../src-main/core/kernel/package-root';
import { resolvePaths } from '../src-main/core/kernel/paths';
import { nativeBindingPath } from '../src-main/core/db/native-binding';
import { makeLookup, render } from '../src-main/core/engine/scope';

const VALIDATIONS = Number(process.env.BENCH_VALIDATIONS ?? 2_000);
const RENDERS = Number(process.env.BENCH_RENDERS ?? 200_000);
const RUNS = Number(process.env.BENCH_RUNS ?? 5_000);
const LONG_STEPS = Number(process.env.BENCH_LONG_STEPS ?? 500);

const NOOP = 'dsl_version: "1.1"\nname: noop\nsteps:\n  - log: { message: "no-op" }\n';
const now = () => performance.now();

interface Figure {
  what: string;
  unit: string;
  value: number;
  target?: number;
  higherIsBetter?: boolean;
}

function print(rows: Figure[]): void {
  console.log('\nEngine: Desktop Agent (validator, renderer, runner on SQLite WAL), this machine, this run');
  console.log(`${'scenario'.padEnd(62)} ${'unit'.padEnd(9)} ${'value'.padStart(12)} ${'target'.padStart(10)} ${'value/target'.padStart(13)}  met`);
  for (const r of rows) {
    const fmt = (n: number) => (n >= 100 ? Math.round(n).toLocaleString('en-US') : n.toFixed(3));
    const ratio = r.target ? (r.higherIsBetter === false ? r.target / r.value : r.value / r.target) : undefined;
    console.log(
      `${r.what.padEnd(62)} ${r.unit.padEnd(9)} ${fmt(r.value).padStart(12)} ${(r.target ? (r.higherIsBetter === false ? '≤ ' : '≥ ') + fmt(r.target) : '').padStart(10)} ${(ratio ? ratio.toFixed(2) : '').padStart(13)}  ${ratio === undefined ? '' : ratio >= 1 ? 'yes' : 'NO'}`,
    );
  }
}

async function main(): Promise<void> {
  const { root, version } = packageInfo();
  const weekly = readFileSync(join(root, 'configs', 'templates', 'weekly_report.yaml'), 'utf8');
  const rows: Figure[] = [];

  // Validation of a real 9-step template (YAML, shape, schemas, expressions, references).
  for (let i = 0; i < 200; i++) validateTemplate(weekly);
  let t = now();
  for (let i = 0; i < VALIDATIONS; i++) validateTemplate(weekly);
  rows.push({ what: `validate weekly_report.yaml (9 steps), ${VALIDATIONS}×`, unit: 'tmpl/s', value: VALIDATIONS / ((now() - t) / 1000) });

  // Rendering the params of its compose_mail step (7 references, filters) against real results.
  const model = validateTemplate(weekly).template!;
  const step = model.steps.find((s: StepNode) => s.action === 'compose_mail')!;
  const lookup = makeLookup({
    variables: { ...model.variables },
    steps: [{ status: 'succeeded', result: { found: 12 } }, null, null, { status: 'succeeded', result: { page_count: 48 } }],
    actions: model.steps.map((s) => s.action),
    ids: new Map([
      ['find', { outcome: { status: 'succeeded' as const, result: { found: 12 } }, action: 'find_files' }],
      ['merge', { outcome: { status: 'succeeded' as const, result: { page_count: 48 } }, action: 'pdf_merge' }],
    ]),
    run: { id: 'run_x' },
    trigger: {},
    now: Date.now(),
  });
  for (let i = 0; i < 10_000; i++) render(step.params, { lookup, secrets: new Map() });
  t = now();
  for (let i = 0; i < RENDERS; i++) render(step.params, { lookup, secrets: new Map() });
  rows.push({ what: `render compose_mail params (7 references), ${RENDERS}×`, unit: 'steps/s', value: RENDERS / ((now() - t) / 1000) });

  const dir = mkdtempSync(join(tmpdir(), 'da-bench-engine-'));
  const core = await createCore({ paths: resolvePaths({ dataDir: dir, defaultConfigDir: join(root, 'configs') }), version, nativeBinding: nativeBindingPath(root) });
  try {
    const runs = core.runs;
    const runOnce = async (yaml: string, hash: string) => {
      const at = core.clock.now();
      const id = newId('run', at);
      runs.startLocal({ id, template: 'bench', templateHash: hash, templateYaml: yaml, variables: {}, trigger: 'manual', requestedBy: 'bench', queue: 'default', priority: 5, concurrencyTag: null, dryRun: false, now: at, leaseOwner: 'bench', leaseExpiresAt: at + 60_000 });
      const outcome = await core.engine.executeRun(id);
      if (outcome.status !== 'succeeded') throw new Error(`bench run failed: ${outcome.error}`);
      runs.finishLocal(id, { status: 'succeeded', error: null, errorCode: null }, at, core.clock.now());
    };
    const noopHash = createHash('sha256').update(NOOP).digest('hex');
    for (let i = 0; i < 200; i++) await runOnce(NOOP, noopHash);
    const lat: number[] = [];
    t = now();
    for (let i = 0; i < RUNS; i++) {
      const s = now();
      await runOnce(NOOP, noopHash);
      lat.push(now() - s);
    }
    const rate = RUNS / ((now() - t) / 1000);
    lat.sort((a, b) => a - b);
    rows.push({ what: `persisted one-step log runs end to end, one after another (${RUNS})`, unit: 'runs/s', value: rate, target: 1_000 });
    rows.push({ what: 'one run: p50', unit: 'ms', value: lat[Math.ceil(0.5 * lat.length) - 1]! });
    rows.push({ what: 'one run: p99', unit: 'ms', value: lat[Math.ceil(0.99 * lat.length) - 1]! });

    const long = `dsl_version: "1.1"\nname: long\nsteps:\n${'  - log: { message: "step {{run.id}}" }\n'.repeat(LONG_STEPS)}`;
    const longHash = createHash('sha256').update(long).digest('hex');
    await runOnce(long, longHash);
    t = now();
    for (let i = 0; i < 5; i++) await runOnce(long, longHash);
    rows.push({ what: `runner overhead per persisted log step (${LONG_STEPS}-step run)`, unit: 'µs/step', value: ((now() - t) * 1000) / (5 * LONG_STEPS) });
  } finally {
    await core.stop();
    rmSync(dir, { recursive: true, force: true });
  }
  print(rows);
}

main().then(
  () => process.exit(0),
  (e: Error) => {
    console.error(e.stack ?? e.message);
    process.exit(1);
  },
);
