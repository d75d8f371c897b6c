import { z } from 'zod';
import { defineProcedure, isoTime } from './procedure';

export const AUDIT_RESULTS = ['granted', 'denied', 'ok', 'error'] as const;

/** An audit entry (SPEC section 12: these names are fixed). */
export const auditEntryView = z.object({
  id: z.number().int(),
  time: isoTime,
  user: z.string().nullable(),
  action: z.string(),
  permission: z.string().nullable(),
  resource: z.string().nullable(),
  result: z.enum(AUDIT_RESULTS),
  /** An IP address, `ipc` or `cli`. */
  source: z.string(),
  details: z.record(z.string(), z.unknown()).nullable(),
});
export type AuditEntryView = z.infer<typeof auditEntryView>;

/** `since`: an ISO time, or a span back from now (`15m`, `24h`, `7d`). */
export const sinceInput = z
  .string()
  .regex(/^(\d+[smhd]|\d{4}-\d{2}-\d{2}(T[\d:.]+(Z|[+-]\d{2}:?\d{2})?)?)$/, 'since is an ISO time (2026-01-15T09:00:00Z) or a span like 15m, 24h, 7d');

export const auditContract = {
  'audit.list': defineProcedure({
    name: 'audit.list',
    summary: 'The audit log, newest first: filter by action (`auth.` for a family), user, result, since',
    access: 'view_audit_log',
    kind: 'query',
    input: z.strictObject({
      limit: z.coerce.number().int().min(1).max(1000).default(100),
      action: z.string().min(1).max(200).optional(),
      user: z.string().min(1).max(200).optional(),
      result: z.enum(AUDIT_RESULTS).optional(),
      since: sinceInput.optional(),
      cursor: z.string().regex(/^\d+$/, 'cursor is the next_cursor of the previous page').optional(),
    }),
    output: z.object({ items: z.array(auditEntryView), next_cursor: z.string().nullable() }),
    http: { method: 'GET', path: '/api/admin/audit' },
  }),
} as const;
