import { createContext, useContext } from 'react';
import { useStore } from 'zustand';
import type { AgentClient } from '../bridge';
import { createConnectionStore, type ConnectionState } from './connection-store';
import { createDashboardStore, type DashboardState } from './dashboard-store';
import { createListStore, type ListViewState } from './list-store';
import { createLocaleStore, type LocaleState, type PreferenceStorage } from './locale-store';
import { VIEW_SECTIONS, type ListViewName } from './view-specs';

export function createAppStores(client: AgentClient, env: { storage?: PreferenceStorage; languages: readonly string[] }) {
  const lists = Object.fromEntries(Object.entries(VIEW_SECTIONS).map(([name, specs]) => [name, createListStore(client, specs)])) as Record<
    ListViewName,
    ReturnType<typeof createListStore>
  >;
  return {
    connection: createConnectionStore(client.transport),
    locale: createLocaleStore(env.storage, env.languages),
    dashboard: createDashboardStore(client),
    lists,
  };
}

export type AppStores = ReturnType<typeof createAppStores>;

/**
 * Main owns the truth; the stores mirror it. One event subscription for the page: each store
 * hears every event and decides what to read again; the header hears the stream's state.
 */
export function connectStores(client: AgentClient, stores: AppStores): () => void {
  return client.subscribe({
    event(e) {
      stores.dashboard.getState().eventReceived(e);
      for (const list of Object.values(stores.lists)) list.getState().eventReceived(e);
    },
    state: (state, error) => stores.connection.getState().liveStateChanged(state, error),
  });
}

export const StoresContext = createContext<AppStores | null>(null);

function useStores(): AppStores {
  const stores = useContext(StoresContext);
  if (!stores) throw new Error('StoresContext is missing: render inside <StoresContext value={stores}>');
  return stores;
}

export const useConnectionStore = <T>(select: (s: ConnectionState) => T): T => useStore(useStores().connection, select);
export const useLocaleStore = <T>(select: (s: LocaleState) => T): T => useStore(useStores().locale, select);
export const useDashboardStore = <T>(select: (s: DashboardState) => T): T => useStore(useStores().dashboard, select);

const listHook =
  (name: ListViewName) =>
  <T>(select: (s: ListViewState) => T): T =>
    useStore(useStores().lists[name], select);

/** A `use<Feature>Store` per view. */
export const useRunsStore = listHook('runs');
export const useApprovalsStore = listHook('approvals');
export const useQueuesStore = listHook('queues');
export const useTriggersStore = listHook('triggers');
export const useTemplatesStore = listHook('templates');
export const useClustersStore = listHook('clusters');
export const useUsersStore = listHook('users');
export const useAuditStore = listHook('audit');
export const useSecretsStore = listHook('secrets');

export type ListViewStoreHook = typeof useRunsStore;
