// Sampled allocation between two benchmark marks, collected objects included: where the bytes
// a scenario allocates come from (garbage collection is a large share of a short run's cost).
//
//   BENCH_MARKS=1 BENCH_ONLY=ours BENCH_SCENARIOS=process BENCH_CONCURRENCY=8 \
//     ALLOC_FROM="process-8 start" ALLOC_TO="process-8 end" ALLOC_RUNS=10000 \
//     node --import ./bench/scripts/alloc-profile.mjs dist/bench/queue.js
//
// Prints the allocation sites with the most bytes (self, and per run with ALLOC_RUNS) to stderr.
import { Session } from 'node:inspector';

const from = process.env.ALLOC_FROM;
const to = process.env.ALLOC_TO;
const runs = Number(process.env.ALLOC_RUNS ?? 0);
const top = Number(process.env.ALLOC_TOP ?? 30);
const session = new Session();
session.connect();
const post = (method, params = {}) => {
  let out;
  let error;
  // The main thread's own session answers synchronously.
  session.post(method, params, (e, r) => ((error = e), (out = r)));
  if (error) throw error;
  return out;
};

function summarise(profile) {
  const bySite = new Map();
  let total = 0;
  const name = (f) => `${f.functionName || '(anonymous)'} ${f.url.replace(/^.*\/(dist|node_modules)\//, '$1/')}:${f.lineNumber + 1}`;
  const walk = (node, parent) => {
    const self = node.selfSize;
    if (self) {
      const f = node.callFrame;
      // A built-in (Map, Set, join: no script) is named with the function that called it.
      const key = f.url || !parent ? name(f) : `${f.functionName || '(anonymous)'} <- ${name(parent.callFrame)}`;
      bySite.set(key, (bySite.get(key) ?? 0) + self);
      total += self;
    }
    for (const c of node.children) walk(c, node);
  };
  walk(profile.head, undefined);
  const kib = (b) => (b / 1024).toFixed(1);
  const lines = [`sampled allocation between '${from}' and '${to}': ${kib(total)} KiB${runs ? `, ${kib(total / runs)} KiB per run` : ''}`];
  for (const [k, v] of [...bySite].sort((a, b) => b[1] - a[1]).slice(0, top)) {
    lines.push(`${((v / total) * 100).toFixed(1).padStart(5)} %  ${runs ? `${(v / runs).toFixed(0).padStart(6)} B/run  ` : ''}${k}`);
  }
  return lines.join('\n');
}

const original = console.error.bind(console);
console.error = (...args) => {
  const line = String(args[0] ?? '');
  if (line === `mark ${from}` || line.startsWith(`mark ${from} `)) {
    post('HeapProfiler.enable');
    post('HeapProfiler.startSampling', { samplingInterval: 4096, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: true });
  } else if (line === `mark ${to}` || line.startsWith(`mark ${to} `)) {
    const { profile } = post('HeapProfiler.stopSampling');
    original(summarise(profile));
  }
  original(...args);
};
