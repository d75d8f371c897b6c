import type { Input, Output } from '@shared/contract';
import type { AgentEvent } from '@shared/contract/events';
import { RUN_STATUSES, type RunStatus } from '@shared/domain/runs';
import { createStore } from 'zustand/vanilla';
import type { AgentClient } from '@shared/client/agent-client';
import { coalesce } from './coalesce';
import { cursorPages, emptyPagedList, type PagedList } from './cursor-pages';
import { debounce, resultOf } from './query';

export type RunSummary = Output<'runs.list'>['items'][number];
export { RUN_STATUSES };

export interface RunFilters {
  status: '' | RunStatus;
  queue: string;
  template: string;
}

export const NO_RUN_FILTERS: RunFilters = { status: '', queue: '', template: '' };

/** Rows read per page (the contract allows up to 1000); "load more" reads the next one. */
export const RUNS_PAGE = 500;
/** Runs outside the first page that changed are read one by one; beyond this many, they wait for the next change. */
const MAX_SINGLE_READS = 50;

/** The `runs.list` input for the filters: empty fields are left out. */
export function runsQuery(f: RunFilters, limit = RUNS_PAGE, cursor?: string): Input<'runs.list'> {
  const q: Input<'runs.list'> = { limit };
  if (f.status) q.status = f.status;
  if (f.queue.trim()) q.queue = f.queue.trim();
  if (f.template.trim()) q.template = f.template.trim();
  if (cursor) q.cursor = cursor;
  return q;
}

export function matchesFilters(r: Pick<RunSummary, 'status' | 'queue' | 'template'>, f: RunFilters): boolean {
  return (!f.status || r.status === f.status) && (!f.queue.trim() || r.queue === f.queue.trim()) && (!f.template.trim() || r.template === f.template.trim());
}

/**
 * The list after a fresh first page: the page's rows on top (new runs, changed ones), then the
 * loaded rows older than the page's last row. A row the page should hold but lacks no longer
 * matches the filters; when the page is the whole list, nothing else is kept.
 */
export function mergeHead(current: readonly RunSummary[], head: readonly RunSummary[], headIsAll: boolean): { items: RunSummary[]; rest: RunSummary[] } {
  if (headIsAll) return { items: [...head], rest: [] };
  const ids = new Set(head.map((r) => r.id));
  const oldest = head.at(-1)?.created_at ?? '';
  const rest = current.filter((r) => !ids.has(r.id) && r.created_at <= oldest);
  return { items: [...head, ...rest], rest };
}

export interface RunsState extends PagedList<RunFilters, RunSummary> {
  load(): Promise<void>;
  loadMore(): Promise<void>;
  /** Changes filters and reads the first page again (typing is coalesced). */
  filtersChanged(patch: Partial<RunFilters>): void;
  /** A run event: while the list is on screen, the changed rows (and new runs) are read again at once, bursts coalesced. */
  eventReceived(event: AgentEvent): void;
  /** The list is on screen until the returned function is called (the view reads afresh when it opens). */
  watch(): () => void;
  /** A run deleted from this window leaves the list at once. */
  removed(id: string): void;
  reset(): void;
}

/** The Runs list (`runs.list`, read_runs): newest first, filtered, a page at a time, kept current by run events. */
export function createRunsStore(client: AgentClient, typingMs = 250) {
  return createStore<RunsState>()((set, get) => {
    // A newer first page wins over an older one, a "load more" and a live refresh still in flight.
    let dirty = new Set<string>();
    let watchers = 0;
    const initial = () => emptyPagedList<RunFilters, RunSummary>(NO_RUN_FILTERS, client.has('runs.list'));
    const pages = cursorPages<RunFilters, RunSummary>({ get, set, read: (filters, cursor) => client.call('runs.list', runsQuery(filters, RUNS_PAGE, cursor)) });
    const load = () => {
      dirty = new Set();
      return pages.load();
    };

    const refresh = async () => {
      if (get().status !== 'ready') return;
      const mine = pages.begin();
      const changed = dirty;
      dirty = new Set();
      const { filters } = get();
      const r = resultOf(await client.call('runs.list', runsQuery(filters)));
      if (!pages.isCurrent(mine) || r.status !== 'ready') return;
      const merged = mergeHead(get().items, r.data!.items, r.data!.next_cursor === null);
      // Rows beyond the first page that changed: read each, keep it if it still matches.
      const stale = merged.rest.filter((x) => changed.has(x.id)).slice(0, MAX_SINGLE_READS);
      const fresh = new Map<string, RunSummary | null>();
      await Promise.all(
        stale.map(async (x) => {
          const one = await client.call('runs.get', { id: x.id });
          if (one.ok) {
            const { steps: _steps, ...summary } = one.data;
            fresh.set(x.id, matchesFilters(summary, filters) ? summary : null);
          } else if (one.error.code === 'NOT_FOUND') fresh.set(x.id, null);
        }),
      );
      if (!pages.isCurrent(mine)) return;
      const items = merged.items.flatMap((x) => (fresh.has(x.id) ? (fresh.get(x.id) ? [fresh.get(x.id)!] : []) : [x]));
      set({ items, nextCursor: merged.rest.length ? get().nextCursor : r.data!.next_cursor });
    };
    const refreshSoon = coalesce(refresh);
    const reload = debounce(() => void load(), typingMs);

    return {
      ...initial(),
      load,
      loadMore: pages.loadMore,
      filtersChanged(patch) {
        set({ filters: { ...get().filters, ...patch } });
        reload();
      },
      eventReceived(event) {
        if (!event.type.startsWith('run.') || get().status !== 'ready' || watchers === 0) return;
        const runId = 'runId' in event.data ? event.data.runId : undefined;
        if (runId !== undefined) dirty.add(runId);
        refreshSoon();
      },
      watch() {
        watchers++;
        return () => void watchers--;
      },
      removed(id) {
        set({ items: get().items.filter((x) => x.id !== id) });
      },
      reset() {
        pages.begin();
        dirty = new Set();
        set(initial());
      },
    };
  });
}
