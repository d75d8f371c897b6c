import type { ProcedureName } from '@shared/contract';
import type { ErrorBody } from '@shared/contract/errors';
import type { AgentEvent } from '@shared/contract/events';
import { createStore } from 'zustand/vanilla';
import type { AgentClient } from '@shared/client/agent-client';
import type { Messages } from '../i18n';
import { debounce, resultOf, type QueryStatus } from './query';

export type SectionKey = keyof Messages['sections'];
export type ColumnKey = keyof Messages['columns'];

/** One list a view shows: the REST binding of SPEC section 12 it reads, and what it shows. */
export interface SectionSpec {
  readonly key: SectionKey;
  readonly path: string;
  readonly columns: readonly ColumnKey[];
  /** Event entities (`run` of `run.finished`) after which the list is read again. */
  readonly refreshOn: readonly string[];
}

export interface SectionState {
  key: SectionKey;
  /** `GET /api/runs` */
  binding: string;
  procedure?: ProcedureName;
  columns: readonly ColumnKey[];
  status: QueryStatus;
  items: Record<string, unknown>[];
  error?: ErrorBody;
}

export interface ListViewState {
  sections: SectionState[];
  load(): Promise<void>;
  eventReceived(event: AgentEvent): void;
  /** Forgets what was shown (the user signed out; the next one reads afresh). */
  reset(): void;
}

/** `[...]` or `{items: [...]}` (SPEC section 12 lists); anything else is not a list. */
export function itemsOf(data: unknown): Record<string, unknown>[] | undefined {
  const list = Array.isArray(data) ? data : Array.isArray((data as { items?: unknown } | null)?.items) ? (data as { items: unknown[] }).items : undefined;
  return list?.map((i) => (i && typeof i === 'object' ? (i as Record<string, unknown>) : { value: i }));
}

/**
 * The store behind a list view. Which procedure serves each list is looked up in the contract by
 * its REST binding, so a view says "not available in this version" exactly when the core lacks
 * the procedure, and starts working the day the procedure is added — nothing here is invented.
 */
export function createListStore(client: AgentClient, specs: readonly SectionSpec[]) {
  const initial = (spec: SectionSpec): SectionState => {
    const procedure = client.find('GET', spec.path);
    return { key: spec.key, binding: `GET ${spec.path}`, procedure, columns: spec.columns, status: procedure ? 'loading' : 'unavailable', items: [] };
  };

  return createStore<ListViewState>()((set, get) => {
    const update = (key: SectionKey, patch: Partial<SectionState>) =>
      set({ sections: get().sections.map((s) => (s.key === key ? { ...s, ...patch } : s)) });

    const loadSection = async (section: SectionState) => {
      if (!section.procedure) return;
      const r = resultOf(await client.call(section.procedure, {}));
      if (r.status !== 'ready') return update(section.key, { status: r.status, error: r.error });
      const items = itemsOf(r.data);
      if (!items) return update(section.key, { status: 'error', error: { code: 'INTERNAL', message: `${section.procedure} did not answer with a list` } });
      update(section.key, { status: 'ready', items, error: undefined });
    };

    const load = async () => {
      await Promise.all(get().sections.map(loadSection));
    };
    const refreshers = new Map(specs.map((s) => [s.key, debounce(() => void loadSection(get().sections.find((x) => x.key === s.key)!), 250)]));

    return {
      sections: specs.map(initial),
      load,
      reset: () => set({ sections: specs.map(initial) }),
      eventReceived(event) {
        const entity = event.type.split('.')[0]!;
        for (const spec of specs) if (spec.refreshOn.includes(entity)) refreshers.get(spec.key)!();
      },
    };
  });
}
