import { stat } from 'node:fs/promises';
import type { Stats } from 'node:fs';
import { homedir } from 'node:os';
import { relative, resolve, sep } from 'node:path';
import type { WatchConfig } from '@shared/config';
import type { EventBus } from '../../kernel/event-bus';
import type { Clock, Logger, TimerHandle } from '../../kernel/ports';
import type { TriggerQueue } from '../ports';
import { fileHandOver, type HandOver } from './hand-over';
import { SettleQueue } from './settle-queue';
import { sameVersion, type FileSignature, type LedgerFileRow, type WatchLedger } from './watch-ledger';
import { listFiles } from './folder-listing';
import { compilePatterns, type PathMatcher } from './watch-patterns';
import { isWatchLimit, networkDriveReason, openWatchSource, type WatchSource } from './watch-source';

export type WatcherState = 'starting' | 'watching' | 'waiting_for_path' | 'error' | 'stopped';

export interface WatcherStatus {
  state: WatcherState;
  /** The folder watched (watch_path with ~ expanded, absolute). */
  root: string;
  /** Why the folder is polled instead of watched by OS events, if it is. */
  polling: string | null;
  /** What is wrong now (a missing folder, a full queue, a watch error), if anything. */
  problem: string | null;
  /** Files seen but not handed over yet (still changing, or waiting for room in the queue). */
  pending: number;
}

export interface FolderWatcherOptions {
  config: WatchConfig;
  clock: Clock;
  logger: Logger;
  bus: EventBus;
  queue: TriggerQueue;
  ledger: WatchLedger;
  /** How often a missing folder is looked for (and a watched one checked it is still there). */
  pathCheckMs?: number;
  /** How long a file waits before it is offered again to a full queue. */
  retryMs?: number;
}

const STAT_CONCURRENCY = 32;
const BATCH = 200;
/**
 * After this many events since the last look, the folder is listed once the events stop: the
 * OS's event queue (inotify: 16,384 by default) overflows in a big burst on a busy machine, and
 * Node does not report the overflow, so files would arrive without any event.
 */
const SWEEP_AFTER_EVENTS = 1000;
/** How long the events of a burst must have stopped before the folder is listed. */
const SWEEP_QUIET_MS = 1000;

export function resolveWatchRoot(watchPath: string): string {
  const expanded = watchPath === '~' || watchPath.startsWith('~/') || watchPath.startsWith('~\\') ? homedir() + watchPath.slice(1) : watchPath;
  return resolve(expanded);
}

const signatureOf = (s: Stats): FileSignature => ({ size: s.size, mtime_ms: s.mtimeMs, ino: String(s.ino) });

/**
 * One folder watcher (SPEC section 6). Every add or change of a matching file restarts the file's
 * wait (trailing-edge debounce, `debounce_ms` on the injected clock); when it is due the file is
 * stat'ed again and handed over only if it did not change meanwhile, so a half-written file is
 * never handed over. The ledger (size, mtime, inode per path) decides created / modified / moved /
 * already handled, and is written in the transaction that queues the run, so neither a restart nor
 * a crash loses or doubles a file. A folder that does not exist is looked for until it appears.
 */
export class FolderWatcher {
  readonly root: string;
  private readonly id: string;
  private readonly matches: PathMatcher;
  private readonly ignores: PathMatcher;
  private readonly settle: SettleQueue<FileSignature | null>;
  private readonly gone: SettleQueue<LedgerFileRow>;
  private readonly retry: SettleQueue<FileSignature>;
  /** One key ('burst'): due when the events of a big burst have stopped for a while. */
  private readonly burst: SettleQueue<true>;
  private eventsSinceSweep = 0;
  /** Gone files whose wait is over, until the chain decides them (a move handed over meanwhile claims its source). */
  private readonly leaving = new Map<string, LedgerFileRow>();
  /** Files whose wait is over, until their flush has looked at them. */
  private readonly inFlight = new Map<string, FileSignature | null>();
  private readonly handOver: HandOver;
  private source: WatchSource | undefined;
  private opening: Promise<void> | undefined;
  private checkTimer: TimerHandle | undefined;
  private chain: Promise<void> = Promise.resolve();
  private running = false;
  private scanning: { seen: Set<string>; baseline: Map<string, FileSignature> | undefined; first: boolean } | undefined;
  private watchLimitHit = false;
  private current: WatcherStatus;

