import type { Envelope, ErrorBody } from '@shared/contract/errors';
import { resultOf, type QueryStatus } from './query';

/** A filtered list read a page at a time with `next_cursor` (the Audit and Runs views). */
export interface PagedList<F, T> {
  filters: F;
  status: QueryStatus;
  items: T[];
  nextCursor: string | null;
  /** A "load more" in flight, or why it failed. */
  more: { loading: boolean; error?: ErrorBody };
  error?: ErrorBody;
}

type Page<T> = { items: T[]; next_cursor: string | null };

export function emptyPagedList<F, T>(filters: F, available: boolean): PagedList<F, T> {
  return { filters, status: available ? 'loading' : 'unavailable', items: [], nextCursor: null, more: { loading: false }, error: undefined };
}

/**
 * First page and "load more" of a cursor-paged query. Every first page (and any other read that
 * replaces the list) takes a new generation: an answer from an older one is dropped, so a newer
 * first page wins over an older one and over a "load more" still in flight.
 */
export function cursorPages<F, T extends { id: string | number }>(o: {
  get: () => PagedList<F, T>;
  set: (patch: Partial<PagedList<F, T>>) => void;
  read: (filters: F, cursor?: string) => Promise<Envelope<Page<T>>>;
}) {
  let generation = 0;
  return {
    /** Starts a read that replaces the list; `isCurrent(g)` says whether it is still the newest. */
    begin: () => ++generation,
    isCurrent: (g: number) => g === generation,
    async load(): Promise<void> {
      const mine = ++generation;
      if (o.get().status !== 'ready') o.set({ status: 'loading' });
      const r = resultOf(await o.read(o.get().filters));
      if (mine !== generation) return;
      if (r.status !== 'ready') return o.set({ status: r.status, error: r.error, items: [], nextCursor: null, more: { loading: false } });
      o.set({ status: 'ready', error: undefined, items: r.data!.items, nextCursor: r.data!.next_cursor, more: { loading: false } });
    },
    async loadMore(): Promise<void> {
      const { nextCursor, more, filters } = o.get();
      if (!nextCursor || more.loading) return;
      const mine = generation;
      o.set({ more: { loading: true } });
      const r = resultOf(await o.read(filters, nextCursor));
      if (mine !== generation) return o.set({ more: { loading: false } });
      if (r.status !== 'ready') return o.set({ more: { loading: false, error: r.error } });
      // A row that moved between pages while reading (a run that changed) is shown once.
      const seen = new Set(o.get().items.map((x) => x.id));
      o.set({ items: [...o.get().items, ...r.data!.items.filter((x) => !seen.has(x.id))], nextCursor: r.data!.next_cursor, more: { loading: false } });
    },
  };
}
