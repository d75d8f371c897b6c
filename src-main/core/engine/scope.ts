import { formatSegments, getField, type Lookup, type Segment } from '@shared/dsl/expression';
import type { CompiledValue } from '@shared/dsl/template-model';
import { renderParsed, type RenderEnv, type SecretRefText, refsOf, secretKey } from '@shared/dsl/template-string';
import type { StepOutcome } from '../runs';
import { localDate } from './actions/file-access';

/** What `{{ … }}` and `when:` can read at a step (SPEC section 3). */
export interface ScopeData {
  variables: Record<string, unknown>;
  /** Top-level steps by index, and their actions (for messages). */
  steps: readonly (StepOutcome | null)[];
  actions: readonly string[];
  /** Steps by id: earlier top-level steps and earlier steps of the current for_each item. */
  ids: ReadonlyMap<string, { outcome: StepOutcome; action: string }>;
  run: Record<string, unknown>;
  trigger: Record<string, unknown>;
  now: number;
  loop?: Record<string, unknown>;
  loopVars?: Record<string, unknown>;
}

const MAX_LISTED = 15;

function fieldsOf(v: unknown): string {
  if (!v || typeof v !== 'object' || Array.isArray(v)) return '';
  const keys = Object.keys(v);
  return keys.length ? `; fields: ${keys.slice(0, MAX_LISTED).join(', ')}${keys.length > MAX_LISTED ? ', …' : ''}` : '';
}

/** Follows the rest of a path into plain data, explaining where it stops. */
function descend(value: unknown, segs: readonly Segment[], from: number): ReturnType<Lookup> {
  let v = value;
  for (let i = from; i < segs.length; i++) {
    const r = getField(v, segs[i]!);
    if (!r.found) {
      const at = formatSegments(segs.slice(0, i));
      const what = Array.isArray(v) ? `has ${v.length} item${v.length === 1 ? '' : 's'}` : `has no field '${String(segs[i])}'${fieldsOf(v)}`;
      return { found: false, message: `${formatSegments(segs)} is undefined: ${at} ${what}` };
    }
    v = r.value;
  }
  return { found: true, value: v };
}

function stepValue(label: string, action: string, outcome: StepOutcome | null | undefined): ReturnType<Lookup> {
  if (!outcome) return { found: false, message: `${label} (${action}) has not run` };
  if (outcome.status === 'skipped') return { found: false, message: `${label} (${action}) was skipped (its when was false); it has no results` };
  if (outcome.status === 'failed') return { found: false, message: `${label} (${action}) failed (${outcome.error ?? 'error'}); it has no results` };
  return { found: true, value: outcome.result ?? {} };
}

export function makeLookup(s: ScopeData): Lookup {
  return (segs) => {
    const root = String(segs[0]);
    if (s.loopVars && Object.prototype.hasOwnProperty.call(s.loopVars, root)) return descend(s.loopVars[root], segs, 1);
    switch (root) {
      case 'steps': {
        const target = segs[1];
        if (target === undefined) return { found: false, message: 'steps needs an index or an id: steps[0].found or steps.<id>.found' };
        let base: ReturnType<Lookup>;
        if (typeof target === 'number') base = stepValue(`steps[${target}]`, s.actions[target] ?? 'unknown', s.steps[target]);
        else {
          const byId = s.ids.get(target);
          base = byId ? stepValue(`steps.${target}`, byId.action, byId.outcome) : { found: false, message: `no step with the id '${target}' has run` };
        }
        return base.found ? descend(base.value, segs, 2) : base;
      }
      case 'date':
        return segs.length === 1 ? { found: true, value: localDate(s.now) } : { found: false, message: 'date has no fields' };
      case 'now':
        return segs.length === 1 ? { found: true, value: new Date(s.now).toISOString() } : { found: false, message: 'now has no fields' };
      case 'run':
        return descend(s.run, segs, 1);
      case 'trigger':
        return descend(s.trigger, segs, 1);
      case 'loop':
        return s.loop ? descend(s.loop, segs, 1) : { found: false, message: "'loop' is only defined inside for_each" };
      default:
        if (!Object.prototype.hasOwnProperty.call(s.variables, root)) return { found: false, message: `undefined variable '${root}'` };
        if (s.variables[root] === null || s.variables[root] === undefined) return { found: false, message: `variable '${root}' has no value; give it with the run (--var ${root}=…)` };
        return descend(s.variables[root], segs, 1);
    }
  };
}

/** The secret references of a step's params (resolved just before the step runs). */
export function secretRefs(v: CompiledValue, out = new Map<string, SecretRefText>()): Map<string, SecretRefText> {
  switch (v.k) {
    case 'tpl':
      for (const { ref } of refsOf(v.t)) if (ref.kind === 'secret') out.set(secretKey(ref.secret), ref.secret);
      break;
    case 'list':
      v.items.forEach((x) => secretRefs(x, out));
      break;
    case 'map':
      v.entries.forEach(([, x]) => secretRefs(x, out));
      break;
    case 'lit':
      break;
  }
  return out;
}

/** Renders compiled params: single pass, values inserted are never scanned again. */
export function render(v: CompiledValue, env: RenderEnv): unknown {
  switch (v.k) {
    case 'lit':
      return v.v;
    case 'tpl':
      return renderParsed(v.t, env);
    case 'list':
      return v.items.map((x) => render(x, env));
    case 'map': {
      const out: Record<string, unknown> = {};
      for (const [k, x] of v.entries) out[k] = render(x, env);
      return out;
    }
  }
}
