import { formatSecretRef, SECRET_BACKENDS, SECRET_VALUE_MAX, secretNameProblem, type SecretBackendName, type SecretRef } from '@shared/domain/secret-ref';
import { cannotStoreSentence, hidesSecrets, type SecretsLock } from '@shared/domain/secrets-lock';
import { AppError } from '../../kernel/errors';
import { MIN_MASKED_LENGTH } from '../redaction';
import type { Clock, Logger, SecretAccess, SecretBackendStatus, SecretListing, SecretListingResult, SecretLookup, SecretStore, SecretWriteOptions } from '../../kernel/ports';
import type { AuditInput } from '../audit/audit-log';
import { BackendRefusedError, BackendUnavailableError, type SecretBackend } from './backend';
import type { LookupOutcome, SecretRecords } from './secret-records';

export interface SecretStoreOptions {
  /** The lookup order, read on every call so a config reload takes effect (`secrets.backends`). */
  order: () => readonly SecretBackendName[];
  backends: Partial<Record<SecretBackendName, SecretBackend>>;
  records: SecretRecords;
  /** Every value read or written is registered here (the core's Redactor). */
  redactor: { register(value: string): void };
  audit?: { record(entry: AuditInput): void };
  logger: Logger;
  clock: Clock;
  /** Called by close(). */
  onClose?: () => void;
}

export function checkRef(ref: SecretRef): SecretRef {
  const problem = secretNameProblem(ref.key, 'key') ?? (ref.service !== undefined ? secretNameProblem(ref.service, 'service') : undefined);
  if (problem) throw new AppError('VALIDATION_ERROR', `Invalid secret reference: ${problem}`, { issues: [{ path: ref.service !== undefined && !secretNameProblem(ref.key) ? 'service' : 'key', message: problem }] });
  return ref.service ? { key: ref.key, service: ref.service } : { key: ref.key };
}

function checkValue(value: string): void {
  const problem =
    typeof value !== 'string' || value.length === 0
      ? 'the value is empty'
      : value.length < MIN_MASKED_LENGTH
        ? `the value is shorter than ${MIN_MASKED_LENGTH} characters, too short to be masked in logs and results`
        : Buffer.byteLength(value, 'utf8') > SECRET_VALUE_MAX
        ? `the value is larger than ${SECRET_VALUE_MAX} bytes`
        : value.includes('\0')
          ? 'the value contains a NUL character'
          : undefined;
  if (problem) throw new AppError('VALIDATION_ERROR', `Invalid secret value: ${problem}`, { issues: [{ path: 'value', message: problem }] });
}

/**
 * The step error of SPEC section 8 for a reference no backend answered: `Secret 'KEY' not found`,
 * plus the backends that could not be asked and why (so "not found" is not mistaken for "absent").
 */
export function secretNotFoundMessage(ref: SecretRef, unavailable: readonly { backend: string; reason: string }[] = []): string {
  const base = `Secret '${formatSecretRef(ref)}' not found`;
  return unavailable.length ? `${base} (could not ask ${unavailable.map((u) => `${u.backend}: ${u.reason}`).join('; ')})` : base;
}

const iso = (ms: number | undefined) => (ms === undefined ? undefined : new Date(ms).toISOString());

