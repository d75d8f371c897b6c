import { randomUUID } from 'node:crypto';
import { ZodError } from 'zod';
import type { Envelope, ErrorBody, Issue } from '@shared/contract/errors';
import type { ProcedureDef, PublicCondition } from '@shared/contract/procedure';
import { MAX_INPUT_DEPTH, tooDeepAt } from '@shared/domain/input-depth';
import { formatPath } from '@shared/domain/yaml-source';
import { hasPermission } from '@shared/rbac/roles';
import { AppError } from '../kernel/errors';
import type { Logger } from '../kernel/ports';
import type { AuditInput } from '../security';
import type { Redactor } from '../security';
import type { HandlerMap } from '../kernel/module';
import { principalName, type CallContext, type Principal } from '../kernel/principal';

export interface DispatcherOptions {
  procedures: readonly ProcedureDef[];
  handlers: HandlerMap;
  audit: { record(entry: AuditInput): void };
  logger: Logger;
  /** Component `RBAC`: every refusal of the gate, for `grep "RBAC" logs/desktop-agent.log` (the guide). */
  rbacLogger?: Logger;
  redactor: Redactor;
  /** Conditions that make some procedures public (`api.public_metrics`, no user yet). */
  isPublic?: (condition: PublicCondition) => boolean;
  /** Check outputs against their schemas (on in tests; catches a handler drifting from the contract). */
  validateOutputs?: boolean;
}

export interface Dispatcher {
  dispatch(name: string, input: unknown, ctx: CallContext): Promise<Envelope<unknown>>;
  /**
   * The access check alone, for streams: undefined when allowed, else the error to answer. Denials
   * are always audited; a grant unless `auditGrant` is false (a principal's further streams).
   */
  authorize(name: string, ctx: CallContext, input?: unknown, options?: { auditGrant?: boolean }): ErrorBody | undefined;
  procedure(name: string): ProcedureDef | undefined;
  readonly procedures: readonly ProcedureDef[];
}

/**
 * The single gate for IPC, HTTP and the CLI: find → authenticate → authorize → validate → run →
 * audit → mask → envelope. Nothing reaches a handler any other way.
 */
