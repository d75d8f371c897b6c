import { formatSecretRef, type SecretRef } from '@shared/domain/secret-ref';
import { notListedSentence } from '@shared/domain/secrets-lock';
import { AppError } from '../../kernel/errors';
import type { Database } from 'better-sqlite3';
import { contractHandlers, type CoreModule } from '../../kernel/module';
import type { SecretsStatus } from '@shared/contract/secrets';
import type { Clock, SecretStore } from '../../kernel/ports';
import type { Redactor } from '../redaction';
import { principalName, type CallContext } from '../../kernel/principal';
import { secretLookupCounts } from './secret-records';

/**
 * GET /api/secrets, GET /api/secrets/status, PUT and DELETE /api/secrets/[{service}/]{key}
 * (manage_secrets). The dispatcher audits each call with the reference as its resource; values
 * are registered with the Redactor before anything else happens and never appear in an answer.
 */
export interface SecretsModulePorts {
  db: Database;
  clock: Clock;
  redactor: Redactor;
  secrets: SecretStore;
}

export function createSecretsModule(services: SecretsModulePorts): CoreModule {
  const store = services.secrets;

  const set = async (ref: SecretRef, value: string, backend: string | undefined, ctx: CallContext) => {
    services.redactor.register(value);
    const r = await store.set(ref, value, { backend, user: principalName(ctx.principal), source: ctx.source });
    return { key: ref.key, service: ref.service ?? null, backend: r.backend, updated_at: r.updatedAt, shadowed_by: r.shadowedBy ?? null };
  };

  const remove = async (ref: SecretRef, backend: string | undefined, ctx: CallContext) => {
    const deleted = await store.delete(ref, { backend, user: principalName(ctx.principal), source: ctx.source });
    const stillIn = (await store.list()).filter((i) => i.backend === 'env' && i.key === ref.key.toLowerCase() && (i.service ?? '') === (ref.service ?? '').toLowerCase()).map((i) => i.backend);
    if (deleted.length === 0 && stillIn.length === 0) throw new AppError('NOT_FOUND', `Secret '${formatSecretRef(ref)}' not found in ${backend ?? 'any writable backend'}`);
    return { key: ref.key, service: ref.service ?? null, deleted_from: deleted, still_in: stillIn };
  };

  return {
    name: 'secrets',
    stop: () => store.close?.(),
    handlers: contractHandlers({
      'secrets.list': async () => {
        const { items, locked } = await store.listing();
        return {
          items: items.map((i) => ({
          key: i.key,
          service: i.service ?? null,
          backend: i.backend,
          updated_at: i.updatedAt ?? null,
          created_at: i.createdAt ?? null,
          shadowed_by: i.shadowedBy ?? null,
          })),
          locked,
          notice: locked.length ? notListedSentence(locked.map((l) => l.lock)) : null,
        };
      },
      'secrets.status': () => secretsStatusReport(store, services.db, services.clock.now()),
      'secrets.set': ({ key, value, backend }, ctx) => set({ key }, value, backend, ctx),
      'secrets.setInService': ({ service, key, value, backend }, ctx) => set({ service, key }, value, backend, ctx),
      'secrets.delete': ({ key, backend }, ctx) => remove({ key }, backend, ctx),
      'secrets.deleteInService': ({ service, key, backend }, ctx) => remove({ service, key }, backend, ctx),
    }),
  };
}

/** GET /api/secrets/status and `desktop-agent secrets status` (the guide's `get_secrets_manager().get_metrics()`). */
export async function secretsStatusReport(store: SecretStore, db: Database, now: number): Promise<SecretsStatus> {
  const counts = secretLookupCounts(db, now);
  const backends = await store.status();
  return {
    order: backends.map((b) => b.name),
    backends: backends.map((b) => {
      const c = counts.backends[b.name] ?? { hits: 0, misses: 0, errors: 0 };
      return { name: b.name, available: b.available, writable: b.writable, reason: b.reason ?? null, lock: b.lock ?? null, lookups_24h: c.hits + c.misses + c.errors, hits_24h: c.hits, misses_24h: c.misses, errors_24h: c.errors };
    }),
    lookups_24h: counts.lookups,
    hits_24h: counts.hits,
    misses_24h: counts.misses,
  };
}
