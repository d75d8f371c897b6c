import { z } from 'zod';
import type { Permission } from '../rbac/roles';

/** Who may call a procedure: a permission of SPEC section 7, anyone, or any signed-in user. */
export type Access = Permission | 'public' | 'authenticated';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** How a procedure is named on the loopback REST API (SPEC section 12). REST is a naming of the contract. */
export interface HttpBinding {
  method: HttpMethod;
  /** OpenAPI-style path: `/api/runs/{id}`. Path parameters become input fields of the same name. */
  path: string;
  /** Status of a successful answer; 200 unless stated. */
  status?: number;
  /** A non-JSON request body (e.g. YAML text) is passed in this input field. */
  rawBodyField?: string;
  /** The output is a RawResponse sent as-is (files, HTML pages, Prometheus text). */
  raw?: boolean;
  /** The answer is a Server-Sent Events stream of contract events. */
  stream?: boolean;
  /** Also served as an HTML form post (application/x-www-form-urlencoded). */
  form?: boolean;
  /** The input also gets `request: {headers, ip, raw_body}` (webhooks verify signatures over the raw body). */
  includeRequest?: boolean;
  /**
   * A browser opening this address (a GET navigation) is sent to this route of the app instead,
   * path parameters filled in (`/#/approvals/{run_id}`): the app signs in first when needed and
   * shows the same thing in the viewer's language and time zone. Other clients get the answer.
   */
  appRoute?: string;
}

export interface ProcedureDef<I extends z.ZodType = z.ZodType, O extends z.ZodType = z.ZodType> {
  name: string;
  summary: string;
  access: Access;
  /** Queries read, mutations change state (mutations are refused to cross-site browser requests). */
  kind: 'query' | 'mutation';
  input: I;
  output: O;
  http: HttpBinding;
  /**
   * When the caller's own user id equals this input field, being signed in is enough
   * (e.g. a user managing their own API tokens).
   */
  selfField?: string;
  /**
   * Further permissions some inputs need, checked by the dispatcher with `access`: when the
   * raw input has `field` (a dotted path; `runs[].template_yaml` means in any element of `runs`),
   * the caller needs `access` too. E.g. running unsaved YAML needs manage_templates (SPEC
   * section 12), while running a stored template needs create_runs only.
   */
  accessWhen?: readonly { field: string; access: Permission; why: string }[];
  /**
   * Public (no credentials) while a condition holds: `public_metrics` (the `api.public_metrics`
   * switch, for `/metrics`) or `no_users` (first-run set-up, only while no user exists).
   */
  publicWhen?: PublicCondition;
  /**
   * What a caller without credentials is told once `publicWhen` no longer holds, instead of 401:
   * `auth.firstRun` after set-up answers 409 "already set up" (the question is settled; signing
   * in would not change the answer).
   */
  closedAnswer?: { code: 'CONFLICT'; message: string; reason: string };
  /**
   * The procedure starts (`issue`: its answer carries `token` and `expires_at`) or ends (`end`)
   * the caller's session. Transports keep the token out of reach of page scripts: HTTP sets or
   * clears the HttpOnly session cookie, the IPC adapter keeps the token per window in main.
   */
  session?: 'issue' | 'end';
}

export type PublicCondition = 'public_metrics' | 'no_users';

export function defineProcedure<I extends z.ZodType, O extends z.ZodType>(def: ProcedureDef<I, O>): ProcedureDef<I, O> {
  return def;
}

export type InputOf<P> = P extends ProcedureDef<infer I, z.ZodType> ? z.input<I> : never;
export type ParsedInputOf<P> = P extends ProcedureDef<infer I, z.ZodType> ? z.output<I> : never;
export type OutputOf<P> = P extends ProcedureDef<z.ZodType, infer O> ? z.output<O> : never;

/** An answer that is not JSON: a file, an HTML page, Prometheus text. */
export const rawResponse = z.object({
  contentType: z.string(),
  body: z.string().optional(),
  filePath: z.string().optional(),
  fileName: z.string().optional(),
  status: z.number().int().optional(),
  headers: z.record(z.string(), z.string()).optional(),
});
export type RawResponse = z.infer<typeof rawResponse>;

/** Timestamps cross the contract as UTC ISO-8601 with `Z`. */
export const isoTime = z.string().regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/, 'UTC ISO-8601 time ending in Z');

export const empty = z.object({}).strict();
export const ok = z.object({ ok: z.literal(true) });