  constructor(private readonly o: FolderWatcherOptions) {
    const c = o.config;
    this.id = c.id;
    this.root = resolveWatchRoot(c.watch_path);
    this.matches = compilePatterns(c.patterns);
    this.ignores = compilePatterns(c.ignore_patterns);
    this.settle = new SettleQueue(o.clock, c.debounce_ms, (due) => this.enqueueFlush(due));
    this.gone = new SettleQueue(o.clock, Math.max(c.debounce_ms, 1000), (due) => this.enqueueGone(due));
    this.retry = new SettleQueue(o.clock, o.retryMs ?? 5000, (due) => this.enqueueFlush(due));
    this.burst = new SettleQueue(o.clock, SWEEP_QUIET_MS, () => void this.sweep());
    this.handOver = fileHandOver({
      config: c,
      clock: o.clock,
      queue: o.queue,
      ledger: o.ledger,
      logger: o.logger,
      bus: o.bus,
      root: this.root,
      takeGone: (sig) => this.takeGone(sig),
      returnGone: (row) => this.gone.touch(row.path, row),
    });
    this.current = { state: 'stopped', root: this.root, polling: null, problem: null, pending: 0 };
  }

  get config(): WatchConfig {
    return this.o.config;
  }

  status(): WatcherStatus {
    return { ...this.current, pending: this.settle.size + this.retry.size };
  }

  /** The signature a file waits with (tests wait for the watcher to have seen a write). */
  pendingVersion(path: string): FileSignature | null | undefined {
    return this.settle.get(path) ?? this.retry.get(path);
  }

  /** Is this handled file waiting to be declared deleted (or found again at a new path)? */
  isGone(path: string): boolean {
    return this.gone.get(path) !== undefined;
  }

  start(): void {
    this.running = true;
    this.setState('starting', null);
    this.check();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.checkTimer?.cancel();
    this.settle.clear();
    this.gone.clear();
    this.retry.clear();
    this.burst.clear();
    await this.opening;
    await this.closeSource();
    await this.chain;
    this.setState('stopped', null);
  }

  /** Is the folder there? Opens the watch when it appears, closes it when it goes; looks again later. */
  private check(): void {
    if (!this.running) return;
    void stat(this.root).then(
      (s) => {
        if (!this.running) return;
        if (!s.isDirectory()) {
          void this.closeSource();
          this.setState('error', `watch_path ${this.root} is not a folder`);
        } else if (!this.source && !this.opening) {
          this.opening = this.open().finally(() => (this.opening = undefined));
        }
      },
      (e: NodeJS.ErrnoException) => {
        if (!this.running) return;
        void this.closeSource();
        const why = e.code === 'ENOENT' ? 'does not exist' : `cannot be read (${e.code ?? e.message})`;
        this.setState('waiting_for_path', `watch_path ${this.root} ${why}; watching for it to appear`);
      },
    );
    this.checkTimer = this.o.clock.setTimer(this.o.pathCheckMs ?? 5000, () => this.check());
  }

  private async open(): Promise<void> {
    const c = this.o.config;
    const polling =
      c.polling === 'always' ? 'polling: always' : c.polling === 'never' ? undefined : ((await networkDriveReason(this.root)) ?? (this.watchLimitHit ? 'the OS ran out of file watches' : undefined));
    const fingerprint = JSON.stringify([this.root, c.recursive, c.patterns, c.ignore_patterns]);
    const first = this.o.ledger.fingerprint(this.id) !== fingerprint;
    this.scanning = { seen: new Set(), baseline: first && !c.process_existing ? new Map() : undefined, first };
    const source = await openWatchSource(
      { root: this.root, recursive: c.recursive, polling: polling !== undefined, pollIntervalMs: c.poll_interval_ms, ignored: (p) => this.ignores(this.relative(p)) },
      {
        add: (p, s) => this.seen(p, s, true),
        change: (p, s) => this.seen(p, s, false),
        unlink: (p) => this.unlinked(p),
        ready: () => this.ready(fingerprint),
        error: (e) => this.failed(e),
      },
    );
    if (!this.running) return void (await source.close());
    this.source = source;
    this.current.polling = polling ?? null;
  }

