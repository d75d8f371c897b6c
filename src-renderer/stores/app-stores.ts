import { createContext, useContext } from 'react';
import { useStore } from 'zustand';
import type { Permission } from '@shared/rbac/roles';
import type { AgentClient } from '@shared/client/agent-client';
import { createApprovalsStore, type ApprovalsState } from './approvals-store';
import { createAuditStore, type AuditState } from './audit-store';
import { createAuthStore, type AuthState } from './auth-store';
import { createClustersStore, type ClustersState } from './clusters-store';
import { createConnectionStore, type ConnectionState } from './connection-store';
import { createDashboardStore, type DashboardState } from './dashboard-store';
import { createListStore, type ListViewState } from './list-store';
import { createMetricsStore, type MetricsState } from './metrics-store';
import { createQueuesStore, type QueuesState } from './queues-store';
import { createRunDetailStore, type RunDetailState } from './run-detail-store';
import { createRunsStore, type RunsState } from './runs-store';
import { createLocaleStore, type LocaleState, type PreferenceStorage } from './locale-store';
import { createSecretsStore, type SecretsState } from './secrets-store';
import { createTemplatesStore, type TemplatesState } from './templates-store';
import { createTemplateDropStore, type TemplateDropState } from './template-drop-store';
import { createTokensStore, type TokensState } from './tokens-store';
import { createTriggersStore, type TriggersState } from './triggers-store';
import { createUsersStore, type UsersState } from './users-store';
import { VIEW_READS, VIEW_SECTIONS, viewAllowed, type ListViewName, type ViewName } from './view-specs';

export function createAppStores(client: AgentClient, env: { storage?: PreferenceStorage; languages: readonly string[]; now?: () => number }) {
  const lists = Object.fromEntries(Object.entries(VIEW_SECTIONS).map(([name, specs]) => [name, createListStore(client, specs)])) as Record<
    ListViewName,
    ReturnType<typeof createListStore>
  >;
  const auth = createAuthStore(client, env.now);
  const runs = createRunsStore(client);
  const templates = createTemplatesStore(client);
  return {
    connection: createConnectionStore(client.transport),
    locale: createLocaleStore(env.storage, env.languages),
    auth,
    dashboard: createDashboardStore(client),
    metrics: createMetricsStore(client),
    // A change to the signed-in user's own account (role, name) is read back into the badge.
    users: createUsersStore(client, (id) => {
      if (id === auth.getState().me?.id) void auth.getState().refresh();
    }),
    tokens: createTokensStore(client),
    audit: createAuditStore(client),
    secrets: createSecretsStore(client),
    runs,
    runDetail: createRunDetailStore(client, (id) => runs.getState().removed(id)),
    queues: createQueuesStore(client),
    templates,
    // Dropped or picked template files; a save reads the template list again.
    templateDrop: createTemplateDropStore(client, () => templates.getState().load()),
    approvals: createApprovalsStore(client),
    clusters: createClustersStore(client),
    triggers: createTriggersStore(client, () => void lists.triggers.getState().load()),
    lists,
    client,
    /** The views a set of permissions may open, in navigation order (from the contract's declared permissions). */
    allowedViews: (permissions: readonly Permission[]): ViewName[] => (Object.keys(VIEW_READS) as ViewName[]).filter((v) => viewAllowed(v, client, permissions)),
  };
}

export type AppStores = ReturnType<typeof createAppStores>;

/** What one user saw is not shown to the next: every store of data starts over at sign-out. */
function forgetSessionData(stores: AppStores): void {
  stores.dashboard.getState().reset();
  stores.metrics.getState().reset();
  for (const list of Object.values(stores.lists)) list.getState().reset();
  stores.users.getState().reset();
  stores.tokens.getState().reset();
  stores.audit.getState().reset();
  stores.secrets.getState().reset();
  for (const store of [stores.runs, stores.runDetail, stores.queues]) store.getState().reset();
  stores.templates.getState().reset();
  stores.templateDrop.getState().dismiss();
  stores.approvals.getState().reset();
  stores.clusters.getState().reset();
  stores.triggers.getState().reset();
}

/**
 * Main owns the truth; the stores mirror it. Asks who is signed in, then holds one event
 * subscription for as long as someone is: each store hears every event and decides what to read
 * again; the header hears the stream's state. Signing in or out (or as someone else) opens the
 * stream again, so the core decides it for the new principal. A call answered 401 while signed in
 * means the session ended elsewhere: the sign-in screen comes back.
 */
