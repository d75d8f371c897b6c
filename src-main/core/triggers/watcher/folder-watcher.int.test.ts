import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterEach, describe, expect, it } from 'vitest';
import type { WatcherEventView, WatcherView } from '@shared/contract/watchers';
import { waitFor } from '../../../../test-support/event-stream';
import { REPO_ROOT, asUser, tempCore, type TempCore } from '../../../../test-support/temp-core';

/**
 * Folder watchers on a real core (real SQLite, real queue, real chokidar on a temp folder), the
 * debounce on a FakeClock; files are written by another process (issue 15, "Must show").
 */

const admin = asUser('Admin');
const TEMPLATE = 'dsl_version: "1.1"\nname: ingest\nvariables:\n  trigger_file: null\nsteps:\n  - log: { message: "got {{trigger_file}}" }\n';

interface Writer {
  send(cmd: Record<string, unknown>): Promise<string>;
  close(): void;
}

function writer(): Writer {
  const child: ChildProcessWithoutNullStreams = spawn(process.execPath, [join(REPO_ROOT, 'test-support', 'file-writer.mjs')]);
  const lines = createInterface({ input: child.stdout });
  const waiting: ((line: string) => void)[] = [];
  lines.on('line', (l) => waiting.shift()?.(l));
  return {
    send: (cmd) =>
      new Promise((resolve) => {
        waiting.push(resolve);
        child.stdin.write(`${JSON.stringify(cmd)}\n`);
      }),
    close: () => child.kill(),
  };
}

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** A data dir whose default queue holds 10,000 waiting runs, and a folder to watch. */
function dirs(): { data: string; inbox: string } {
  const root = mkdtempSync(join(tmpdir(), 'da-watch-'));
  const data = join(root, 'data');
  const inbox = join(root, 'inbox');
  mkdirSync(join(data, 'configs'), { recursive: true });
  mkdirSync(inbox);
  const orchestrator = readFileSync(join(REPO_ROOT, 'configs', 'orchestrator.yaml'), 'utf8')
    .replace('max_queued: 1000', 'max_queued: 10000')
    .replace('  background:\n', '  tiny:\n    max_queued: 2\n  background:\n');
  writeFileSync(join(data, 'configs', 'orchestrator.yaml'), orchestrator);
  cleanups.push(() => rmSync(root, { recursive: true, force: true }));
  return { data, inbox };
}

async function start(data: string): Promise<TempCore> {
  const c = await tempCore({ dir: data, fakeClock: true });
  cleanups.push(() => c.stop());
  return c;
}

const invoke = <T>(c: TempCore, name: string, input: unknown) => c.core.invoke<T>(name as never, input, admin);

async function watching(c: TempCore, id: string): Promise<void> {
  await waitFor(() => c.core.watchers.watcher(id)?.status().state === 'watching', 10_000, `watcher ${id} to watch`);
}

interface RunRow {
  id: string;
  variables_json: string;
  trigger: string;
  trigger_json: string;
}
const runsOf = (c: TempCore, id: string): RunRow[] => c.core.db.prepare('select id, variables_json, trigger, trigger_json from runs where trigger = ? order by created_at, id').all(`watcher:${id}`) as RunRow[];

/**
 * Moves the clock on by `stepMs` until `done` holds: chokidar's events are real-time, so on a busy
 * machine one may land after an advance and restart a file's wait; the next advance covers it.
 */
async function advanceUntil(c: TempCore, stepMs: number, done: () => boolean, what: string, ms = 10_000): Promise<void> {
  for (let i = 0; i < 30 && !done(); i++) {
    await c.clock!.advanceAsync(stepMs);
    await waitFor(done, 1000, what).catch(() => undefined);
  }
  await waitFor(done, ms, what);
}

async function withWatcher(c: TempCore, inbox: string, fields: Record<string, unknown> = {}): Promise<WatcherView> {
  await invoke(c, 'templates.save', { name: 'ingest', yaml: TEMPLATE });
  await invoke(c, 'queues.pause', { name: 'default' });
  const w = await invoke<WatcherView>(c, 'watchers.create', { id: 'inbox', name: '受信箱', watch_path: inbox, template: 'ingest', patterns: ['*.pdf', '*.txt'], debounce_ms: 2000, ...fields });
  await watching(c, 'inbox');
  return w;
}

