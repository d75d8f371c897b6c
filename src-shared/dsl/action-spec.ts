import type { RiskPhrase } from './template-risk';
import type { z } from 'zod';
import type { RiskLevel } from '../config/orchestrator';

export type ActionFamily = 'files' | 'pdf' | 'mail' | 'http' | 'web' | 'desktop' | 'control';

/**
 * What validation, dry runs, retries and the pre-run risk check know about an action, without
 * its implementation. One spec per action of SPEC section 3 lives in `dsl/actions/<family>.ts`
 * (plain TS, so the renderer validates dropped templates with it too); the Node implementation
 * in `src-main/core/engine/actions/<family>.ts` spreads the spec into its ActionDef, so both
 * sides read the very same param schema.
 */
export interface ActionSpec<P extends z.ZodType = z.ZodType> {
  name: string;
  family: ActionFamily;
  summary: string;
  /** Params without the reserved step params. */
  params: P;
  /** Safe to run twice. */
  idempotent: boolean;
  /** Changes something outside the run (dry runs report `would_*` instead). */
  mutating: boolean;
  /** Result fields later steps may read; undefined when the result is open (HTTP bodies). */
  results?: readonly string[];
  /** Refines `idempotent` for particular params (an HTTP GET is idempotent, a POST is not). */
  idempotentFor?(params: z.output<P>): boolean;
  /** Refines `mutating` for particular params (an HTTP GET only reads). */
  mutatingFor?(params: z.output<P>): boolean;
  /** Risk of a step with these params, for the pre-run approval check. */
  risk?(params: z.output<P>): { level: RiskLevel; reason: string; phrase?: RiskPhrase } | undefined;
  /** Needs a draft from an earlier `compose_mail`. */
  needsDraft?: boolean;
  /** Steps the runner handles itself: nested steps or a suspension for approval. */
  control?: 'for_each' | 'human_confirm';
}

export function defineActionSpec<P extends z.ZodType>(spec: ActionSpec<P>): ActionSpec<P> {
  return spec;
}
