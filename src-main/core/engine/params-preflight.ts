import { ExpressionError, evaluate, pathsOf, truthy, type ExprNode } from '@shared/dsl/expression';
import type { ActionSpec } from '@shared/dsl/action-spec';
import type { CompiledValue, StepNode } from '@shared/dsl/template-model';
import { readsOf, refsOf } from '@shared/dsl/template-string';
import { makeLookup, render, type ScopeData } from './scope';

/**
 * Before a run's first step: the params that are already known from the template and the run's
 * variables (they read only variables, `date`, `now`, `run` and `trigger`) are rendered and checked
 * against their step's schema, so a run whose later step can never accept its params is refused
 * before an earlier step renames, moves or sends anything. Params that read `steps`, a loop item
 * or a secret are known only when their step runs, and are checked then. A step whose `when` is
 * known to be false is skipped; one whose `when` is not known yet is checked (it would run in
 * the case the template is written for).
 */

export interface ParamProblem {
  /** Where the step is: steps[4] or steps[2].for_each.steps[0]. */
  step: string;
  action: string;
  message: string;
}

const ROOTS_KNOWN_AT_START = new Set(['date', 'now', 'run', 'trigger']);

type Known = (root: string) => boolean;

function exprKnown(node: ExprNode, known: Known): boolean {
  return pathsOf(node).every((p) => known(String(p.segs[0])));
}

function valueKnown(v: CompiledValue, known: Known): boolean {
  switch (v.k) {
    case 'lit':
      return true;
    case 'tpl':
      return refsOf(v.t).every(({ ref }) => ref.kind === 'expr' && readsOf(ref).paths.every((p) => known(String(p.segs[0]))));
    case 'list':
      return v.items.every((x) => valueKnown(x, known));
    case 'map':
      return v.entries.every(([, x]) => valueKnown(x, known));
  }
}

const stepLabel = (path: (string | number)[]) => path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${p}`)).join('').replace(/^\./, '');

type FieldSchema = { safeParse(v: unknown): { success: boolean; error?: { issues: { path: PropertyKey[]; message: string }[] } } };

/** What a literal param's check found, per compiled value: a template's literals are checked once, not on every run. */
const literalChecks = new WeakMap<CompiledValue, string[]>();

function literalIssues(value: Extract<CompiledValue, { k: 'lit' }>, key: string, field: FieldSchema): string[] {
  let found = literalChecks.get(value);
  if (!found) {
    const parsed = field.safeParse(value.v);
    found = parsed.success ? [] : (parsed.error?.issues ?? []).map((issue) => `${[key, ...issue.path.map(String)].join('.')}: ${issue.message}`);
    literalChecks.set(value, found);
  }
  return found;
}

/** Step lists whose params are all literals, with no `when` and no nested steps: nothing in them depends on a run. */
const literalOnly = new WeakMap<readonly StepNode[], ParamProblem[] | null>();

/** The first problems found (every step, nested ones included), or none. */
export function preflightParams(steps: readonly StepNode[], specOf: (action: string) => ActionSpec | undefined, scope: Omit<ScopeData, 'steps' | 'ids'>): ParamProblem[] {
  // A template of literals alone has the same problems on every run: found once (issue 18).
  let constant = literalOnly.get(steps);
  if (constant === undefined) {
    const literal = steps.every((s) => !s.when && !s.body && (s.params.k !== 'map' || s.params.entries.every(([, v]) => v.k === 'lit')));
    constant = literal ? checkParams(steps, specOf, scope) : null;
    literalOnly.set(steps, constant);
  }
  return constant ? [...constant] : checkParams(steps, specOf, scope);
}

function checkParams(steps: readonly StepNode[], specOf: (action: string) => ActionSpec | undefined, scope: Omit<ScopeData, 'steps' | 'ids'>): ParamProblem[] {
  const lookup = makeLookup({ ...scope, steps: [], ids: new Map() });
  const problems: ParamProblem[] = [];
  const walk = (list: readonly StepNode[], shadowed: ReadonlySet<string>) => {
    const known: Known = (root) => !shadowed.has(root) && (ROOTS_KNOWN_AT_START.has(root) || Object.prototype.hasOwnProperty.call(scope.variables, root));
    for (const step of list) {
      const at = () => stepLabel(step.path.at(-1) === step.action ? step.path.slice(0, -1) : step.path);
      if (step.when && exprKnown(step.when, known)) {
        try {
          if (!truthy(evaluate(step.when, lookup))) continue;
        } catch (e) {
          if (!(e instanceof ExpressionError)) throw e;
          // Reported when the step is reached, with the run's own wording.
          continue;
        }
      }
      const spec = specOf(step.action);
      const shape = (spec?.params as { shape?: Record<string, FieldSchema> } | undefined)?.shape;
      if (shape && step.params.k === 'map') {
        for (const [key, value] of step.params.entries) {
          const field = shape[key];
          if (!field) continue;
          if (value.k === 'lit') {
            for (const message of literalIssues(value, key, field)) problems.push({ step: at(), action: step.action, message });
            continue;
          }
          if (!valueKnown(value, known)) continue;
          let rendered: unknown;
          try {
            rendered = render(value, { lookup, secrets: new Map() });
          } catch (e) {
            if (!(e instanceof ExpressionError)) throw e;
            problems.push({ step: at(), action: step.action, message: `${key}: ${e.message}` });
            continue;
          }
          const parsed = field.safeParse(rendered);
          if (!parsed.success) {
            for (const issue of parsed.error?.issues ?? []) problems.push({ step: at(), action: step.action, message: `${[key, ...issue.path.map(String)].join('.')}: ${issue.message}` });
          }
        }
      }
      if (step.body) {
        const as = step.params.k === 'map' ? step.params.entries.find(([k]) => k === 'as')?.[1] : undefined;
        const loopName = as?.k === 'lit' && typeof as.v === 'string' ? as.v : 'row';
        walk(step.body, new Set([...shadowed, loopName, 'loop']));
      }
    }
  };
  walk(steps, new Set());
  return problems;
}

/** One sentence for the run's error: which step, what, and that nothing was done. */
export function preflightMessage(problems: readonly ParamProblem[]): string {
  const shown = problems.slice(0, 3).map((p) => `${p.step} ${p.action}: ${p.message}`);
  const more = problems.length > 3 ? ` (+${problems.length - 3} more)` : '';
  return `Refused before the first step (nothing was changed): ${shown.join('; ')}${more}`;
}
