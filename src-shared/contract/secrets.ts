import { z } from 'zod';
import { SECRET_BACKENDS, SECRET_VALUE_MAX, SECRET_VALUE_MIN, secretNameProblem } from '../domain/secret-ref';
import { SECRETS_LOCKS } from '../domain/secrets-lock';
import { defineProcedure, isoTime } from './procedure';

/** A key or service name of SPEC section 8: letters, digits, `_`, `-`, `.`. */
const secretName = (what: 'key' | 'service') =>
  z.string().superRefine((name, ctx) => {
    const problem = secretNameProblem(name, what);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  });

const backendName = z.enum(SECRET_BACKENDS);

/** Values are write-only: accepted here, never part of any answer. */
const secretValue = z
  .string({ error: 'the value must be text' })
  .min(1, 'the value is empty')
  .min(SECRET_VALUE_MIN, `the value is shorter than ${SECRET_VALUE_MIN} characters, too short to be masked in logs and results`)
  .max(SECRET_VALUE_MAX, `the value is longer than ${SECRET_VALUE_MAX} characters`);

export const secretItem = z.object({
  key: z.string(),
  service: z.string().nullable(),
  backend: z.string(),
  updated_at: isoTime.nullable(),
  created_at: isoTime.nullable(),
  /** An earlier backend in the lookup order holds the same reference; lookups answer with that one. */
  shadowed_by: z.string().nullable(),
});
export type SecretItem = z.infer<typeof secretItem>;

const stored = z.object({
  key: z.string(),
  service: z.string().nullable(),
  backend: z.string(),
  updated_at: isoTime,
  shadowed_by: z.string().nullable(),
});

const deleted = z.object({
  key: z.string(),
  service: z.string().nullable(),
  deleted_from: z.array(z.string()),
  /** Read-only backends (the environment) that still answer for the reference. */
  still_in: z.array(z.string()),
});

/** Per backend over 24 hours: times it was asked, answered with the value, answered without it, could not be asked. */
const counts = { lookups_24h: z.number().int(), hits_24h: z.number().int(), misses_24h: z.number().int(), errors_24h: z.number().int() };

export const secretsStatus = z.object({
  order: z.array(z.string()),
  /** `lock`: why a backend cannot be used, as a code (secrets-lock.ts) the UI words; `reason` in the backend's own words. */
  backends: z.array(z.object({ name: z.string(), available: z.boolean(), writable: z.boolean(), reason: z.string().nullable(), lock: z.enum(SECRETS_LOCKS).nullable(), ...counts })),
  lookups_24h: z.number().int(),
  hits_24h: z.number().int(),
  misses_24h: z.number().int(),
});
export type SecretsStatus = z.infer<typeof secretsStatus>;

const setInput = { key: secretName('key'), value: secretValue, backend: backendName.optional() };
const deleteInput = { key: secretName('key'), backend: backendName.optional() };

export const secretsContract = {
  'secrets.list': defineProcedure({
    name: 'secrets.list',
    summary: 'Secrets by name, service, backend and dates, in lookup order; never values',
    access: 'manage_secrets',
    kind: 'query',
    input: z.strictObject({}),
    output: z.object({
      items: z.array(secretItem),
      /** Locked backends whose secrets are not in `items`, and `notice`: what is locked and how to unlock it, in one sentence. */
      locked: z.array(z.object({ backend: z.string(), lock: z.enum(SECRETS_LOCKS) })),
      notice: z.string().nullable(),
    }),
    http: { method: 'GET', path: '/api/secrets' },
  }),
  'secrets.status': defineProcedure({
    name: 'secrets.status',
    summary: 'Backends in lookup order with availability (and why not), and lookups, hits and misses over 24 hours',
    access: 'manage_secrets',
    kind: 'query',
    input: z.strictObject({}),
    output: secretsStatus,
    http: { method: 'GET', path: '/api/secrets/status' },
  }),
  'secrets.set': defineProcedure({
    name: 'secrets.set',
    summary: 'Stores a secret (JSON {value, backend?} or the raw text body); default backend: the first writable one available',
    access: 'manage_secrets',
    kind: 'mutation',
    input: z.strictObject(setInput),
    output: stored,
    http: { method: 'PUT', path: '/api/secrets/{key}', rawBodyField: 'value' },
  }),
  'secrets.setInService': defineProcedure({
    name: 'secrets.setInService',
    summary: 'Stores a secret of a service (secrets://service/key); JSON {value, backend?} or the raw text body',
    access: 'manage_secrets',
    kind: 'mutation',
    input: z.strictObject({ ...setInput, service: secretName('service') }),
    output: stored,
    http: { method: 'PUT', path: '/api/secrets/{service}/{key}', rawBodyField: 'value' },
  }),
  'secrets.delete': defineProcedure({
    name: 'secrets.delete',
    summary: 'Deletes a secret from every writable backend (or the one named by ?backend=)',
    access: 'manage_secrets',
    kind: 'mutation',
    input: z.strictObject(deleteInput),
    output: deleted,
    http: { method: 'DELETE', path: '/api/secrets/{key}' },
  }),
  'secrets.deleteInService': defineProcedure({
    name: 'secrets.deleteInService',
    summary: 'Deletes a secret of a service from every writable backend (or the one named by ?backend=)',
    access: 'manage_secrets',
    kind: 'mutation',
    input: z.strictObject({ ...deleteInput, service: secretName('service') }),
    output: deleted,
    http: { method: 'DELETE', path: '/api/secrets/{service}/{key}' },
  }),
} as const;