export function createDispatcher(options: DispatcherOptions): Dispatcher {
  const byName = new Map(options.procedures.map((p) => [p.name, p]));
  const missing = options.procedures.filter((p) => !options.handlers[p.name]).map((p) => p.name);
  if (missing.length) throw new Error(`No handler for procedures: ${missing.join(', ')}`);
  const log = options.logger;

  const fail = (e: AppError | ErrorBody): Envelope<never> => ({
    ok: false,
    error: options.redactor.maskDeep(e instanceof AppError ? toBody(e) : e),
  });

  const access = (proc: ProcedureDef, ctx: CallContext, input: unknown): { allowed: true } | { allowed: false; error: AppError; decided: boolean } => {
    if (proc.access === 'public') return { allowed: true };
    if (proc.publicWhen && options.isPublic?.(proc.publicWhen)) return { allowed: true };
    const p = ctx.principal;
    if (p.kind !== 'user' && proc.closedAnswer) {
      const { code, message, reason } = proc.closedAnswer;
      return { allowed: false, decided: false, error: new AppError(code, message, { reason }) };
    }
    if (p.kind !== 'user') {
      return { allowed: false, decided: false, error: ctx.authFailure ?? new AppError('UNAUTHENTICATED', 'Authentication required: sign in, or send HTTP Basic credentials or a bearer token') };
    }
    const base = proc.access === 'authenticated' || (proc.selfField !== undefined && isSelf(input, proc.selfField, p)) || hasPermission(p.role, proc.access);
    if (base) {
      const extra = proc.accessWhen?.find((rule) => hasField(input, rule.field) && !hasPermission(p.role, rule.access));
      if (!extra) return { allowed: true };
      return {
        allowed: false,
        decided: true,
        error: new AppError('FORBIDDEN', `Permission '${extra.access}' required ${extra.why}; your role ${p.role} does not have it`, {
          permission: extra.access,
          role: p.role,
          field: extra.field,
        }),
      };
    }
    return {
      allowed: false,
      decided: true,
      error: new AppError('FORBIDDEN', `Permission '${proc.access}' required; your role ${p.role} does not have it`, {
        permission: proc.access,
        role: p.role,
      }),
    };
  };

  const rbacLog = options.rbacLogger;
  /** A refusal is audited and logged: the audit log says who and what; the log lets an operator grep for it beside the rest. */
  const denied = (proc: ProcedureDef, ctx: CallContext, input: unknown, decision: { error: AppError; decided: boolean }) => {
    auditEntry(proc, ctx, input, 'denied', decision.decided ? undefined : { reason: decision.error.code });
    const d = (decision.error.details ?? {}) as { permission?: string; role?: string };
    if (decision.decided) {
      rbacLog?.warn(`RBAC denied ${proc.name} to ${principalName(ctx.principal)} (role ${d.role}): permission '${d.permission}' required`, {
        procedure: proc.name,
        user: principalName(ctx.principal),
        role: d.role,
        permission: d.permission,
        source: ctx.source,
      });
    } else {
      rbacLog?.info(`RBAC refused ${proc.name}: ${decision.error.code === 'UNAUTHENTICATED' ? 'no valid credentials' : decision.error.code}`, { procedure: proc.name, code: decision.error.code, source: ctx.source });
    }
  };

  const auditEntry = (proc: ProcedureDef, ctx: CallContext, input: unknown, result: AuditInput['result'], details?: Record<string, unknown>) => {
    if (proc.access === 'public') return;
    try {
      options.audit.record({
        user: principalName(ctx.principal),
        action: proc.name,
        permission: typeof proc.access === 'string' && proc.access !== 'authenticated' ? proc.access : null,
        resource: resourceOf(input),
        result,
        source: ctx.source,
        details,
      });
    } catch (e) {
      log.error('Could not write the audit log', { error: e as Error, action: proc.name });
    }
  };

  return {
    procedures: options.procedures,
    procedure: (name) => byName.get(name),

    authorize(name, ctx, input, opts) {
      const proc = byName.get(name);
      if (!proc) return toBody(new AppError('UNKNOWN_PROCEDURE', `Unknown procedure '${name}'`));
      const decision = access(proc, ctx, input);
      if (decision.allowed) {
        if (opts?.auditGrant !== false) auditEntry(proc, ctx, input, 'granted');
        return undefined;
      }
      denied(proc, ctx, input, decision);
      return toBody(decision.error);
    },

    async dispatch(name, rawInput, ctx) {
      const proc = byName.get(name);
      if (!proc) return fail(new AppError('UNKNOWN_PROCEDURE', `Unknown procedure '${name}'`, { procedure: name }));

      // The gate comes before the input is parsed: a caller without the right learns nothing
      // about a procedure's input rules, and every refusal is audited whatever was sent. The
      // permission never depends on the input except through selfField and accessWhen, read from the raw input.
      const decision = access(proc, ctx, rawInput);
      if (!decision.allowed) {
        denied(proc, ctx, rawInput, decision);
        return fail(decision.error);
      }

      // Bounded before anything walks it: a hostile nesting is a 400 with the place it stopped, not a stack overflow.
      const deep = tooDeepAt(rawInput);
      if (deep) {
        const issue = { path: formatPath(deep), message: `nested more than ${MAX_INPUT_DEPTH} levels deep; nothing here is read past this point` };
        const err = new AppError('VALIDATION_ERROR', `Invalid input for ${name}: ${issue.path}: ${issue.message}`, { issues: [issue] });
        auditEntry(proc, ctx, rawInput, 'error', { code: err.code });
        return fail(err);
      }

      const parsed = proc.input.safeParse(rawInput ?? {});
      if (!parsed.success) {
        const issues = zodIssues(parsed.error);
        const err = new AppError('VALIDATION_ERROR', `Invalid input for ${name}: ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`, { issues });
        auditEntry(proc, ctx, rawInput, 'error', { code: err.code });
        return fail(err);
      }
      const input = parsed.data;

      // Handlers add what changed (a role from → to) to this call's audit entry.
      let notes: Record<string, unknown> | undefined;
      const callCtx: CallContext = { ...ctx, noteAudit: (d) => (notes = { ...notes, ...d }) };
      try {
        const output = await options.handlers[name]!(input, callCtx);
        let data: unknown = output;
        if (options.validateOutputs) {
          const checked = proc.output.safeParse(output);
          if (!checked.success) {
            log.error(`Output of ${name} does not match its contract`, { issues: zodIssues(checked.error) });
            throw new AppError('INTERNAL', `Internal error: ${name} produced an answer that does not match its contract`, { issues: zodIssues(checked.error) });
          }
          data = checked.data;
        }
        auditEntry(proc, ctx, input, proc.kind === 'query' ? 'granted' : 'ok', notes);
        return { ok: true, data: options.redactor.maskDeep(data) };
      } catch (e) {
        const err = normalizeError(e, name);
        if (err.code === 'INTERNAL') {
          const errorId = (err.details as { errorId?: string } | undefined)?.errorId;
          log.error(`Procedure ${name} failed`, { errorId, error: e instanceof Error ? (e.stack ?? e.message) : String(e) });
        }
        auditEntry(proc, ctx, input, 'error', { ...notes, code: err.code, message: err.message });
        return fail(err);
      }
    },
  };
}