/** The backends of SPEC section 8 tried in the configured order, with counting, auditing and masking. */
export function createSecretStore(options: SecretStoreOptions): SecretStore {
  const log = options.logger;
  const { records, clock } = options;

  const ordered = (): SecretBackend[] => options.order().flatMap((n) => (options.backends[n] ? [options.backends[n]] : []));

  const backendNamed = (name: string): SecretBackend => {
    if (!(SECRET_BACKENDS as readonly string[]).includes(name)) {
      throw new AppError('VALIDATION_ERROR', `Unknown secrets backend '${name}': use one of ${SECRET_BACKENDS.join(', ')}`, { issues: [{ path: 'backend', message: `unknown backend '${name}'` }] });
    }
    const b = ordered().find((x) => x.name === name);
    if (!b) {
      throw new AppError('VALIDATION_ERROR', `The ${name} backend is not in use: add it to secrets.backends in orchestrator.yaml (now: ${options.order().join(', ')})`, {
        issues: [{ path: 'backend', message: `not in secrets.backends` }],
      });
    }
    return b;
  };

  const lookup = async (rawRef: SecretRef, access?: SecretAccess): Promise<SecretLookup> => {
    const ref = checkRef(rawRef);
    const outcome: LookupOutcome = { asked: [], found: false };
    const unavailable: { backend: string; reason: string }[] = [];
    let answer: { value: string; backend: string } | undefined;
    for (const b of ordered()) {
      try {
        const value = await b.get(ref);
        if (value === undefined) {
          outcome.asked.push({ backend: b.name, result: 'miss' });
          continue;
        }
        options.redactor.register(value);
        if (value.length < MIN_MASKED_LENGTH) log.warn(`Secret '${formatSecretRef(ref)}' is shorter than ${MIN_MASKED_LENGTH} characters and cannot be masked in output`, { backend: b.name });
        outcome.asked.push({ backend: b.name, result: 'hit' });
        answer = { value, backend: b.name };
        break;
      } catch (e) {
        const reason = e instanceof BackendUnavailableError ? e.reason : (e as Error).message;
        outcome.asked.push({ backend: b.name, result: 'error' });
        unavailable.push({ backend: b.name, reason });
        log.warn(`The ${b.name} backend could not be asked for a secret; trying the next one`, { secret: formatSecretRef(ref), backend: b.name, reason });
      }
    }
    outcome.found = answer !== undefined;
    try {
      records.countLookup(clock.now(), outcome);
    } catch (e) {
      log.error('Could not count a secret lookup', { error: e as Error });
    }
    if (access) {
      const details: Record<string, unknown> = {};
      if (access.runId) details.run_id = access.runId;
      if (access.step !== undefined) details.step = access.step;
      if (answer) details.backend = answer.backend;
      else details.error = secretNotFoundMessage(ref);
      if (unavailable.length) details.unavailable = unavailable;
      try {
        options.audit?.record({
          user: access.user ?? null,
          action: 'secrets.resolve',
          permission: null,
          resource: formatSecretRef(ref),
          result: answer ? 'ok' : 'error',
          source: access.source ?? 'engine',
          details,
        });
      } catch (e) {
        log.error('Could not write the audit log', { error: e as Error, action: 'secrets.resolve' });
      }
    }
    if (answer) {
      log.info(`Secret '${formatSecretRef(ref)}' resolved from the ${answer.backend} backend`, { secret: formatSecretRef(ref), backend: answer.backend, ...(access?.runId ? { run_id: access.runId } : {}) });
      return { found: true, ...answer };
    }
    log.warn(secretNotFoundMessage(ref, unavailable), { secret: formatSecretRef(ref), ...(access?.runId ? { run_id: access.runId } : {}), ...(unavailable.length ? { unavailable } : {}) });
    return { found: false, unavailable };
  };

  /** The first backend before `target` in the order that holds ref (its answer wins lookups). */
  const shadowing = async (ref: SecretRef, target: string): Promise<string | undefined> => {
    for (const b of ordered()) {
      if (b.name === target) return undefined;
      try {
        if ((await b.get(ref)) !== undefined) return b.name;
      } catch {
        // An unavailable backend shadows nothing now.
      }
    }
    return undefined;
  };

  const writeError = (e: unknown): AppError => {
    if (e instanceof AppError) return e;
    if (e instanceof BackendUnavailableError) return new AppError('UNAVAILABLE', e.message, { backend: e.backend, reason: e.reason });
    if (e instanceof BackendRefusedError) return new AppError('VALIDATION_ERROR', e.message, { backend: e.backend });
    return new AppError('INTERNAL', `Secrets: ${(e as Error).message}`);
  };

  const store: SecretStore = {
    lookup,

    async get(ref, access) {
      const r = await lookup(ref, access);
      return r.found ? { value: r.value, backend: r.backend } : undefined;
    },

    async set(rawRef, value, opts: SecretWriteOptions = {}) {
      const ref = checkRef(rawRef);
      checkValue(value);
      options.redactor.register(value);
      let backend: SecretBackend | undefined;
      if (opts.backend) {
        backend = backendNamed(opts.backend);
        if (!backend.writable) throw new AppError('VALIDATION_ERROR', `The ${backend.name} backend is read-only; choose ${ordered().filter((b) => b.writable).map((b) => b.name).join(' or ') || 'a writable backend'}`);
      } else {
        const reasons: string[] = [];
        const locks: SecretsLock[] = [];
        for (const b of ordered().filter((x) => x.writable)) {
          const a = await b.availability();
          if (a.available && a.writable !== false) {
            backend = b;
            break;
          }
          reasons.push(`${b.name}: ${a.reason ?? 'unavailable'}`);
          if (a.lock) locks.push(a.lock);
        }
        if (!backend) {
          // Locked backends are said in one sentence (what, and how to unlock it); the backends' own words stay in details.
          const message =
            locks.length && locks.length === reasons.length
              ? cannotStoreSentence(locks)
              : `No writable secrets backend is available (${reasons.join('; ') || `secrets.backends is ${options.order().join(', ')}`})`;
          throw new AppError('UNAVAILABLE', message, { reasons, locked: locks });
        }
      }
      try {
        await backend.set(ref, value);
      } catch (e) {
        throw writeError(e);
      }
      const at = clock.now();
      records.stored(backend.name, ref, at, opts.user ?? null);
      const shadowedBy = await shadowing(ref, backend.name);
      log.info('Secret stored', { secret: formatSecretRef(ref), backend: backend.name, by: opts.user ?? null, ...(shadowedBy ? { shadowed_by: shadowedBy } : {}) });
      return { backend: backend.name, updatedAt: new Date(at).toISOString(), ...(shadowedBy ? { shadowedBy } : {}) };
    },

    async delete(rawRef, opts: SecretWriteOptions = {}) {
      const ref = checkRef(rawRef);
      const targets = opts.backend ? [backendNamed(opts.backend)] : ordered().filter((b) => b.writable);
      if (opts.backend && !targets[0]!.writable) throw new AppError('VALIDATION_ERROR', `The ${opts.backend} backend is read-only: unset the environment variable instead`);
      const deleted: string[] = [];
      const failures: string[] = [];
      for (const b of targets) {
        try {
          if (await b.delete(ref)) deleted.push(b.name);
          records.removed(b.name, ref);
        } catch (e) {
          failures.push(`${b.name}: ${e instanceof BackendUnavailableError ? e.reason : (e as Error).message}`);
        }
      }
      if (deleted.length === 0 && failures.length > 0) throw new AppError('UNAVAILABLE', `Could not delete secret '${formatSecretRef(ref)}': ${failures.join('; ')}`);
      if (deleted.length) log.info('Secret deleted', { secret: formatSecretRef(ref), backends: deleted, by: opts.user ?? null });
      return deleted;
    },

    async list() {
      return (await store.listing()).items;
    },

    async listing(): Promise<SecretListingResult> {
      const known = records.entries();
      const meta = new Map(known.map((r) => [`${r.backend}\0${r.service ?? ''}\0${r.key}`, r]));
      const out: SecretListing[] = [];
      const locked: SecretListingResult['locked'] = [];
      const first = new Map<string, string>();
      for (const b of ordered()) {
        let entries;
        try {
          entries = await b.list();
        } catch (e) {
          log.warn(`Could not list the ${b.name} backend`, { reason: e instanceof BackendUnavailableError ? e.reason : (e as Error).message });
          // A locked backend hides secrets when it has a file, or when Desktop Agent stored secrets there.
          const lock = e instanceof BackendUnavailableError ? e.lock : undefined;
          if (lock && hidesSecrets(lock) && (b.name === 'file' || known.some((r) => r.backend === b.name))) locked.push({ backend: b.name, lock });
          continue;
        }
        for (const e of entries) {
          const id = `${e.service ?? ''}\0${b.name === 'env' ? e.key.toLowerCase() : e.key}`;
          const m = meta.get(`${b.name}\0${e.service ?? ''}\0${e.key}`);
          const shadowedBy = first.get(id);
          if (!shadowedBy) first.set(id, b.name);
          out.push({
            key: e.key,
            ...(e.service ? { service: e.service } : {}),
            backend: b.name,
            ...(iso(e.updatedAt ?? m?.updatedAt) ? { updatedAt: iso(e.updatedAt ?? m?.updatedAt) } : {}),
            ...(m ? { createdAt: iso(m.createdAt) } : {}),
            ...(shadowedBy ? { shadowedBy } : {}),
          });
        }
      }
      const items = out.sort((a, b) => (a.service ?? '').localeCompare(b.service ?? '') || a.key.localeCompare(b.key) || a.backend.localeCompare(b.backend));
      return { items, locked };
    },

    close() {
      options.onClose?.();
    },

    async status(): Promise<SecretBackendStatus[]> {
      return Promise.all(
        ordered().map(async (b) => {
          const a = await b.availability();
          return { name: b.name, available: a.available, writable: b.writable && a.available && a.writable !== false, ...(a.reason ? { reason: a.reason } : {}), ...(a.lock ? { lock: a.lock } : {}) };
        }),
      );
    },
  };
  return store;
}
