import { z } from 'zod';
import type { ExprNode } from './expression';
import { bool, int, num } from './params';
import type { ParsedTemplate } from './template-string';

/** A template after validation: what the runner executes (parsed once, cached by content hash). */

export const RESERVED_STEP_PARAMS = ['when', 'id', 'timeout_ms', 'retry', 'idempotent', 'continue_on_error'] as const;

/** Names a template cannot use for its variables: they are the roots of `{{ … }}` paths. */
export const RESERVED_ROOTS = ['steps', 'date', 'now', 'run', 'trigger', 'loop', 'secrets'] as const;

/** Fields of `run.*` in templates. */
export const RUN_FIELDS = ['id', 'template', 'dry_run', 'attempt', 'trigger', 'requested_by'] as const;
/** Fields of `loop.*` inside for_each. */
export const LOOP_FIELDS = ['index', 'number', 'count', 'first', 'last'] as const;

export const STEP_ID = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;
export const VARIABLE_NAME = /^[\p{L}_][\p{L}\p{N}_]{0,127}$/u;

export const reservedParamsSchema = z.strictObject({
  when: z.string({ error: 'expected an expression such as "steps[0].found > 0"' }).optional(),
  id: z.string({ error: 'expected a step id' }).regex(STEP_ID, { error: 'an id is letters, digits and _, starting with a letter or _ (at most 64)' }).optional(),
  timeout_ms: int(1, 86_400_000, 'milliseconds').optional(),
  retry: z
    .strictObject({
      max_attempts: int(1, 10, 'a number of attempts'),
      backoff_ms: int(0, 3_600_000, 'milliseconds').default(1_000),
    })
    .optional(),
  idempotent: bool().optional(),
  continue_on_error: bool().optional(),
});
export type ReservedParams = z.output<typeof reservedParamsSchema>;

export const executionSchema = z.strictObject({
  queue: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, { error: 'queue names use letters, digits, _ and -' }).optional(),
  priority: int(1, 9, 'a priority (1 highest, 9 lowest)').optional(),
  concurrency_tag: z.string().min(1).max(64).optional(),
  timeout_ms: int(1, 7 * 86_400_000, 'milliseconds').optional(),
  retry: z
    .strictObject({
      max_attempts: int(1, 100, 'a number of attempts'),
      backoff_ms: int(0, 86_400_000, 'milliseconds'),
      backoff_multiplier: num(1, 100),
      max_backoff_ms: int(0, 7 * 86_400_000, 'milliseconds'),
      jitter: num(0, 1),
      only_idempotent: bool(),
    })
    .partial()
    .optional(),
});
export type Execution = z.output<typeof executionSchema>;

/** A param value with its templates parsed: rendering walks this, never the raw text. */
export type CompiledValue =
  | { k: 'lit'; v: unknown }
  | { k: 'tpl'; t: ParsedTemplate; raw: string }
  | { k: 'list'; items: CompiledValue[] }
  | { k: 'map'; entries: [string, CompiledValue][] };

export interface StepNode {
  /** Index within its list (top-level steps, or a for_each body). */
  index: number;
  /** Where the step is in the template: ['steps', 3] or ['steps', 3, 'for_each', 'steps', 0]. */
  path: (string | number)[];
  action: string;
  id?: string;
  when?: ExprNode;
  whenText?: string;
  params: CompiledValue;
  reserved: ReservedParams;
  /** Nested steps of for_each. */
  body?: StepNode[];
}

export interface TemplateModel {
  name: string;
  description?: string;
  /** Declared variables with their defaults; `null` means "must be given with the run". */
  variables: Record<string, unknown>;
  execution: Execution;
  steps: StepNode[];
}

/** Every step, nested ones included, in template order. */
export function allSteps(steps: readonly StepNode[]): StepNode[] {
  const out: StepNode[] = [];
  const walk = (list: readonly StepNode[]) => {
    for (const s of list) {
      out.push(s);
      if (s.body) walk(s.body);
    }
  };
  walk(steps);
  return out;
}
