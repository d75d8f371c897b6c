// Summarises a V8 CPU profile (`node --cpu-prof`): the functions with the most self time and the
// most inclusive time, optionally only between two marks of a benchmark run with BENCH_MARKS=1.
//
//   BENCH_MARKS=1 BENCH_ONLY=ours node --cpu-prof --cpu-prof-dir=prof dist/bench/queue.js 2> marks.txt
//   node bench/scripts/profile-summary.mjs prof/CPU.*.cpuprofile --marks marks.txt --from "process-8 start" --to "process-8 end"
//
// --groups a,b,c adds a table that gives each sample to the innermost frame on its stack named
// a, b or c (self time included), "(other)" when none is: where a run's time goes by part.
import { readFileSync } from 'node:fs';

const args = process.argv.slice(2);
const opt = (name) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const file = args[0];
if (!file) {
  console.error('usage: profile-summary.mjs FILE.cpuprofile [--marks FILE --from MARK --to MARK] [--top N] [--groups NAME,NAME,...]');
  process.exit(2);
}
const top = Number(opt('--top') ?? 30);
const marks = new Map();
if (opt('--marks')) {
  for (const line of readFileSync(opt('--marks'), 'utf8').split('\n')) {
    const m = /^mark (.+) (\d+)$/.exec(line);
    if (m) marks.set(m[1], Number(m[2]));
  }
}
const at = (name) => {
  if (name === undefined) return undefined;
  if (!marks.has(name)) throw new Error(`no mark '${name}' (marks: ${[...marks.keys()].join(', ')})`);
  return marks.get(name);
};
const from = at(opt('--from')) ?? -Infinity;
const to = at(opt('--to')) ?? Infinity;

const p = JSON.parse(readFileSync(file, 'utf8'));
const byId = new Map(p.nodes.map((n) => [n.id, n]));
const parent = new Map();
for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
const self = new Map();
let t = p.startTime;
for (let i = 0; i < p.samples.length; i++) {
  t += p.timeDeltas[i];
  const d = p.timeDeltas[i + 1] ?? 0;
  if (t < from || t > to) continue;
  self.set(p.samples[i], (self.get(p.samples[i]) ?? 0) + d);
}
let total = 0;
for (const v of self.values()) total += v;
const key = (n) => `${n.callFrame.functionName || '(anonymous)'} ${n.callFrame.url.replace(/^.*\/(dist|node_modules)\//, '$1/')}:${n.callFrame.lineNumber + 1}`;
const selfBy = new Map();
const inclBy = new Map();
for (const [id, v] of self) {
  const k = key(byId.get(id));
  selfBy.set(k, (selfBy.get(k) ?? 0) + v);
  const seen = new Set();
  for (let cur = id; cur !== undefined; cur = parent.get(cur)) {
    const ck = key(byId.get(cur));
    if (seen.has(ck)) continue;
    seen.add(ck);
    inclBy.set(ck, (inclBy.get(ck) ?? 0) + v);
  }
}
const pct = (v) => `${((v / total) * 100).toFixed(1).padStart(5)} %`;
console.log(`${(total / 1000).toFixed(0)} ms sampled${Number.isFinite(from) ? ` between '${opt('--from')}' and '${opt('--to')}'` : ''}`);
console.log('\nself time');
for (const [k, v] of [...selfBy].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`${pct(v)}  ${k}`);
console.log('\ninclusive time');
for (const [k, v] of [...inclBy].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`${pct(v)}  ${k}`);

const groups = opt('--groups')?.split(',').filter(Boolean);
if (groups) {
  const wanted = new Set(groups);
  const byGroup = new Map();
  for (const [id, v] of self) {
    let g = '(other)';
    for (let cur = id; cur !== undefined; cur = parent.get(cur)) {
      const name = byId.get(cur).callFrame.functionName || '(anonymous)';
      if (wanted.has(name)) {
        g = name;
        break;
      }
    }
    byGroup.set(g, (byGroup.get(g) ?? 0) + v);
  }
  console.log('\nby part (innermost of --groups on the stack)');
  for (const [k, v] of [...byGroup].sort((a, b) => b[1] - a[1])) console.log(`${pct(v)}  ${k}`);
}
