import { z } from 'zod';

/** Error codes every transport shares, with their HTTP status (SPEC section 12). */
export const ERROR_STATUS = {
  VALIDATION_ERROR: 400,
  UNKNOWN_PROCEDURE: 400,
  INVALID_JSON: 400,
  UNAUTHENTICATED: 401,
  BAD_SIGNATURE: 401,
  FORBIDDEN: 403,
  IP_NOT_ALLOWED: 403,
  CROSS_SITE_REQUEST: 403,
  NOT_FOUND: 404,
  CONFLICT: 409,
  ALREADY_DECIDED: 409,
  REPLAYED: 409,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  MISDIRECTED_REQUEST: 421,
  RATE_LIMITED: 429,
  QUEUE_FULL: 429,
  UNAVAILABLE: 503,
  INTERNAL: 500,
} as const;

export type ErrorCode = keyof typeof ERROR_STATUS;

export const errorBody = z.object({
  code: z.string(),
  message: z.string(),
  details: z.unknown().optional(),
});
export type ErrorBody = z.infer<typeof errorBody>;

/** The result envelope every procedure call returns, over IPC and inside the core. */
export type Envelope<T> = { ok: true; data: T } | { ok: false; error: ErrorBody };

/** One problem in an input, with where it is (`steps[2].pdf_merge.out`, line, column where known). */
export const issue = z.object({
  path: z.string(),
  message: z.string(),
  line: z.number().int().optional(),
  column: z.number().int().optional(),
});
export type Issue = z.infer<typeof issue>;

export function statusOf(code: string): number {
  return (ERROR_STATUS as Record<string, number>)[code] ?? 500;
}
