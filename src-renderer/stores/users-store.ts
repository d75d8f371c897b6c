import type { Input, Output } from '@shared/contract';
import type { ErrorBody } from '@shared/contract/errors';
import { createStore } from 'zustand/vanilla';
import type { AgentClient } from '@shared/client/agent-client';
import { outcomeOf, type Outcome } from './outcome';
import { resultOf, type QueryStatus } from './query';

export type UserView = Output<'users.list'>['items'][number];
export type UserPatch = Omit<Input<'users.update'>, 'id'>;

export interface UsersState {
  status: QueryStatus;
  items: UserView[];
  error?: ErrorBody;
  /** The user whose change is in flight (its row's controls wait). */
  busyId?: string;
  /** The refusal of the last change made from a row (a 409 for the last active Admin), shown by the list. */
  actionError?: { userId: string; error: ErrorBody };
  load(): Promise<void>;
  create(input: Input<'users.create'>): Promise<Outcome<UserView>>;
  update(id: string, patch: UserPatch): Promise<Outcome<UserView>>;
  remove(id: string): Promise<Outcome<Output<'users.delete'>>>;
  actionErrorDismissed(): void;
  reset(): void;
}

/**
 * Users & Roles (`users.*`, manage_users). Every change is followed by a fresh `users.list`:
 * the core's answer, not a local guess, is what the table shows. `changedUser` hears changes
 * of any user, so the signed-in user's own badge follows a change of their role or name.
 */
export function createUsersStore(client: AgentClient, changedUser: (id: string) => void = () => {}) {
  return createStore<UsersState>()((set) => {
    const initial = () => ({ status: (client.has('users.list') ? 'loading' : 'unavailable') as QueryStatus, items: [], error: undefined, busyId: undefined, actionError: undefined });

    const load = async () => {
      const r = resultOf(await client.call('users.list', {}));
      set(r.status === 'ready' ? { status: 'ready', items: r.data!.items, error: undefined } : { status: r.status, items: [], error: r.error });
    };

    /** A change made from a row: its refusal is kept for the list to show; the list is read again. */
    const rowChange = async <T>(id: string, send: () => Promise<Outcome<T>>): Promise<Outcome<T>> => {
      set({ busyId: id, actionError: undefined });
      const r = await send();
      set({ busyId: undefined, actionError: r.ok ? undefined : { userId: id, error: r.error } });
      if (r.ok) {
        changedUser(id);
        await load();
      }
      return r;
    };

    return {
      ...initial(),
      load,
      async create(input) {
        const r = outcomeOf(await client.call('users.create', input));
        if (r.ok) await load();
        return r;
      },
      update: (id, patch) => rowChange(id, async () => outcomeOf(await client.call('users.update', { id, ...patch }))),
      remove: (id) => rowChange(id, async () => outcomeOf(await client.call('users.delete', { id }))),
      actionErrorDismissed: () => set({ actionError: undefined }),
      reset: () => set(initial()),
    };
  });
}
