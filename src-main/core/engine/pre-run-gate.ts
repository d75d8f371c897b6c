import type { TemplateModel } from '@shared/dsl/template-model';
import { assessTemplateRisk, riskRank } from '@shared/dsl/template-risk';
import { typedVariables } from '@shared/dsl/variable-types';
import { bilingual, text } from '@shared/i18n';
import { PRE_RUN_STEP, type ApprovalRequest, type ExecutableRun } from '../runs';
import type { Compiled } from './compile-cache';
import { preflightMessage, preflightParams } from './params-preflight';
import { actionsOf, scopeOf, type EngineOutcome, type EngineParts } from './run-context';

const FINISHED: ReadonlySet<string> = new Set(['succeeded', 'failed', 'cancelled']);

/**
 * What must hold before a run's first step: it is not finished, its template is valid, this
 * build has its actions, its required variables have values, and (approval_policy) a risky
 * template was approved. Returns the outcome that ends the run now, or the model and variables.
 */
export function preRunCheck(e: EngineParts, run: ExecutableRun, compiled: Compiled): { ok: false; outcome: EngineOutcome } | { ok: true; model: TemplateModel; variables: Record<string, unknown> } {
  const fail = (error: string, errorCode: string) => ({ ok: false as const, outcome: { status: 'failed' as const, error, errorCode, retryable: false } });
  if (FINISHED.has(run.status)) {
    return { ok: false, outcome: { status: run.status as 'succeeded', error: `Run ${run.id} already finished (${run.status})`, errorCode: 'RUN_FINISHED', retryable: false } };
  }
  if (!compiled.ok) {
    const first = compiled.issues.slice(0, 3).map((i) => `${i.path}${i.line ? ` (line ${i.line})` : ''}: ${i.message}`);
    return fail(`The template is invalid: ${first.join('; ')}${compiled.issues.length > 3 ? ` (+${compiled.issues.length - 3} more)` : ''}`, 'VALIDATION_ERROR');
  }
  const model = compiled.model;
  const missingActions = e.registry.missing(model);
  if (missingActions.length) return fail(`This build cannot run the action(s) ${missingActions.join(', ')} (their family is not installed)`, 'ACTION_UNAVAILABLE');
  const typed = typedVariables(model.variables, run.variables);
  if (typed.problems.length) {
    return fail(`Variable${typed.problems.length > 1 ? 's' : ''} of the wrong type: ${typed.problems.map((p) => `${p.name}: ${p.message}`).join('; ')}`, 'VARIABLE_INVALID');
  }
  const variables = typed.variables;
  const required = Object.entries(model.variables).filter(([k, v]) => v === null && (variables[k] === null || variables[k] === undefined)).map(([k]) => k);
  if (required.length) {
    return fail(`Missing value for variable${required.length > 1 ? 's' : ''} ${required.join(', ')}: give ${required.length > 1 ? 'them' : 'it'} with the run (--var ${required[0]}=…)`, 'VARIABLE_MISSING');
  }
  // Before the first step (and before a pre-run approval is asked for, PRE_RUN_STEP).
  if (run.nextStep <= 0) {
    const problems = preflightParams(model.steps, (a) => e.registry.spec(a), { ...scopeOf(e, run, variables), actions: actionsOf(model) });
    if (problems.length) return fail(preflightMessage(problems), 'INVALID_PARAMS');
  }
  const gate = preRunApproval(e, run, model);
  if (gate) return { ok: false, outcome: gate };
  return { ok: true, model, variables };
}

/**
 * SPEC section 9: with `approval_policy.enabled`, a run whose template has steps at or above
 * `min_risk_level` waits for an approval before its first step (dry runs change nothing and
 * are not held). The request is an ordinary approval at step -1, so it is listed, notified,
 * decided and timed out like a human_confirm; a denial or a timeout fails the run unstarted.
 */
function preRunApproval(e: EngineParts, run: ExecutableRun, model: TemplateModel): EngineOutcome | undefined {
  const asked = run.state.approval?.request.step === PRE_RUN_STEP ? run.state.approval : undefined;
  if (asked) {
    const d = asked.decision;
    if (!d) return { status: 'waiting_approval', approval: asked.request };
    if (d.outcome === 'approved') return undefined;
    if (d.outcome === 'denied') {
      return { status: 'failed', error: e.o.redactor.mask(`Not started: denied by ${d.by ?? 'an approver'}${d.comment ? `: ${d.comment}` : ''}`), errorCode: 'HITL_DENIED', retryable: false };
    }
    const minutes = Math.round((asked.request.timeout_ms / 60_000) * 10) / 10;
    return { status: 'failed', error: `Not started: approval timed out: no decision within ${minutes} minutes; denied automatically (auto_action: deny)`, errorCode: 'HITL_TIMEOUT', retryable: false };
  }
  const policy = e.o.config().approval_policy;
  if (!policy.enabled || run.dryRun || run.nextStep > 0) return undefined;
  const risk = assessTemplateRisk(model, (action) => e.registry.spec(action));
  if (!risk.level || riskRank(risk.level) < riskRank(policy.min_risk_level)) return undefined;
  const now = e.o.clock.now();
  const timeoutMs = Math.round(policy.timeout_minutes * 60_000);
  const request: ApprovalRequest = {
    step: PRE_RUN_STEP,
    // Stored as the request's message (a string in the API): both languages of the catalogue's text.
    message: bilingual(text('hitl.preRunMessage', model.name)),
    details: risk.risks.map((r) => `- ${r.where} ${r.action} [${r.level}]: ${r.reason}`).join('\n'),
    risk_level: risk.level,
    required_role: policy.required_role,
    auto_action: 'deny',
    timeout_ms: timeoutMs,
    requested_at: new Date(now).toISOString(),
    expires_at: new Date(now + timeoutMs).toISOString(),
  };
  e.runs.saveProgress(run.id, 0, { ...run.state, steps: [], approval: { request } });
  e.log.info('Run waits for an approval before it starts', { runId: run.id, risk: risk.level, risks: risk.risks.length });
  return { status: 'waiting_approval', approval: request };
}
