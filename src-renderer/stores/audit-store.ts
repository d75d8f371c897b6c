import type { Input, Output } from '@shared/contract';
import { AUDIT_RESULTS } from '@shared/contract/audit';
import { createStore } from 'zustand/vanilla';
import type { AgentClient } from '@shared/client/agent-client';
import { cursorPages, emptyPagedList, type PagedList } from './cursor-pages';
import { debounce } from './query';

export type AuditEntry = Output<'audit.list'>['items'][number];
export type AuditResult = (typeof AUDIT_RESULTS)[number];
export { AUDIT_RESULTS };

/** The spans the core understands (`since=24h`), or a day picked in a date field. */
export const SINCE_SPANS = ['15m', '24h', '7d'] as const;
export type SinceChoice = '' | (typeof SINCE_SPANS)[number] | 'date';

export interface AuditFilters {
  /** An exact action (`users.create`) or a family ending in `.` (`auth.`). */
  action: string;
  user: string;
  result: '' | AuditResult;
  since: SinceChoice;
  /** `YYYY-MM-DD` when `since` is `date`: from the start of that day in the local zone. */
  date: string;
}

export const NO_FILTERS: AuditFilters = { action: '', user: '', result: '', since: '', date: '' };

/** Rows read per page; "load more" asks for the next page with `next_cursor`. */
export const AUDIT_PAGE = 200;

/** The `audit.list` input for the filters: empty fields are left out, a day becomes its local midnight in UTC. */
export function auditQuery(f: AuditFilters, limit = AUDIT_PAGE, cursor?: string): Input<'audit.list'> {
  const q: Input<'audit.list'> = { limit };
  const action = f.action.trim();
  const user = f.user.trim();
  if (action) q.action = action;
  if (user) q.user = user;
  if (f.result) q.result = f.result;
  if (f.since === 'date') {
    const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(f.date);
    if (m) q.since = new Date(Number(m[1]), Number(m[2]) - 1, Number(m[3])).toISOString();
  } else if (f.since) {
    q.since = f.since;
  }
  if (cursor) q.cursor = cursor;
  return q;
}

export interface AuditState extends PagedList<AuditFilters, AuditEntry> {
  load(): Promise<void>;
  loadMore(): Promise<void>;
  /** Changes filters and reads the first page again (typing is coalesced). */
  filtersChanged(patch: Partial<AuditFilters>): void;
  reset(): void;
}

/** The audit log, newest first, a page at a time (`audit.list`, view_audit_log). */
export function createAuditStore(client: AgentClient) {
  return createStore<AuditState>()((set, get) => {
    const initial = () => emptyPagedList<AuditFilters, AuditEntry>(NO_FILTERS, client.has('audit.list'));
    const pages = cursorPages<AuditFilters, AuditEntry>({ get, set, read: (filters, cursor) => client.call('audit.list', auditQuery(filters, AUDIT_PAGE, cursor)) });
    const reload = debounce(() => void pages.load(), 250);

    return {
      ...initial(),
      load: pages.load,
      loadMore: pages.loadMore,
      filtersChanged(patch) {
        set({ filters: { ...get().filters, ...patch } });
        reload();
      },
      reset() {
        pages.begin();
        set(initial());
      },
    };
  });
}

/** Action families for the filter's suggestions: `auth.`, `users.`, … from the actions seen and the contract. */
export function actionFamilies(names: Iterable<string>): string[] {
  const families = new Set<string>();
  for (const n of names) {
    const dot = n.indexOf('.');
    if (dot > 0) families.add(n.slice(0, dot + 1));
  }
  return [...families].sort();
}
