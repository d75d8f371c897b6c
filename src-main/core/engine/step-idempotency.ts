import type { StepNode } from '@shared/dsl/template-model';
import type { ActionRegistry } from './registry';

/**
 * Is repeating a step harmless, judged from the template alone (`idempotent:` on the step, else
 * the action's; a for_each when its whole body is). Once params are rendered, the action may
 * refine it (an HTTP GET is idempotent, a POST is not): see step-exec.ts.
 */
export function stepIdempotent(registry: ActionRegistry, step: StepNode): boolean {
  if (step.reserved.idempotent !== undefined) return step.reserved.idempotent;
  if (step.body) return step.body.every((b) => stepIdempotent(registry, b));
  return registry.get(step.action)?.idempotent ?? registry.spec(step.action)?.idempotent ?? true;
}
