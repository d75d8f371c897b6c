import type { SecretRefText } from '@shared/dsl/template-string';
import type { Redactor } from '../security';
import { ActionError } from './action-types';
import { secretRefs } from './scope';
import type { StepNode } from '@shared/dsl/template-model';

/**
 * Secrets in the engine (SPEC section 8): `{{secrets://…}}` is read at step time from the
 * secrets module's backends, and every value read is registered with the redactor before
 * anything is stored, logged or sent. All of the engine's secret handling is here.
 */

/** Reads `{{secrets://…}}` at step time; the secrets module supplies the backends. */
export interface SecretResolver {
  /** `message` explains a miss (`Secret 'key' not found`, and which backends could not be asked). */
  resolve(ref: SecretRefText, access: { runId: string; step: number; user: string | null }): Promise<{ found: true; value: string } | { found: false; message?: string }>;
}

export interface SecretAccess {
  runId: string;
  step: number;
  user: string | null;
}

function notFound(ref: SecretRefText): string {
  return `Secret '${ref.service ? `${ref.service}/${ref.key}` : ref.key}' not found`;
}

const refsByStep = new WeakMap<StepNode, ReadonlyMap<string, SecretRefText>>();

/**
 * The `{{secrets://…}}` references of a step's params (most steps have none: no await then),
 * found once per compiled step: they are fixed by the template (issue 18: a walk and a Map per
 * step of every run).
 */
export function stepSecretRefs(step: StepNode): ReadonlyMap<string, SecretRefText> {
  let refs = refsByStep.get(step);
  if (!refs) refsByStep.set(step, (refs = secretRefs(step.params)));
  return refs;
}

/** The values of a step's secret references, by reference text; or the failure that stops the step. */
export async function resolveStepSecrets(
  refs: ReadonlyMap<string, SecretRefText>,
  deps: { secrets: SecretResolver; redactor: Redactor; access: SecretAccess },
): Promise<{ ok: true; secrets: Map<string, string> } | { ok: false; error: ActionError }> {
  const secrets = new Map<string, string>();
  for (const [key, ref] of refs) {
    let got: Awaited<ReturnType<SecretResolver['resolve']>>;
    try {
      got = await deps.secrets.resolve(ref, deps.access);
    } catch (e) {
      return { ok: false, error: new ActionError('SECRET_BACKEND_ERROR', `Secret '${key}' could not be read: ${(e as Error).message}`, true).beforeAnyEffect() };
    }
    if (!got.found) return { ok: false, error: new ActionError('SECRET_NOT_FOUND', got.message ?? notFound(ref)) };
    // Registered before anything is stored, logged or sent.
    deps.redactor.register(got.value);
    secrets.set(key, got.value);
  }
  return { ok: true, secrets };
}

/** An action's own secret lookup (`ctx.resolveSecret('{{secrets://key}}')`), registered like the others. */
export function actionSecretResolver(deps: { secrets: SecretResolver; redactor: Redactor; access: SecretAccess }): (reference: string) => Promise<string> {
  return async (reference) => {
    const body = reference.replace(/^\{\{\s*|\s*\}\}$/g, '').replace(/^secrets:\/\//, '');
    const [a, b] = body.split('/');
    const ref: SecretRefText = b === undefined ? { key: a! } : { service: a!, key: b };
    const got = await deps.secrets.resolve(ref, deps.access);
    if (!got.found) throw new ActionError('SECRET_NOT_FOUND', got.message ?? notFound(ref));
    deps.redactor.register(got.value);
    return got.value;
  };
}
