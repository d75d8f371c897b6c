import { z } from 'zod';
import { parseSecretRef } from '../domain/secret-ref';

/**
 * `storage` and `node` of orchestrator.yaml (SPEC sections 2 and 16). One machine keeps SQLite in
 * its data dir (the default); a fleet sets `storage: {kind: postgres, url}` on every node. The URL
 * is a `postgres://` URL or a `secrets://name` reference to one (the password then stays in the
 * secrets backend). Messages never repeat the URL: it may hold a password.
 */

export const STORAGE_KINDS = ['sqlite', 'postgres'] as const;
export type StorageKind = (typeof STORAGE_KINDS)[number];

const POSTGRES_URL = /^postgres(?:ql)?:\/\/(?:[^@/?#]*@)?([^/?#]*)\/([^/?#]+)/;

/** What is wrong with a database URL setting, or undefined; never quotes the value (a password may be in it). */
export function databaseUrlProblem(value: string): string | undefined {
  if (value.startsWith('secrets://')) {
    const ref = parseSecretRef(value);
    return ref.ok ? undefined : `not a valid secrets:// reference: ${ref.message}`;
  }
  if (!/^postgres(?:ql)?:\/\//.test(value)) return 'must be a postgres://user@host:port/database URL or a secrets://name reference to one';
  const m = POSTGRES_URL.exec(value);
  if (!m) return 'names no database (expected postgres://user@host:port/database)';
  if (!m[1]) return 'names no host (expected postgres://user@host:port/database)';
  return undefined;
}

export const storageSchema = z
  .strictObject({
    kind: z.enum(STORAGE_KINDS).default('sqlite'),
    url: z.string().optional(),
  })
  .superRefine((s, ctx) => {
    if (s.kind === 'postgres' && !s.url) {
      ctx.addIssue({ code: 'custom', path: ['url'], message: 'kind postgres needs url: a postgres://user@host:port/database URL or a secrets://name reference to one' });
    }
    if (s.kind === 'sqlite' && s.url !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['url'], message: 'url is read only with kind: postgres (SQLite lives in the data dir)' });
    }
    const problem = s.url === undefined ? undefined : databaseUrlProblem(s.url);
    if (problem) ctx.addIssue({ code: 'custom', path: ['url'], message: problem });
  })
  .prefault({});
export type StorageSettings = z.output<typeof storageSchema>;

/** A node label or name: what `execution.runs_on` lists (`desktop`, `os:windows`, `finance-vm-2`). */
export const NODE_LABEL_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.:-]{0,62}$/;
export const NODE_LABEL_RULE = 'labels and node names use letters, digits, _ . : and - (up to 63, starting with a letter or digit)';

export const nodeLabelSchema = z.string().regex(NODE_LABEL_PATTERN, { error: NODE_LABEL_RULE });

export const nodeSchema = z
  .strictObject({
    /** Shown in `fleet nodes` and matched by `runs_on`; the host name when omitted. */
    name: nodeLabelSchema.optional(),
    /** Added to the labels the node finds itself (desktop, browser, os:…). */
    labels: z
      .array(nodeLabelSchema)
      .max(64)
      .refine((list) => new Set(list).size === list.length, 'each label may be listed once')
      .default([]),
  })
  .prefault({});
export type NodeSettings = z.output<typeof nodeSchema>;
