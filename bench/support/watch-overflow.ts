import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

/**
 * The folder watcher when the OS really drops events (issue 15): the kernel's inotify queue is
 * made small (fs.inotify.max_queued_events, system-wide, so only while the watching process
 * creates its inotify instance: the size is fixed then), the watching process blocks its event
 * loop while a writer process creates the files, and then it counts what each side got. Ours
 * (the folder watcher of a core) and the peer (bare chokidar) watch the same folder in the same
 * process, so they get the very same OS events; ours also lists the folder after a burst.
 */
export const INOTIFY_QUEUE_KNOB = '/proc/sys/fs/inotify/max_queued_events';

export interface OverflowResult {
  /** The queue size the watching process's inotify instance got. */
  queue: number;
  files: number;
  /** Files bare chokidar reported (`add`). */
  peerSaw: number;
  /** Files of ours queued as runs (distinct), and how many runs in all. */
  oursQueued: number;
  oursRuns: number;
  /** Files ours found by listing the folder after the burst (its warning's count). */
  oursSwept: number;
  /** How long the watching process's loop was blocked in all (150 ms of every 200 ms while the files were written, and 2 s after). */
  blockedMs: number;
  /** From the end of the busy time until ours had every file queued (or gave up). */
  recoverMs: number;
}

export interface OverflowOptions {
  /** node + the bench script: the child is started as `<script> overflow-child <dir>`. */
  script: string;
  dir: string;
  files: number;
  queue: number;
  writer: string;
}

/** Lines from a child's stdout, one at a time. */
function lines(child: ChildProcess): () => Promise<string> {
  const rl = createInterface({ input: child.stdout! });
  const queued: string[] = [];
  const waiting: ((l: string) => void)[] = [];
  rl.on('line', (l) => (waiting.length ? waiting.shift()!(l) : queued.push(l)));
  child.on('exit', (code) => {
    for (const w of waiting.splice(0)) w(`exit ${code}`);
  });
  return () => (queued.length ? Promise.resolve(queued.shift()!) : new Promise((r) => waiting.push(r)));
}

async function expectLine(next: () => Promise<string>, prefix: string): Promise<string> {
  const l = await next();
  if (!l.startsWith(prefix)) throw new Error(`expected '${prefix}…' from the child, got '${l}'`);
  return l;
}

/** Sets the knob for the child's start only, and always puts it back (also on SIGINT/SIGTERM). */
export async function runOverflowScenario(o: OverflowOptions): Promise<OverflowResult | { readOnly: string }> {
  const original = readFileSync(INOTIFY_QUEUE_KNOB, 'utf8').trim();
  try {
    writeFileSync(INOTIFY_QUEUE_KNOB, String(o.queue));
  } catch (e) {
    return { readOnly: `${INOTIFY_QUEUE_KNOB} cannot be written (${(e as Error).message})` };
  }
  let restored = false;
  const restore = () => {
    if (restored) return;
    restored = true;
    writeFileSync(INOTIFY_QUEUE_KNOB, original);
  };
  const onSignal = (signal: NodeJS.Signals) => {
    restore();
    process.exit(signal === 'SIGINT' ? 130 : 143);
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const folder = join(o.dir, 'overflow');
  mkdirSync(folder, { recursive: true });
  const child = spawn(process.execPath, [o.script, 'overflow-child', o.dir, String(o.files)], { stdio: ['pipe', 'pipe', 'inherit'] });
  const writer = spawn(process.execPath, [o.writer], { stdio: ['pipe', 'pipe', 'inherit'] });
  try {
    const next = lines(child);
    const queue = Number((await expectLine(next, 'watching ')).split(' ')[1]);
    // The child's inotify instance exists (both watches are open): everyone else gets the default again.
    restore();
    child.stdin!.write('block\n');
    await expectLine(next, 'blocking');
    const written = lines(writer);
    writer.stdin!.write(`${JSON.stringify({ op: 'burst', dir: folder, count: o.files, prefix: 'o' })}\n`);
    await expectLine(written, `done ${o.files}`);
    writeFileSync(join(o.dir, 'writer-done'), '');
    const result = JSON.parse((await expectLine(next, '{')).trim()) as Omit<OverflowResult, 'queue'>;
    return { queue, ...result };
  } finally {
    restore();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    child.kill();
    writer.kill();
  }
}

export interface OverflowChildPorts {
  /** Starts a core on `dataDir`, its log lines going to `log` too. */
  startCore(dataDir: string, log: (line: string) => void): Promise<{
    watch(folder: string, onQueued: (file: string) => void): Promise<void>;
    stop(): Promise<void>;
  }>;
}

/** The watching process: both watchers up → 'watching <queue>'; on 'block' blocks its loop until the writer is done; then counts. */
export async function overflowChild(dir: string, files: number, ports: OverflowChildPorts): Promise<void> {
  const folder = join(dir, 'overflow');
  const queued = new Set<string>();
  let runs = 0;
  let swept = 0;
  const core = await ports.startCore(join(dir, 'data'), (line) => {
    const entry = JSON.parse(line) as { msg?: string; message?: string; found?: number; data?: { found?: number } };
    const found = entry.found ?? entry.data?.found;
    if (typeof found === 'number') swept += found;
  });
  const { watch } = await import('chokidar');
  const peer = new Set<string>();
  const w = watch(folder, { ignoreInitial: true, depth: 0 });
  w.on('add', (p) => peer.add(p));
  await new Promise<void>((r) => w.once('ready', () => r()));
  await core.watch(folder, (file) => {
    runs++;
    queued.add(file);
  });
  const queue = Number(readFileSync(INOTIFY_QUEUE_KNOB, 'utf8').trim());
  process.stdout.write(`watching ${queue}\n`);
  const commands = createInterface({ input: process.stdin });
  await new Promise<void>((r) => commands.once('line', () => r()));
  process.stdout.write('blocking\n');
  // Busy as a loaded machine makes it (as in bench/scripts/watch-loss-probe.mjs): the loop is
  // blocked 150 ms of every 200 ms while the writer writes, and for 2 s after.
  const blockStart = performance.now();
  let blockedMs = 0;
  const sleeper = new Int32Array(new SharedArrayBuffer(4));
  let writerDoneAt: number | undefined;
  await new Promise<void>((done) => {
    const tick = setInterval(() => {
      const from = performance.now();
      while (performance.now() - from < 150) Atomics.wait(sleeper, 0, 0, 5);
      blockedMs += performance.now() - from;
      writerDoneAt ??= existsSync(join(dir, 'writer-done')) ? performance.now() : undefined;
      if ((writerDoneAt !== undefined && performance.now() - writerDoneAt > 2000) || performance.now() - blockStart > 120_000) {
        clearInterval(tick);
        done();
      }
    }, 50);
  });
  const t0 = performance.now();
  // Ours has every file queued, or nothing new arrived for 10 s.
  let last = -1;
  let lastChange = performance.now();
  while (queued.size < files && performance.now() - lastChange < 10_000) {
    await new Promise((r) => setTimeout(r, 50));
    if (queued.size + peer.size !== last) {
      last = queued.size + peer.size;
      lastChange = performance.now();
    }
  }
  const recoverMs = performance.now() - t0;
  // The peer's last events are in long before ours is done (ours waits a debounce and a quiet second).
  await w.close();
  await core.stop();
  process.stdout.write(`${JSON.stringify({ files, peerSaw: peer.size, oursQueued: queued.size, oursRuns: runs, oursSwept: swept, blockedMs, recoverMs })}\n`);
}