  private async closeSource(): Promise<void> {
    const s = this.source;
    this.source = undefined;
    this.scanning = undefined;
    await s?.close();
  }

  private relative(path: string): string {
    return relative(this.root, path).split(sep).join('/');
  }

  private wanted(path: string): boolean {
    const rel = this.relative(path);
    return rel !== '' && !rel.startsWith('..') && this.matches(rel) && !this.ignores(rel);
  }

  private seen(path: string, stats: Stats | undefined, added: boolean): void {
    if (!this.wanted(path)) return;
    const scan = this.scanning;
    if (added && scan) {
      scan.seen.add(path);
      if (scan.baseline && stats) return void scan.baseline.set(path, signatureOf(stats));
    }
    this.retry.remove(path);
    this.settle.touch(path, stats ? signatureOf(stats) : null);
    // The first scan lists the folder itself (no OS events to lose): listing it again after is waste.
    if (!scan) this.counted();
  }

  private counted(): void {
    if (++this.eventsSinceSweep >= SWEEP_AFTER_EVENTS) this.burst.touch('burst', true);
  }

  /**
   * Lists the folder after a big burst and offers every file the events did not bring and the
   * ledger does not hold in this version (the usual wait and checks apply, so nothing is doubled).
   */
  private async sweep(): Promise<void> {
    this.eventsSinceSweep = 0;
    if (!this.running || !this.source || this.scanning) return;
    const paths = (await listFiles(this.root, this.o.config.recursive, (p) => this.ignores(this.relative(p)))).filter((p) => this.wanted(p));
    let found = 0;
    for (let i = 0; i < paths.length && this.running; i += STAT_CONCURRENCY) {
      const part = paths.slice(i, i + STAT_CONCURRENCY);
      const stats = await Promise.all(part.map((p) => stat(p).catch(() => undefined)));
      part.forEach((path, k) => {
        const s = stats[k];
        if (!s?.isFile() || !this.running) return;
        if (this.settle.get(path) !== undefined || this.retry.get(path) !== undefined || this.inFlight.has(path)) return;
        const sig = signatureOf(s);
        const row = this.o.ledger.file(this.id, path);
        if (row && sameVersion(row, sig)) return;
        this.settle.touch(path, sig);
        found++;
      });
    }
    if (found) this.o.logger.warn(`Watcher '${this.id}' found ${found} file(s) no event reported (the OS dropped events in a burst); handing them over`, { watcherId: this.id, found });
  }

  private unlinked(path: string): void {
    if (!this.wanted(path)) return;
    this.settle.remove(path);
    this.retry.remove(path);
    const row = this.o.ledger.file(this.id, path);
    if (row) this.gone.touch(path, row);
    this.counted();
  }

  /** The first scan is done: take the baseline, or treat ledger files no longer there as gone. */
  private ready(fingerprint: string): void {
    const scan = this.scanning;
    this.scanning = undefined;
    if (!scan || !this.running) return;
    const now = this.o.clock.now();
    const ledger = this.o.ledger;
    ledger.db.transaction(() => {
      for (const [path, sig] of scan.baseline ?? []) {
        if (!ledger.file(this.id, path)) ledger.put({ watcher_id: this.id, path, ...sig, status: 'baseline', event: null, run_id: null, error: null, handled_at: now });
      }
      for (const row of ledger.files(this.id)) {
        if (scan.seen.has(row.path)) continue;
        // Another folder or other patterns before: forget silently. Same watch: it went while we were away.
        if (scan.first) ledger.remove(this.id, row.path);
        else this.gone.touch(row.path, row);
      }
      if (scan.first) ledger.saveFingerprint(this.id, fingerprint, now);
    })();
    this.setState('watching', null);
    this.o.logger.info(`Watcher '${this.id}' is watching ${this.root}`, { watcherId: this.id, polling: this.current.polling, baseline: scan.baseline?.size ?? 0 });
  }

