import type { z } from 'zod';
import type { ActionSpec } from '@shared/dsl/action-spec';
import { defineAction, type ActionDef } from '../action-types';

/**
 * An ActionDef from its shared spec (src-shared/dsl/actions) and its implementation, so the
 * schema the validator checks and the schema the runner parses are one object.
 */
export function implement<P extends z.ZodType>(spec: ActionSpec<P>, impl: Pick<ActionDef<P>, 'run' | 'dryRun' | 'captureScreenshot'>): ActionDef<P> {
  return defineAction({
    name: spec.name,
    family: spec.family,
    summary: spec.summary,
    params: spec.params,
    idempotent: spec.idempotent,
    mutating: spec.mutating,
    risk: spec.risk,
    ...impl,
  });
}
