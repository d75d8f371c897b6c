import { CONTRACT, type Output } from '@shared/contract';
import type { ErrorBody } from '@shared/contract/errors';
import type { AgentEvent } from '@shared/contract/events';
import { isFinal, type RunStatus } from '@shared/domain/runs';
import type { Permission } from '@shared/rbac/roles';
import { createStore } from 'zustand/vanilla';
import type { AgentClient } from '@shared/client/agent-client';
import { outcomeOf } from './outcome';
import { coalesce } from './coalesce';
import { resultOf, type QueryStatus } from './query';

export type RunDetail = Output<'runs.get'>;
export type RunStep = RunDetail['steps'][number];
export type RunArtifact = RunStep['artifacts'][number];

/** What an operator can do to a run, each a procedure of the contract. */
export const RUN_ACTIONS = ['pause', 'resume', 'cancel', 'retry', 'delete'] as const;
export type RunAction = (typeof RUN_ACTIONS)[number];

const PROCEDURE = { pause: 'runs.pause', resume: 'runs.resume', cancel: 'runs.cancel', retry: 'runs.retry', delete: 'runs.delete' } as const;

/** The states in which the core accepts each action (run-queue.ts): offering it elsewhere would only earn a 409. */
export function actionFitsState(action: RunAction, status: RunStatus): boolean {
  switch (action) {
    case 'pause':
      return status === 'queued' || status === 'retry_wait' || status === 'running';
    case 'resume':
      return status === 'paused';
    case 'cancel':
      return !isFinal(status);
    case 'retry':
    case 'delete':
      return isFinal(status);
  }
}

/** The actions to offer on a run: this version has the procedure, the role holds its permission, the state allows it. */
export function runActions(client: Pick<AgentClient, 'has'>, status: RunStatus, permissions: readonly Permission[]): RunAction[] {
  return RUN_ACTIONS.filter((a) => {
    const name = PROCEDURE[a];
    return client.has(name) && permissions.includes(CONTRACT[name].access as Permission) && actionFitsState(a, status);
  });
}

/**
 * Where the UI fetches an artifact: the REST route over HTTP (the session cookie goes with it).
 * The desktop app's IPC bridge carries JSON, not files, so there it has none.
 */
export function artifactUrl(client: Pick<AgentClient, 'transport'>, runId: string, name: string): string | undefined {
  if (client.transport !== 'http') return undefined;
  return CONTRACT['runs.artifact'].http.path.replace('{id}', encodeURIComponent(runId)).replace('{name}', encodeURIComponent(name));
}

export const isImage = (a: RunArtifact) => a.contentType.startsWith('image/');

export interface RunDetailState {
  /** The run shown, or none (the list alone). */
  id?: string;
  status: QueryStatus;
  run?: RunDetail;
  error?: ErrorBody;
  /** The action in flight. */
  busy?: RunAction;
  /** The core's refusal of the last action. */
  actionError?: { action: RunAction; error: ErrorBody };
  /** The last action that went through (a re-run names its new run). */
  done?: { action: RunAction; runId: string; newRunId?: string };
  /** The failure clusters this run's failures landed in (shown beside its error). */
  clusters: Output<'clusters.list'>['items'];
  open(id: string): Promise<void>;
  close(): void;
  load(): Promise<void>;
  act(action: RunAction): Promise<boolean>;
  eventReceived(event: AgentEvent): void;
  reset(): void;
}

/**
 * One run with its steps, attempts and artifacts (`runs.get`), read again when its events arrive,
 * and the operations on it. `deleted` tells the list a run is gone.
 */
export function createRunDetailStore(client: AgentClient, deleted: (id: string) => void = () => {}) {
  return createStore<RunDetailState>()((set, get) => {
    const initial = () => ({ id: undefined, status: 'loading' as QueryStatus, run: undefined, error: undefined, busy: undefined, actionError: undefined, done: undefined, clusters: [] });

    const load = async () => {
      const id = get().id;
      if (!id) return;
      const r = resultOf(await client.call('runs.get', { id }));
      if (get().id !== id) return;
      set(r.status === 'ready' ? { status: 'ready', run: r.data, error: undefined } : { status: r.status, run: undefined, error: r.error });
      if (r.status !== 'ready' || r.data!.status !== 'failed' || !client.has('clusters.list')) return set({ clusters: [] });
      const c = resultOf(await client.call('clusters.list', { days: 365, run_id: id }));
      if (get().id === id) set({ clusters: c.status === 'ready' ? c.data!.items : [] });
    };
    const refreshSoon = coalesce(load);

    return {
      ...initial(),
      load,
      async open(id) {
        set({ ...initial(), id, status: client.has('runs.get') ? 'loading' : 'unavailable' });
        await load();
      },
      close: () => set(initial()),
      async act(action) {
        const id = get().id;
        if (!id || get().busy) return false;
        set({ busy: action, actionError: undefined, done: undefined });
        const r = outcomeOf(await client.call(PROCEDURE[action], { id }));
        if (get().id !== id) return r.ok;
        if (!r.ok) {
          set({ busy: undefined, actionError: { action, error: r.error } });
          // The run may have moved on (finished meanwhile): show its state as it is now.
          await load();
          return false;
        }
        if (action === 'delete') {
          set(initial());
          deleted(id);
          return true;
        }
        const newRunId = action === 'retry' ? (r.data as { run_id: string }).run_id : undefined;
        set({ busy: undefined, done: { action, runId: id, newRunId } });
        await load();
        return true;
      },
      eventReceived(event) {
        const id = get().id;
        if (!id || !(event.type.startsWith('run.') || event.type.startsWith('step.') || event.type === 'cluster.updated')) return;
        if ('runId' in event.data && event.data.runId === id) refreshSoon();
      },
      reset: () => set(initial()),
    };
  });
}
