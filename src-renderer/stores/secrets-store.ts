import type { Output } from '@shared/contract';
import type { ErrorBody } from '@shared/contract/errors';
import type { SecretBackendName } from '@shared/domain/secret-ref';
import { createStore } from 'zustand/vanilla';
import type { AgentClient } from '@shared/client/agent-client';
import { outcomeOf, type Outcome } from './outcome';
import { resultOf, type QueryStatus } from './query';

export type SecretItem = Output<'secrets.list'>['items'][number];
export type LockedBackend = Output<'secrets.list'>['locked'][number];
export type SecretsStatus = Output<'secrets.status'>;
export type SecretStored = Output<'secrets.set'>;
export type SecretDeleted = Output<'secrets.delete'>;

/** What the Secrets view sends to store a value. The value goes to the core and is not kept here. */
export interface SecretWrite {
  key: string;
  /** Empty: a plain key (`secrets://key`); else `secrets://service/key`. */
  service: string;
  value: string;
  /** Undefined: the first writable backend that is available. */
  backend?: SecretBackendName;
}

export interface SecretsState {
  /** `locked`: backends whose secrets are not in `items` because they are locked. */
  list: { status: QueryStatus; items: SecretItem[]; locked: LockedBackend[]; error?: ErrorBody };
  status: { status: QueryStatus; data?: SecretsStatus; error?: ErrorBody };
  load(): Promise<void>;
  store(write: SecretWrite): Promise<Outcome<SecretStored>>;
  remove(item: Pick<SecretItem, 'key' | 'service'>): Promise<Outcome<SecretDeleted>>;
  reset(): void;
}

/** How a template names a secret: `secrets://key` or `secrets://service/key`. */
export function secretRef(s: { key: string; service: string | null }): string {
  return `secrets://${s.service ? `${s.service}/` : ''}${s.key}`;
}

/** Backends a value can be written to now: writable and available, in lookup order. */
export function writableBackends(status: SecretsStatus | undefined): string[] {
  return (status?.backends ?? []).filter((b) => b.available && b.writable).map((b) => b.name);
}

/** Why no backend can store a value now: the lock of each writable backend (empty when one can, or when a reason is not a lock). */
export function storeLocks(status: SecretsStatus | undefined): NonNullable<SecretsStatus['backends'][number]['lock']>[] {
  if (!status || writableBackends(status).length > 0) return [];
  return status.backends.flatMap((b) => (b.lock ? [b.lock] : []));
}

/** Whether a listed secret can be deleted here (the environment backend is read-only). */
export function deletable(item: SecretItem, status: SecretsStatus | undefined): boolean {
  return status?.backends.find((b) => b.name === item.backend)?.writable ?? false;
}

/**
 * Secrets by name (`secrets.list`) and the backends' state (`secrets.status`), manage_secrets.
 * Values are write-only: `store` hands the value to the core and forgets it, and no answer of the
 * core carries one.
 */
export function createSecretsStore(client: AgentClient) {
  return createStore<SecretsState>()((set) => {
    const initial = () => ({
      list: { status: (client.has('secrets.list') ? 'loading' : 'unavailable') as QueryStatus, items: [], locked: [] },
      status: { status: (client.has('secrets.status') ? 'loading' : 'unavailable') as QueryStatus },
    });

    const load = async () => {
      const [list, status] = await Promise.all([client.call('secrets.list', {}), client.call('secrets.status', {})]);
      const l = resultOf(list);
      const s = resultOf(status);
      set({
        list: l.status === 'ready' ? { status: 'ready', items: l.data!.items, locked: l.data!.locked } : { status: l.status, items: [], locked: [], error: l.error },
        status: { status: s.status, data: s.data, error: s.error },
      });
    };

    return {
      ...initial(),
      load,
      async store({ key, service, value, backend }) {
        const common = { key, value, ...(backend ? { backend } : {}) };
        const r = outcomeOf(service ? await client.call('secrets.setInService', { ...common, service }) : await client.call('secrets.set', common));
        if (r.ok) await load();
        return r;
      },
      async remove({ key, service }) {
        const r = outcomeOf(service ? await client.call('secrets.deleteInService', { key, service }) : await client.call('secrets.delete', { key }));
        await load();
        return r;
      },
      reset: () => set(initial()),
    };
  });
}
