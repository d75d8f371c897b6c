/**
 * Failure clustering (issue 20, SPEC section 10): grouping accuracy (GA) of the template miner
 * on the eight LogHub-2k sets of ../shared/datasets/loghub2k (the `Content` column), per set and
 * mean, on the original and the corrected ground truth, with the one configuration the app
 * ships; beside a plain mask-and-group baseline measured in the same run (every token with a
 * digit becomes <*>, lines are grouped by the result). Then the throughput of
 * `desktop-agent clusters analyze` as a whole process (start included) on ~1M messages.
 *
 *   npm run bench -- clusters       (LOGHUB_DIR=… to point elsewhere; BENCH_CLUSTER_REPEAT=63)
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { TemplateMiner } from '../src-main/core/clusters/template-miner';
import { LOGHUB_SETS, groupingAccuracy, readLabelled } from './support/loghub';

/** LOGHUB_DIR, else ../shared/datasets/loghub2k beside the checkout (a worktree sits one level deeper). */
const DIR = process.env.LOGHUB_DIR
  ? resolve(process.env.LOGHUB_DIR)
  : ([join(process.cwd(), '..', 'shared', 'datasets', 'loghub2k'), join(process.cwd(), '..', '..', 'shared', 'datasets', 'loghub2k')].find((d) => existsSync(d)) ??
    join(process.cwd(), '..', 'shared', 'datasets', 'loghub2k'));
const SETS = process.env.LOGHUB_SETS ? process.env.LOGHUB_SETS.split(',') : [...LOGHUB_SETS];
const REPEAT = Number(process.env.BENCH_CLUSTER_REPEAT ?? 63);
const RUNS = Number(process.env.BENCH_CLUSTER_RUNS ?? 3);

/** The baseline the data set's README names: digits → <*>, group by the masked line. */
function baseline(lines: string[]): string[] {
  return lines.map((l) => l.split(/\s+/).filter(Boolean).map((t) => (/\d/.test(t) ? '<*>' : t)).join(' '));
}

function ours(lines: string[]): string[] {
  const miner = new TemplateMiner();
  return lines.map((l) => miner.add(l).cluster.id);
}

const fmt = (n: number) => n.toFixed(3);
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

function accuracy(): string[] {
  if (!existsSync(join(DIR, SETS[0]!))) throw new Error(`LogHub-2k not found at ${DIR}; set LOGHUB_DIR to the folder holding ${SETS.join(', ')}`);
  const corrected = SETS.every((s) => existsSync(join(DIR, s, `${s}_2k.log_structured_corrected.csv`)));
  const truths = corrected ? [false, true] : [false];
  const rows: { set: string; values: number[] }[] = [];
  for (const set of SETS) {
    const values: number[] = [];
    for (const c of truths) {
      const data = readLabelled(DIR, set, c);
      const truth = data.map((d) => d.eventId);
      const content = data.map((d) => d.content);
      values.push(groupingAccuracy(truth, ours(content)), groupingAccuracy(truth, baseline(content)));
    }
    rows.push({ set, values });
  }
  const header = truths.flatMap((c) => [`ours ${c ? 'corr.' : 'orig.'}`, `baseline ${c ? 'corr.' : 'orig.'}`]);
  console.log(`\nGrouping accuracy (GA) on LogHub-2k (${DIR}), one configuration for every set`);
  console.log(`${'set'.padEnd(12)} ${header.map((h) => h.padStart(15)).join(' ')}`);
  for (const r of rows) console.log(`${r.set.padEnd(12)} ${r.values.map((v) => fmt(v).padStart(15)).join(' ')}`);
  const means = header.map((_, i) => mean(rows.map((r) => r.values[i]!)));
  const mins = header.map((_, i) => Math.min(...rows.map((r) => r.values[i]!)));
  console.log(`${'mean'.padEnd(12)} ${means.map((v) => fmt(v).padStart(15)).join(' ')}`);
  console.log(`${'worst set'.padEnd(12)} ${mins.map((v) => fmt(v).padStart(15)).join(' ')}`);
  const verdict = truths.map((c, i) => `${c ? 'corrected' : 'original'}: mean ${fmt(means[i * 2]!)} (target ≥ 0.90: ${means[i * 2]! >= 0.9 ? 'met' : 'MISSED'}), worst ${fmt(mins[i * 2]!)} (target ≥ 0.60: ${mins[i * 2]! >= 0.6 ? 'met' : 'MISSED'}), ours/baseline ${(means[i * 2]! / means[i * 2 + 1]!).toFixed(2)}`);
  for (const v of verdict) console.log(v);
  return SETS.flatMap((s) => readLabelled(DIR, s, false).map((d) => d.content.replace(/[\r\n]+/g, ' ')));
}

/** Runs the CLI as a whole process under /usr/bin/time: wall and CPU seconds. */
function timeCli(file: string, extra: string[]): { wall: number; cpu: number } {
  const cli = join(process.cwd(), 'bin', 'desktop-agent.js');
  const r = spawnSync('/usr/bin/time', ['-f', '%e %U %S', process.execPath, cli, 'clusters', 'analyze', file, '--json', ...extra], {
    encoding: 'utf8',
    maxBuffer: 1 << 30,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  if (r.status !== 0) throw new Error(`clusters analyze failed: ${r.stderr}`);
  const [wall, user, sys] = r.stderr.trim().split('\n').pop()!.split(' ').map(Number);
  return { wall: wall!, cpu: user! + sys! };
}

function throughput(messages: string[]): void {
  const dir = mkdtempSync(join(tmpdir(), 'da-bench-clusters-'));
  try {
    const file = join(dir, 'messages.txt');
    const block = messages.join('\n') + '\n';
    writeFileSync(file, block.repeat(REPEAT));
    const lines = messages.length * REPEAT;
    const empty = join(dir, 'empty.txt');
    writeFileSync(empty, '');
    console.log(`\n\`clusters analyze FILE --json\` as a whole process (node start included), ${lines.toLocaleString('en-US')} lines, best of ${RUNS}`);
    console.log(`${'scenario'.padEnd(44)} ${'wall s'.padStart(8)} ${'cpu s'.padStart(8)} ${'lines/s (wall)'.padStart(16)} ${'lines/s (cpu)'.padStart(15)}`);
    for (const [what, f, extra] of [
      ['rules + mining (what the app does)', file, []],
      ['mining only (--no-rules)', file, ['--no-rules']],
      ['empty file (process start alone)', empty, []],
    ] as const) {
      const best = Array.from({ length: RUNS }, () => timeCli(f, [...extra])).reduce((a, b) => (b.wall < a.wall ? b : a));
      const n = f === empty ? 0 : lines;
      console.log(
        `${what.padEnd(44)} ${best.wall.toFixed(2).padStart(8)} ${best.cpu.toFixed(2).padStart(8)} ${(n ? Math.round(n / best.wall).toLocaleString('en-US') : '—').padStart(16)} ${(n ? Math.round(n / best.cpu).toLocaleString('en-US') : '—').padStart(15)}`,
      );
    }
    console.log('Target: ≥ 200,000 lines/s on one core, process start included (the CLI is single-threaded; cpu s is its own user+sys time).');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

throughput(accuracy());
