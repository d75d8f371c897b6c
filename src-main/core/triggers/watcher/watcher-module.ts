import { watchSchema, type WatchConfig } from '@shared/config';
import type { Issue } from '@shared/contract/errors';
import type { TriggerFigure } from '@shared/contract/metrics';
import type { WatcherView, watchersContract } from '@shared/contract/watchers';
import { isoAt } from '../../kernel/clock';
import { conflict, notFound } from '../../kernel/errors';
import { contractHandlers, type CoreModule, type Handler } from '../../kernel/module';
import { configListWriter } from '../config-list-file';
import type { TriggerModulePorts } from '../ports';
import { definedFields, pruneHourly, referenceIssues, rejectIssues } from '../trigger-checks';
import { DAY_MS } from '../../kernel/clock';
import { FolderWatcher, resolveWatchRoot } from './folder-watcher';
import { WatchLedger } from './watch-ledger';
import { patternIssues } from './watch-patterns';

type Handlers = { [N in keyof typeof watchersContract]: Handler<(typeof watchersContract)[N]> };

export interface WatcherModuleOptions extends TriggerModulePorts {
  /** How often a missing folder is looked for. */
  pathCheckMs?: number;
  /** How long a file waits before it is offered again to a full queue. */
  retryMs?: number;
}

export interface WatcherModule extends CoreModule {
  /** The running watcher of an id (tests wait on what it has seen). */
  watcher(id: string): FolderWatcher | undefined;
  views(): WatcherView[];
  /** Per watcher from its stored events: files handed over and refused by the queue in 24 h, last hand-over. */
  figures(now: number): TriggerFigure[];
}

const patternProblems = (w: WatchConfig): Issue[] => [...patternIssues('patterns', w.patterns), ...patternIssues('ignore_patterns', w.ignore_patterns)];

/** Folder watchers as a core module: one FolderWatcher per enabled watcher, watchers.* procedures, write-back and hot reload. */
export function createWatcherModule(o: WatcherModuleOptions): WatcherModule {
  const ledger = new WatchLedger(o.db);
  const configs = () => o.config.get('watchers.yaml').watchers;
  const running = new Map<string, { key: string; watcher: FolderWatcher }>();
  let reconciling: Promise<void> = Promise.resolve();
  let started = false;
  let stopPruning: (() => void) | undefined;
  let unwatch: (() => void) | undefined;

  /** Starts, restarts (changed) and stops watchers to match watchers.yaml. */
  const reconcile = () => {
    reconciling = reconciling.then(async () => {
      const wanted = new Map(configs().filter((w) => w.enabled && started && !patternProblems(w).length).map((w) => [w.id, w]));
      for (const [id, r] of running) {
        const w = wanted.get(id);
        if (w && JSON.stringify(w) === r.key) continue;
        running.delete(id);
        await r.watcher.stop();
      }
      for (const [id, w] of wanted) {
        if (running.has(id)) continue;
        const watcher = new FolderWatcher({ config: w, clock: o.clock, logger: o.logger, bus: o.bus, queue: o.queue, ledger, pathCheckMs: o.pathCheckMs, retryMs: o.retryMs });
        running.set(id, { key: JSON.stringify(w), watcher });
        watcher.start();
      }
    });
    return reconciling;
  };

  const find = (id: string): WatchConfig => {
    const w = configs().find((x) => x.id === id);
    if (!w) throw notFound(`Watcher '${id}'`);
    return w;
  };

  const view = (w: WatchConfig, counts: Map<string, { queued: number; failed: number }>): WatcherView => {
    const r = running.get(w.id)?.watcher.status();
    const refused = patternProblems(w);
    const last = ledger.recent(w.id, 1)[0];
    return {
      ...w,
      root: resolveWatchRoot(w.watch_path),
      state: refused.length ? 'error' : !w.enabled ? 'disabled' : (r?.state ?? 'starting'),
      polling_reason: r?.polling ?? null,
      problem: refused.length ? refused.map((i) => `${i.path}: ${i.message}`).join('; ') : (r?.problem ?? null),
      pending: r?.pending ?? 0,
      last_event: last ? { at: isoAt(last.at), event: last.event, path: last.path, outcome: last.outcome, run_id: last.run_id } : null,
      queued_24h: counts.get(w.id)?.queued ?? 0,
      failed_24h: counts.get(w.id)?.failed ?? 0,
    };
  };
  const countsNow = () => new Map(ledger.countsSince(o.clock.now() - DAY_MS).map((c) => [c.watcher_id, c]));
  const views = () => {
    const counts = countsNow();
    return configs().map((w) => view(w, counts));
  };
  const figures = (now: number): TriggerFigure[] => {
    const counts = new Map(ledger.countsSince(now - DAY_MS).map((c) => [c.watcher_id, c]));
    return configs().map((w) => {
      const last = ledger.lastQueuedAt(w.id);
      const c = counts.get(w.id);
      return { kind: 'watcher', trigger: w.id, name: w.name, enabled: w.enabled, last_fire: last === undefined ? null : isoAt(last), fires_24h: c?.queued ?? 0, failures_24h: c?.failed ?? 0, refused_24h: null };
    });
  };
  const viewOf = (id: string) => view(find(id), countsNow());

  const check = (value: Record<string, unknown>): void => {
    // A schema error is thrown as is: the dispatcher answers it 400, by field.
    const w = watchSchema.parse(value);
    rejectIssues('Watcher', w.id, [...patternProblems(w), ...referenceIssues(o, w)]);
  };
  const write = configListWriter(o.config, 'watchers.yaml', 'watchers', 'Watcher');

  const handlers: Handlers = {
    'watchers.list': () => ({ items: views() }),
    'watchers.create': async (input) => {
      if (configs().some((w) => w.id === input.id)) throw conflict(`A watcher with id '${input.id}' already exists`);
      check(input);
      write({ op: 'add', item: definedFields(input) });
      await reconcile();
      return viewOf(input.id);
    },
    'watchers.update': async ({ id, ...patch }) => {
      const current = find(id);
      check({ ...current, ...definedFields(patch) });
      write({ op: 'update', id, set: definedFields(patch) });
      await reconcile();
      return viewOf(id);
    },
    'watchers.delete': async ({ id }) => {
      find(id);
      write({ op: 'remove', id });
      await reconcile();
      // Deleted through the API: a new watcher of this id starts afresh. (Removed from the file by hand,
      // the ledger stays, so putting it back does not hand the same files over again.)
      ledger.forget(id);
      return { ok: true as const };
    },
    'watchers.events': ({ id, limit }) => {
      find(id);
      return { items: ledger.recent(id, limit).map((e) => ({ at: isoAt(e.at), event: e.event, path: e.path, from_path: e.from_path, outcome: e.outcome, run_id: e.run_id, error: e.error })) };
    },
  };

  return {
    name: 'watchers',
    handlers: contractHandlers(handlers),
    watcher: (id) => running.get(id)?.watcher,
    views,
    figures,
    start: async () => {
      started = true;
      unwatch = o.config.onChange((name) => {
        if (name === 'watchers.yaml') void reconcile();
      });
      stopPruning = pruneHourly(o.clock, (t) => ledger.pruneBefore(t));
      await reconcile();
    },
    stop: async () => {
      started = false;
      unwatch?.();
      stopPruning?.();
      await reconcile();
    },
  };
}