  private failed(e: Error): void {
    this.o.logger.error(`Watcher '${this.id}': ${e.message}`, { watcherId: this.id });
    if (isWatchLimit(e) && this.o.config.polling === 'auto' && !this.watchLimitHit) {
      this.watchLimitHit = true;
      void this.closeSource().then(() => this.check());
      return;
    }
    this.current.problem = e.message;
  }

  private enqueueFlush(due: { key: string; value: FileSignature | null }[]): void {
    for (const d of due) this.inFlight.set(d.key, d.value);
    this.chain = this.chain
      .then(() => this.flush(due))
      .finally(() => {
        for (const d of due) if (this.inFlight.get(d.key) === d.value) this.inFlight.delete(d.key);
      })
      .catch((e: Error) => this.o.logger.error(`Watcher '${this.id}' could not hand files over`, { watcherId: this.id, error: e }));
  }

  /** Files whose wait is over: unchanged since the last look → handed over (in batches); changed → wait again. */
  private async flush(due: { key: string; value: FileSignature | null }[]): Promise<void> {
    const settled: { path: string; sig: FileSignature }[] = [];
    for (let i = 0; i < due.length && this.running; i += STAT_CONCURRENCY) {
      const part = due.slice(i, i + STAT_CONCURRENCY);
      const stats = await Promise.all(part.map((d) => stat(d.key).catch(() => undefined)));
      part.forEach((d, k) => {
        const s = stats[k];
        if (!s?.isFile() || !this.running || this.settle.get(d.key) !== undefined) return;
        const sig = signatureOf(s);
        if (d.value && sameVersion(d.value, sig)) settled.push({ path: d.key, sig });
        else this.settle.touch(d.key, sig);
      });
    }
    for (let i = 0; i < settled.length && this.running; i += BATCH) {
      const full = this.handOver.files(settled.slice(i, i + BATCH));
      for (const f of full) this.retry.touch(f.path, f.sig);
      this.current.problem = full.length ? `the queue '${this.o.config.queue}' is full or not accepting runs; ${this.retry.size} file(s) wait and are offered again` : null;
      await new Promise<void>((r) => setImmediate(r));
    }
  }

  private takeGone(sig: FileSignature): LedgerFileRow | undefined {
    for (const [path, row] of this.leaving) {
      if (sameVersion(row, sig)) return this.leaving.delete(path) ? row : undefined;
    }
    if (!this.gone.size) return undefined;
    for (const e of this.gone.values()) {
      if (!sameVersion(e.value, sig)) continue;
      this.gone.remove(e.value.path);
      return e.value;
    }
    return undefined;
  }

  private enqueueGone(due: { key: string; value: LedgerFileRow }[]): void {
    for (const d of due) this.leaving.set(d.key, d.value);
    this.chain = this.chain.then(async () => {
      // What a move claimed meanwhile is no longer leaving.
      due = due.filter((d) => this.leaving.delete(d.key));
      // A folder that vanished (an unmounted drive) did not delete its files.
      const there = await stat(this.root).then(() => true, () => false);
      if (!there || !this.running) return;
      // A file of the same inode still settling (or being flushed) is this one moved: wait for it.
      const arriving = new Set<string>();
      for (const e of this.settle.values()) if (e.value) arriving.add(e.value.ino);
      for (const v of this.inFlight.values()) if (v) arriving.add(v.ino);
      const deleted: LedgerFileRow[] = [];
      for (const d of due) {
        if (arriving.has(d.value.ino)) this.gone.touch(d.key, d.value);
        else deleted.push(d.value);
      }
      this.handOver.deleted(deleted);
    });
  }

  private setState(state: WatcherState, problem: string | null): void {
    const changed = state !== this.current.state || problem !== this.current.problem;
    this.current.state = state;
    this.current.problem = problem;
    if (changed) this.o.bus.publish('watcher.changed', { watcherId: this.id, state, problem });
    if (changed && problem) this.o.logger.warn(`Watcher '${this.id}': ${problem}`, { watcherId: this.id });
  }
}