function toBody(e: AppError): ErrorBody {
  return e.details === undefined ? { code: e.code, message: e.message } : { code: e.code, message: e.message, details: e.details };
}

export function zodIssues(error: ZodError): Issue[] {
  return error.issues.map((i) => ({
    path: formatPath(i.path),
    message: i.code === 'unrecognized_keys' ? `unknown field(s): ${i.keys.join(', ')}` : i.message,
  }));
}

function normalizeError(e: unknown, name: string): AppError {
  if (e instanceof AppError) return e;
  if (e instanceof ZodError) {
    const issues = zodIssues(e);
    return new AppError('VALIDATION_ERROR', `Invalid data in ${name}: ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`, { issues });
  }
  // The raw text of an unexpected exception (paths, SQL, a library's words) stays in the log; the
  // caller gets an id to quote, which finds that log line.
  const errorId = randomUUID().slice(0, 8);
  return new AppError('INTERNAL', `Internal error in ${name} (error id ${errorId}; the log has the details)`, { errorId });
}

/** Whether the raw input has a value at `path` (`a.b`, `list[].c`: in any element of `list`). */
function hasField(input: unknown, path: string): boolean {
  let here: unknown[] = [input];
  for (const part of path.split('.')) {
    const each = part.endsWith('[]');
    const key = each ? part.slice(0, -2) : part;
    const next: unknown[] = [];
    for (const v of here) {
      if (!v || typeof v !== 'object') continue;
      const child = (v as Record<string, unknown>)[key];
      if (each) {
        if (Array.isArray(child)) next.push(...child);
      } else if (child !== undefined) next.push(child);
    }
    here = next;
  }
  return here.some((v) => v !== undefined && v !== null);
}

/** The caller acts on their own record: the raw input's selfField is their user id or username. */
function isSelf(input: unknown, field: string, p: Extract<Principal, { kind: 'user' }>): boolean {
  if (!input || typeof input !== 'object') return false;
  const v = (input as Record<string, unknown>)[field];
  return typeof v === 'string' && (v === p.id || v === p.username);
}

function resourceOf(input: unknown): string | null {
  if (!input || typeof input !== 'object') return null;
  const o = input as Record<string, unknown>;
  for (const k of ['id', 'run_id', 'name', 'key', 'username', 'template']) {
    const v = o[k];
    if (typeof v === 'string' || typeof v === 'number') {
      const r = k === 'key' && typeof o.service === 'string' ? `${o.service}/${v}` : String(v);
      return r.length > 200 ? `${r.slice(0, 200)}…` : r;
    }
  }
  return null;
}
