import type { StepNode } from '@shared/dsl/template-model';
import type { ApprovalRequest } from '../runs';
import { ActionError } from './action-types';
import { invalidParams, type EngineParts, type RunContext, type StepResult } from './run-context';

/**
 * `human_confirm` (SPEC section 9): the first time, the step suspends the run with an approval
 * request; when the run resumes, the recorded decision makes the step succeed (approved, or
 * auto_action approve on a timeout) or fail (denied, timed out).
 */
export function execConfirm(e: EngineParts, step: StepNode, rc: RunContext, top: number, rendered: unknown): StepResult {
  const spec = e.registry.spec('human_confirm')!;
  const parsed = spec.params.safeParse(rendered);
  const fail = (error: ActionError): StepResult => ({ status: 'failed', error, params: rendered, idempotent: true, attempt: 1 });
  if (!parsed.success) return fail(invalidParams(parsed.error.issues));
  const p = parsed.data as { message: string; timeout_minutes?: number; auto_action?: 'deny' | 'approve' | 'fail'; required_role?: string; risk_level: ApprovalRequest['risk_level']; details?: string };
  if (rc.run.dryRun) {
    return { status: 'succeeded', result: { would_ask: { message: p.message, risk_level: p.risk_level, required_role: p.required_role ?? 'Editor' } }, params: rendered, attempt: 1 };
  }
  const existing = rc.state.approval;
  if (existing && existing.request.step === top) {
    const d = existing.decision;
    if (!d) return { status: 'suspended', approval: existing.request, params: rendered };
    delete rc.state.approval;
    const minutes = Math.round((existing.request.timeout_ms / 60_000) * 10) / 10;
    const approved = (auto?: string): StepResult => ({
      status: 'succeeded',
      result: { approved: true, decided_by: d.by ?? null, comment: d.comment ?? null, decided_at: d.at, ...(auto ? { auto_action: auto } : {}) },
      params: rendered,
      attempt: 1,
    });
    if (d.outcome === 'approved') return approved();
    if (d.outcome === 'denied') return fail(new ActionError('HITL_DENIED', `denied by ${d.by ?? 'an approver'}${d.comment ? `: ${d.comment}` : ''}`));
    if (existing.request.auto_action === 'approve') return approved('approve');
    return fail(
      new ActionError(
        'HITL_TIMEOUT',
        existing.request.auto_action === 'deny'
          ? `approval timed out: no decision within ${minutes} minutes; denied automatically (auto_action: deny)`
          : `approval timed out after ${minutes} minutes (auto_action: fail)`,
      ),
    );
  }
  const cfg = e.o.config().hitl;
  const now = e.o.clock.now();
  const timeoutMs = p.timeout_minutes !== undefined ? Math.round(p.timeout_minutes * 60_000) : (step.reserved.timeout_ms ?? Math.round(cfg.default_timeout_minutes * 60_000));
  const request: ApprovalRequest = {
    step: top,
    ...(step.id ? { step_id: step.id } : {}),
    message: p.message,
    ...(p.details ? { details: p.details } : {}),
    risk_level: p.risk_level,
    required_role: p.required_role ?? 'Editor',
    // SPEC section 9: a timeout approves only when the template says so.
    auto_action: p.auto_action ?? (cfg.default_auto_action === 'approve' ? 'deny' : cfg.default_auto_action),
    timeout_ms: timeoutMs,
    requested_at: new Date(now).toISOString(),
    expires_at: new Date(now + timeoutMs).toISOString(),
  };
  return { status: 'suspended', approval: request, params: rendered };
}