describe('folder watcher', () => {
  it('hands a file written slowly in chunks by another process over once, only after it stopped changing for debounce_ms', async () => {
    const { data, inbox } = dirs();
    const c = await start(data);
    await withWatcher(c, inbox);
    const w = writer();
    cleanups.push(() => w.close());
    const file = join(inbox, 'invoice.pdf');
    const watcher = c.core.watchers.watcher('inbox')!;
    await w.send({ op: 'append', path: file, bytes: 64 * 1024 });
    await waitFor(() => watcher.pendingVersion(file) !== undefined, 10_000, 'the file to be seen');
    for (let i = 2; i <= 6; i++) {
      // Each chunk comes 1.5 s after the one before, less than debounce_ms: nothing is handed over.
      // (chokidar drops a change that follows another within 50 ms; the watcher's own stat when the
      // wait is over sees the new size anyway and waits again.)
      await c.clock!.advanceAsync(1500);
      expect(runsOf(c, 'inbox')).toHaveLength(0);
      await w.send({ op: 'append', path: file, bytes: 64 * 1024 });
    }
    for (let i = 0; i < 3 && runsOf(c, 'inbox').length === 0; i++) {
      await c.clock!.advanceAsync(2000);
      await waitFor(() => runsOf(c, 'inbox').length === 1 || watcher.status().pending === 1, 10_000, 'the run or another wait');
    }
    await waitFor(() => runsOf(c, 'inbox').length === 1, 10_000, 'the run');
    await c.clock!.advanceAsync(10_000);
    const runs = runsOf(c, 'inbox');
    expect(runs).toHaveLength(1);
    expect(JSON.parse(runs[0]!.variables_json)).toMatchObject({ trigger_file: file, trigger_event: 'created', trigger_filename: 'invoice.pdf', trigger_dirname: inbox });
    expect(JSON.parse(runs[0]!.trigger_json)).toMatchObject({ type: 'watcher', watcher_id: 'inbox', size: 6 * 64 * 1024 });
    const events = await invoke<{ items: WatcherEventView[] }>(c, 'watchers.events', { id: 'inbox' });
    expect(events.items).toEqual([expect.objectContaining({ event: 'created', path: file, outcome: 'queued', run_id: runs[0]!.id })]);
  });

  it('takes files already there as the baseline; files that arrive, change, move or go while it is stopped are handled on start, once', async () => {
    const { data, inbox } = dirs();
    writeFileSync(join(inbox, 'old.pdf'), 'before the watcher');
    let c = await start(data);
    await withWatcher(c, inbox, { events: ['created', 'modified', 'deleted', 'moved'] });
    writeFileSync(join(inbox, 'keep.pdf'), 'v1');
    writeFileSync(join(inbox, 'move-me.pdf'), 'moving');
    writeFileSync(join(inbox, 'delete-me.pdf'), 'going');
    writeFileSync(join(inbox, 'notes.doc'), 'not a pattern');
    await waitFor(() => c.core.watchers.watcher('inbox')!.status().pending === 3, 10_000, 'three files seen');
    await advanceUntil(c, 2000, () => runsOf(c, 'inbox').length >= 3, 'three runs');
    await c.stop();

    // While stopped: a new file, a changed one, a moved one, a deleted one.
    writeFileSync(join(inbox, 'new.pdf'), 'arrived while closed');
    writeFileSync(join(inbox, 'keep.pdf'), 'v2, longer');
    renameSync(join(inbox, 'move-me.pdf'), join(inbox, 'moved.pdf'));
    unlinkSync(join(inbox, 'delete-me.pdf'));

    c = await start(data);
    await watching(c, 'inbox');
    await waitFor(() => c.core.watchers.watcher('inbox')!.status().pending >= 4, 10_000, 'the files to be seen again');
    await advanceUntil(c, 2000, () => runsOf(c, 'inbox').length >= 7 && c.core.watchers.watcher('inbox')!.status().pending === 0, 'four more runs');
    const byEvent = runsOf(c, 'inbox')
      .map((r) => JSON.parse(r.variables_json) as { trigger_event: string; trigger_filename: string })
      .map((v) => `${v.trigger_event} ${v.trigger_filename}`)
      .sort();
    expect(byEvent).toEqual(['created delete-me.pdf', 'created keep.pdf', 'created move-me.pdf', 'created new.pdf', 'deleted delete-me.pdf', 'modified keep.pdf', 'moved moved.pdf']);
    // old.pdf was there before the watcher; nothing is handed over twice after another restart.
    await c.stop();
    c = await start(data);
    await watching(c, 'inbox');
    await waitFor(() => c.core.watchers.watcher('inbox')!.status().pending === 4, 10_000, 'the rescan');
    await advanceUntil(c, 2000, () => c.core.watchers.watcher('inbox')!.status().pending === 0, 'the rescan to settle');
    expect(runsOf(c, 'inbox')).toHaveLength(7);
  });

  it('5,000 files dropped at once by another process make 5,000 runs, none twice, none lost, across a restart in the middle', async () => {
    const { data, inbox } = dirs();
    let c = await start(data);
    await withWatcher(c, inbox, { debounce_ms: 60_000 });
    const w = writer();
    cleanups.push(() => w.close());
    expect(await w.send({ op: 'burst', dir: inbox, count: 5000, prefix: 'f' })).toBe('done 5000');
    // On a busy machine the OS drops events of a burst this size (its queue overflows, unreported):
    // once the events stop for a second on the clock, the watcher lists the folder and finds the
    // files no event brought. The clock moves in 1 s steps, far short of the 60 s debounce.
    await advanceUntil(c, 1000, () => c.core.watchers.watcher('inbox')!.status().pending === 5000, 'all 5,000 files seen', 240_000);
    await c.clock!.advanceAsync(60_000);
    // Stop as soon as the first batch is queued: the rest is handed over after the restart.
    await waitFor(() => runsOf(c, 'inbox').length > 0, 120_000, 'the first runs');
    await c.stop();

    c = await start(data);
    await watching(c, 'inbox');
    const before = runsOf(c, 'inbox').length;
    expect(before).toBeGreaterThan(0);
    expect(before).toBeLessThan(5000);
    await waitFor(() => c.core.watchers.watcher('inbox')!.status().pending === 5000, 240_000, 'the folder scanned again');
    await advanceUntil(c, 60_000, () => runsOf(c, 'inbox').length >= 5000 && c.core.watchers.watcher('inbox')!.status().pending === 0, '5,000 runs', 240_000);
    const files = runsOf(c, 'inbox').map((r) => (JSON.parse(r.variables_json) as { trigger_file: string }).trigger_file);
    expect(files).toHaveLength(5000);
    expect(new Set(files).size).toBe(5000);
    // chokidar stats and watches each of the 5,000 files: minutes on a machine whose cores are busy.
  }, 600_000);

  it('while running: a renamed file is moved, a changed one modified, a removed one deleted', async () => {
    const { data, inbox } = dirs();
    const c = await start(data);
    await withWatcher(c, inbox, { events: ['created', 'modified', 'deleted', 'moved'], debounce_ms: 300 });
    const watcher = c.core.watchers.watcher('inbox')!;
    // Each change is made, the watcher is seen to have noticed it (its events are real-time), then the debounce passes on the clock.
    const step = async (n: number, what: string, act: () => void, noticed: () => boolean) => {
      act();
      await waitFor(noticed, 10_000, `the watcher to notice: ${what}`);
      await advanceUntil(c, 1000, () => runsOf(c, 'inbox').length >= n, what);
      expect(runsOf(c, 'inbox'), what).toHaveLength(n);
    };
    const a = join(inbox, 'a.pdf');
    const b = join(inbox, 'b.pdf');
    await step(1, 'created', () => writeFileSync(a, 'one'), () => watcher.pendingVersion(a) !== undefined);
    await step(2, 'moved', () => renameSync(a, b), () => watcher.pendingVersion(b) !== undefined && watcher.isGone(a));
    await step(3, 'modified', () => writeFileSync(b, 'one and two'), () => watcher.pendingVersion(b) !== undefined);
    await step(4, 'deleted', () => unlinkSync(b), () => watcher.isGone(b));
    const events = (await invoke<{ items: WatcherEventView[] }>(c, 'watchers.events', { id: 'inbox' })).items.map((e) => `${e.event} ${e.path.slice(inbox.length + 1)} ${e.from_path?.slice(inbox.length + 1) ?? '-'}`);
    expect(events, events.join(' | ')).toEqual(['deleted b.pdf -', 'modified b.pdf -', 'moved b.pdf a.pdf', 'created a.pdf -']);
  });

  it('keeps files waiting while the queue is full and hands them over when there is room', async () => {
    const { data, inbox } = dirs();
    const c = await start(data);
    await invoke(c, 'templates.save', { name: 'ingest', yaml: TEMPLATE });
    await invoke(c, 'queues.pause', { name: 'tiny' });
    await invoke(c, 'watchers.create', { id: 'inbox', name: 'Tiny', watch_path: inbox, template: 'ingest', queue: 'tiny', debounce_ms: 100 });
    await watching(c, 'inbox');
    for (const n of ['1', '2', '3']) writeFileSync(join(inbox, `${n}.txt`), n);
    const watcher = c.core.watchers.watcher('inbox')!;
    await waitFor(() => watcher.status().pending === 3, 10_000, 'three files seen');
    await c.clock!.advanceAsync(100);
    await waitFor(() => runsOf(c, 'inbox').length === 2 && watcher.status().problem !== null, 10_000, 'two runs and a full queue');
    expect(watcher.status()).toMatchObject({ pending: 1, problem: "the queue 'tiny' is full or not accepting runs; 1 file(s) wait and are offered again" });
    await invoke(c, 'queues.resume', { name: 'tiny' });
    await waitFor(() => (c.core.db.prepare("select count(*) as n from runs where queue = 'tiny' and status = 'succeeded'").get() as { n: number }).n === 2, 20_000, 'the two runs to finish');
    await advanceUntil(c, 5000, () => runsOf(c, 'inbox').length === 3, 'the third run');
    expect(watcher.status()).toMatchObject({ pending: 0, problem: null });
  });

  it('says a folder that does not exist yet is missing, and starts watching when it appears', async () => {
    const { data, inbox } = dirs();
    const later = join(inbox, 'later');
    const c = await start(data);
    await invoke(c, 'templates.save', { name: 'ingest', yaml: TEMPLATE });
    await invoke(c, 'watchers.create', { id: 'later', name: 'Later', watch_path: later, template: 'ingest', debounce_ms: 100 });
    await waitFor(() => c.core.watchers.watcher('later')?.status().state === 'waiting_for_path', 10_000, 'the missing folder to be reported');
    const [view] = (await invoke<{ items: WatcherView[] }>(c, 'watchers.list', {})).items;
    expect(view).toMatchObject({ state: 'waiting_for_path', problem: `watch_path ${later} does not exist; watching for it to appear` });
    mkdirSync(later);
    await advanceUntil(c, 5000, () => c.core.watchers.watcher('later')?.status().state === 'watching', 'the folder to be watched');
    writeFileSync(join(later, 'a.txt'), 'x');
    await waitFor(() => c.core.watchers.watcher('later')!.status().pending === 1, 10_000, 'the file seen');
    await advanceUntil(c, 100, () => runsOf(c, 'later').length === 1, 'its run');
    expect(statSync(later).isDirectory()).toBe(true);
  });

  it('refuses patterns that could backtrack, an unknown template or queue, naming each field', async () => {
    const { data, inbox } = dirs();
    const c = await start(data);
    await expect(invoke(c, 'watchers.create', { id: 'bad', name: 'Bad', watch_path: inbox, template: 'nope', queue: 'nowhere', patterns: ['*a*a*b'] })).rejects.toMatchObject({
      code: 'VALIDATION_ERROR',
      details: {
        issues: [
          { path: 'patterns[0]', message: "'*a*a*b': more than 2 wildcards (* or **); use several patterns instead" },
          { path: 'template', message: "no template named 'nope'" },
          { path: 'queue', message: expect.stringContaining("no queue named 'nowhere'") },
        ],
      },
    });
  });
});