export function connectStores(client: AgentClient, stores: AppStores): () => void {
  let unsubscribe: (() => void) | undefined;
  const subscribe = () =>
    client.subscribe({
      event(e) {
        stores.dashboard.getState().eventReceived(e);
        stores.metrics.getState().eventReceived(e);
        for (const store of [stores.runs, stores.runDetail, stores.queues]) store.getState().eventReceived(e);
        stores.templates.getState().eventReceived(e);
        stores.approvals.getState().eventReceived(e);
        stores.clusters.getState().eventReceived(e);
        stores.triggers.getState().eventReceived(e);
        for (const list of Object.values(stores.lists)) list.getState().eventReceived(e);
      },
      state: (state, error) => stores.connection.getState().liveStateChanged(state, error),
    });

  const unwatchAuth = stores.auth.subscribe((now, before) => {
    const who = (s: AuthState) => (s.phase === 'signed-in' && s.me ? `${s.me.id}:${s.me.role}` : undefined);
    if (who(now) === who(before)) return;
    unsubscribe?.();
    unsubscribe = undefined;
    if (!who(now)) forgetSessionData(stores);
    else {
      unsubscribe = subscribe();
      // The navigation shows how many approvals wait, whichever view is open.
      void stores.approvals.getState().load();
    }
  });
  const unwatchRefusals = client.onRefused((name, error) => {
    if (error.code === 'UNAUTHENTICATED' && !name.startsWith('auth.')) stores.auth.getState().sessionLost();
  });
  void stores.auth.getState().start();

  return () => {
    unwatchAuth();
    unwatchRefusals();
    unsubscribe?.();
  };
}

export const StoresContext = createContext<AppStores | null>(null);

function useStores(): AppStores {
  const stores = useContext(StoresContext);
  if (!stores) throw new Error('StoresContext is missing: render inside <StoresContext value={stores}>');
  return stores;
}

/** The views the signed-in user may open (none while signed out). */
export function useAllowedViews(): ViewName[] {
  const stores = useStores();
  const permissions = useStore(stores.auth, (s) => s.me?.permissions);
  return permissions ? stores.allowedViews(permissions) : [];
}

export const useConnectionStore = <T>(select: (s: ConnectionState) => T): T => useStore(useStores().connection, select);
export const useLocaleStore = <T>(select: (s: LocaleState) => T): T => useStore(useStores().locale, select);
export const useAuthStore = <T>(select: (s: AuthState) => T): T => useStore(useStores().auth, select);
export const useDashboardStore = <T>(select: (s: DashboardState) => T): T => useStore(useStores().dashboard, select);
export const useMetricsStore = <T>(select: (s: MetricsState) => T): T => useStore(useStores().metrics, select);
export const useUsersStore = <T>(select: (s: UsersState) => T): T => useStore(useStores().users, select);
export const useTokensStore = <T>(select: (s: TokensState) => T): T => useStore(useStores().tokens, select);
export const useAuditStore = <T>(select: (s: AuditState) => T): T => useStore(useStores().audit, select);
export const useSecretsStore = <T>(select: (s: SecretsState) => T): T => useStore(useStores().secrets, select);
export const useRunsStore = <T>(select: (s: RunsState) => T): T => useStore(useStores().runs, select);
export const useRunDetailStore = <T>(select: (s: RunDetailState) => T): T => useStore(useStores().runDetail, select);
export const useQueuesStore = <T>(select: (s: QueuesState) => T): T => useStore(useStores().queues, select);
/** The client, for what is derived from the contract (which actions this version has, artifact URLs). */
export const useClient = (): AgentClient => useStores().client;
export const useTemplateDropStore = <T>(select: (s: TemplateDropState) => T): T => useStore(useStores().templateDrop, select);
export const useTemplatesStore = <T>(select: (s: TemplatesState) => T): T => useStore(useStores().templates, select);
export const useApprovalsStore = <T>(select: (s: ApprovalsState) => T): T => useStore(useStores().approvals, select);
export const useClustersStore = <T>(select: (s: ClustersState) => T): T => useStore(useStores().clusters, select);
export const useTriggerDetailStore = <T>(select: (s: TriggersState) => T): T => useStore(useStores().triggers, select);

const listHook =
  (name: ListViewName) =>
  <T>(select: (s: ListViewState) => T): T =>
    useStore(useStores().lists[name], select);

/** A `use<Feature>Store` per list view: the Triggers view's three lists (its details are useTriggerDetailStore). */
export const useTriggersStore = listHook('triggers');

export type ListViewStoreHook = ReturnType<typeof listHook>;
