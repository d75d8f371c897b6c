// size: one Validator walks a template once; its checks share the walk's state (scope, ids, positions) to report every problem at once
import type { z } from 'zod';
import type { Issue } from '../contract/errors';
import { formatPath, type YamlSource } from '../domain/yaml-source';
import type { ActionSpec } from './action-spec';
import { ACTION_SPECS } from './actions';
import { ExpressionSyntaxError, formatSegments, parseExpression, pathsOf, type ExprNode, type Segment } from './expression';
import { didYouMean } from './suggest';
import {
  LOOP_FIELDS,
  RESERVED_ROOTS,
  RESERVED_STEP_PARAMS,
  RUN_FIELDS,
  VARIABLE_NAME,
  executionSchema,
  reservedParamsSchema,
  type CompiledValue,
  type Execution,
  type StepNode,
  type TemplateModel,
} from './template-model';
import { TemplateSyntaxError, hasTemplate, parseTemplateString, readsOf, refsOf } from './template-string';
import { validateShape } from './validate-shape';

/**
 * The full check of a DSL 1.1 template (SPEC section 3): YAML, shape, every step's action and
 * params (with "did you mean" hints), reserved step params, `when` expressions, every `{{ … }}`
 * reference (an undefined variable or a step that has not run yet is an error), ids, order
 * (a draft before attach_files), and size and nesting bounds. All problems are reported at once,
 * each with its path, line and column. Never throws on any input.
 */

export const MAX_STEPS = 1_000;
export const MAX_DEPTH = 32;
export const MAX_LOOP_NESTING = 3;

export interface ValidateOptions {
  /** The action table to check against (default: every action of DSL 1.1). */
  actions?: ReadonlyMap<string, ActionSpec>;
}

export interface ValidationReport {
  valid: boolean;
  errors: Issue[];
  warnings: Issue[];
  /** Present when valid. */
  template?: TemplateModel;
}

type Path = (string | number)[];

interface VisibleStep {
  action: string;
  /** Top-level index of the step, or of the for_each that contains it. */
  top: number;
}

interface Scope {
  /** Top-level index of the step being checked (its enclosing top-level step when nested). */
  top: number;
  /** Ids that the step may read: earlier top-level steps and earlier steps of enclosing bodies. */
  ids: Map<string, VisibleStep>;
  /** Names bound by enclosing for_each loops (`row`). */
  loopVars: string[];
  loopDepth: number;
}

export function validateTemplate(text: string, options: ValidateOptions = {}): ValidationReport {
  try {
    return new Validator(text, options.actions ?? ACTION_SPECS).run();
  } catch (e) {
    // A bug here must never crash a caller: report it as a problem of the template.
    return { valid: false, errors: [{ path: '(root)', message: `internal validator error: ${(e as Error).message}`, line: 1, column: 1 }], warnings: [] };
  }
}

class Validator {
  private readonly errors: Issue[] = [];
  private readonly warnings: Issue[] = [];
  private source!: YamlSource;
  private starts: number[] | undefined;
  private variables = new Set<string>();
  private readonly ids = new Map<string, Path>();
  private stepCount = 0;
  private draftSeen = false;
  private topSteps: { action: string; id?: string }[] = [];
  /** Every id in the template, to tell "not run yet" from "no such step". */
  private allIds = new Set<string>();

  constructor(
    private readonly text: string,
    private readonly actions: ReadonlyMap<string, ActionSpec>,
  ) {}

  run(): ValidationReport {
    const shape = validateShape(this.text);
    this.errors.push(...shape.errors);
    this.warnings.push(...shape.warnings);
    if (!shape.source || !shape.value) return this.report();
    this.source = shape.source;
    const t = shape.value;

    const depth = depthOf(t);
    if (depth > MAX_DEPTH) {
      this.error([], `the template is nested ${depth} levels deep; at most ${MAX_DEPTH}`);
      return this.report();
    }

    const variables = this.checkVariables(t.variables);
    const execution = this.checkExecution(t.execution);
    if (t.description !== undefined && typeof t.description !== 'string') this.error(['description'], 'description must be a text', false);

    const steps: StepNode[] = [];
    collectIds(t.steps, this.allIds);
    if (Array.isArray(t.steps)) {
      const scope: Scope = { top: 0, ids: new Map(), loopVars: [], loopDepth: 0 };
      t.steps.forEach((raw, i) => {
        scope.top = i;
        const node = this.checkStep(raw, i, ['steps', i], scope, true);
        this.topSteps.push({ action: node?.action ?? '', id: node?.id });
        if (node) {
          steps.push(node);
          if (node.id) scope.ids.set(node.id, { action: node.action, top: i });
        }
      });
      if (this.stepCount > MAX_STEPS) this.error(['steps'], `the template has ${this.stepCount} steps; at most ${MAX_STEPS}`, false);
    }

    if (this.errors.length) return this.report();
    return this.report({
      name: String(t.name),
      description: typeof t.description === 'string' ? t.description : undefined,
      variables,
      execution,
      steps,
    });
  }

  private report(template?: TemplateModel): ValidationReport {
    const valid = this.errors.length === 0;
    return { valid, errors: this.errors, warnings: this.warnings, ...(valid && template ? { template } : {}) };
  }

  // ---- positions -------------------------------------------------------------------------

  private at(path: Path, preferKey = true): { line: number; column: number } {
    return this.source.locate(path, preferKey);
  }

  private error(path: Path, message: string, preferKey = true): void {
    this.errors.push({ path: formatPath(path), message, ...this.at(path, preferKey) });
  }

  private warn(path: Path, message: string, preferKey = true): void {
    this.warnings.push({ path: formatPath(path), message, ...this.at(path, preferKey) });
  }

  /** Offsets where lines start (computed when a problem needs them). */
  private get lineStarts(): number[] {
    if (!this.starts) {
      this.starts = [0];
      let i = this.text.indexOf('\n');
      while (i >= 0) {
        this.starts.push(i + 1);
        i = this.text.indexOf('\n', i + 1);
      }
    }
    return this.starts;
  }

  /** Line and column of `needle` (found at or after the value at `path`), plus an offset into it. */
  private within(path: Path, needle: string, inner: number): { line: number; column: number } {
    const start = this.at(path, false);
    const from = (this.lineStarts[start.line - 1] ?? 0) + start.column - 1;
    const found = needle ? this.text.indexOf(needle, from) : -1;
    if (found < 0 || found - from > needle.length * 4 + 200) return start;
    const offset = found + inner;
    let line = 0;
    let lo = 0;
    let hi = this.lineStarts.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (this.lineStarts[mid]! <= offset) {
        line = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    return { line: line + 1, column: offset - this.lineStarts[line]! + 1 };
  }

  private errorWithin(path: Path, needle: string, inner: number, message: string): void {
    this.errors.push({ path: formatPath(path), message, ...this.within(path, needle, inner) });
  }

  // ---- top level -------------------------------------------------------------------------

  private checkVariables(raw: unknown): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    if (!raw || typeof raw !== 'object' || Array.isArray(raw)) return out;
    for (const [name, value] of Object.entries(raw as Record<string, unknown>)) {
      if (!VARIABLE_NAME.test(name)) {
        this.error(['variables', name], `'${name}' is not a variable name: use letters, digits and _ (no spaces, dots or dashes)`);
        continue;
      }
      if ((RESERVED_ROOTS as readonly string[]).includes(name)) {
        this.error(['variables', name], `'${name}' is reserved in templates (${RESERVED_ROOTS.join(', ')}); choose another name`);
        continue;
      }
      if (typeof value === 'string' && hasTemplate(value)) {
        this.warn(['variables', name], `variable values are data, not templates: '${value}' stays literal (compute it in the step instead)`, false);
      }
      this.variables.add(name);
      out[name] = value;
    }
    return out;
  }

  private checkExecution(raw: unknown): Execution {
    if (raw === undefined || raw === null) return {};
    const r = executionSchema.safeParse(raw);
    if (r.success) return r.data;
    this.zodIssues(['execution'], raw, r.error.issues, executionSchema, 'key', () => false);
    return {};
  }

  // ---- steps -----------------------------------------------------------------------------

  private checkStep(raw: unknown, index: number, path: Path, scope: Scope, topLevel: boolean): StepNode | undefined {
    this.stepCount++;
    if (!raw || typeof raw !== 'object' || Array.isArray(raw) || Object.keys(raw).length !== 1) {
      // Top-level shape problems were reported by the first pass.
      if (!topLevel) this.error(path, 'a step is a single-key mapping: - <action>: {params}', false);
      return undefined;
    }
    const [action, rawParams] = Object.entries(raw as Record<string, unknown>)[0]!;
    const spec = this.actions.get(action);
    const here = [...path, action];
    if (!spec) {
      const hint = didYouMean(action, this.actions.keys());
      this.error(here, `unknown action '${action}'${hint}${hint ? '' : `; actions: ${[...this.actions.keys()].join(', ')}`}`);
      return undefined;
    }
    if (rawParams !== null && rawParams !== undefined && (typeof rawParams !== 'object' || Array.isArray(rawParams))) {
      this.error(here, `the params of ${action} are a mapping: - ${action}: { … }`, false);
      return undefined;
    }
    const all = { ...((rawParams as Record<string, unknown> | null) ?? {}) };
    const reservedRaw: Record<string, unknown> = {};
    for (const k of RESERVED_STEP_PARAMS) {
      if (k in all && !(k === 'timeout_ms' && paramKeys(spec).includes('timeout_ms'))) {
        reservedRaw[k] = all[k];
        delete all[k];
      } else if (k === 'timeout_ms' && k in all) {
        // The action reads timeout_ms itself (waits, HTTP); it also bounds the step (see runner).
        reservedRaw[k] = all[k];
      }
    }

    const reserved = reservedParamsSchema.safeParse(reservedRaw);
    if (!reserved.success) this.zodIssues(here, reservedRaw, reserved.error.issues, reservedParamsSchema, 'param', () => false);

    let when: ExprNode | undefined;
    let whenText: string | undefined;
    if (typeof reservedRaw.when === 'string') {
      whenText = reservedRaw.when;
      const wrapped = /^\s*\{\{([\s\S]*)\}\}\s*$/.exec(whenText);
      if (wrapped && !wrapped[1]!.includes('{{')) {
        this.warn([...here, 'when'], 'when is already an expression: write it without {{ }}', false);
        whenText = wrapped[1]!;
      }
      try {
        when = parseExpression(whenText);
        this.checkReads(when, [...here, 'when'], whenText, 0, scope, false);
      } catch (e) {
        if (e instanceof ExpressionSyntaxError) this.errorWithin([...here, 'when'], whenText, e.offset, `invalid when expression: ${e.message}`);
        else throw e;
      }
    }

    const id = reserved.success ? reserved.data.id : undefined;
    if (id !== undefined) {
      const before = this.ids.get(id);
      if (before) this.error([...here, 'id'], `duplicate step id '${id}' (also at ${formatPath(before)})`, false);
      else this.ids.set(id, here);
    }

    if (spec.control === 'human_confirm' && scope.loopDepth > 0) this.error(here, 'human_confirm cannot be inside for_each: ask once before the loop');
    if (spec.needsDraft && !this.draftSeen) this.error(here, `${action} needs a mail draft: put a compose_mail step before it`);
    if (action === 'compose_mail') this.draftSeen = true;

    // Params: the spec's schema, skipping values that are still templates.
    const bodyRaw = spec.control === 'for_each' ? all.steps : undefined;
    const forSchema = spec.control === 'for_each' && Array.isArray(bodyRaw) ? { ...all, steps: bodyRaw.length ? bodyRaw : [] } : all;
    const parsed = spec.params.safeParse(forSchema);
    if (!parsed.success) {
      this.zodIssues(here, forSchema, parsed.error.issues, spec.params, 'param', (p) => isTemplatedAt(forSchema, p));
    }

    const compileFrom = spec.control === 'for_each' ? omit(all, 'steps') : all;
    const params = this.compile(compileFrom, here, scope, spec.control === 'for_each' ? (all.as as string | undefined) : undefined);

    let body: StepNode[] | undefined;
    if (spec.control === 'for_each' && Array.isArray(bodyRaw)) {
      if (scope.loopDepth + 1 > MAX_LOOP_NESTING) {
        this.error([...here, 'steps'], `for_each is nested more than ${MAX_LOOP_NESTING} levels deep`);
      } else {
        const as = typeof all.as === 'string' && VARIABLE_NAME.test(all.as) ? all.as : 'row';
        if (this.variables.has(as)) this.warn([...here, 'as'], `the loop item '${as}' hides the variable of the same name inside the loop`);
        const inner: Scope = { top: scope.top, ids: new Map(scope.ids), loopVars: [...scope.loopVars, as], loopDepth: scope.loopDepth + 1 };
        body = [];
        bodyRaw.forEach((b, j) => {
          const node = this.checkStep(b, j, [...here, 'steps', j], inner, false);
          if (node) {
            body!.push(node);
            if (node.id) inner.ids.set(node.id, { action: node.action, top: scope.top });
          }
        });
      }
    }

    return { index, path: here, action, id, when, whenText, params, reserved: reserved.success ? reserved.data : {}, ...(body ? { body } : {}) };
  }

  /** Parses every string of the params into a CompiledValue, checking each reference. */
  private compile(value: unknown, path: Path, scope: Scope, loopVar?: string): CompiledValue {
    if (typeof value === 'string') {
      if (!hasTemplate(value)) return { k: 'lit', v: value };
      try {
        const t = parseTemplateString(value);
        for (const { ref, offset } of refsOf(t)) {
          const { paths, soft } = readsOf(ref);
          for (const p of paths) this.checkPath(p.segs, path, value, offset + ref.source.indexOf(p.text), scope, soft && p === paths[0]);
        }
        return { k: 'tpl', t, raw: value };
      } catch (e) {
        if (e instanceof TemplateSyntaxError) {
          this.errorWithin(path, value, e.offset, `invalid template: ${e.message}`);
          return { k: 'lit', v: value };
        }
        throw e;
      }
    }
    if (Array.isArray(value)) return { k: 'list', items: value.map((v, i) => this.compile(v, [...path, i], scope, loopVar)) };
    if (value && typeof value === 'object') {
      return { k: 'map', entries: Object.entries(value as Record<string, unknown>).map(([k, v]) => [k, this.compile(v, [...path, k], scope, loopVar)]) };
    }
    return { k: 'lit', v: value };
  }

  private checkReads(expr: ExprNode, path: Path, text: string, base: number, scope: Scope, soft: boolean): void {
    for (const p of pathsOf(expr)) this.checkPath(p.segs, path, text, base + p.pos, scope, soft);
  }

  /** A path read by a template or a `when`: is it defined at this point of the template? */
  private checkPath(segs: readonly Segment[], path: Path, text: string, offset: number, scope: Scope, soft: boolean): void {
    const root = String(segs[0]);
    const shown = formatSegments(segs);
    const fail = (message: string) => this.errorWithin(path, text, offset, message);
    if (scope.loopVars.includes(root)) return;
    switch (root) {
      case 'steps':
        return this.checkStepRef(segs, scope, fail);
      case 'date':
      case 'now':
        if (segs.length > 1) fail(`'${root}' is a text (${root === 'date' ? 'YYYY-MM-DD' : 'ISO time'}); it has no field ${formatSegments(segs.slice(1))}`);
        return;
      case 'run':
        if (segs.length > 1 && !(RUN_FIELDS as readonly (string | number)[]).includes(segs[1]!)) {
          fail(`run has no field '${String(segs[1])}'${didYouMean(String(segs[1]), RUN_FIELDS)}; fields: ${RUN_FIELDS.join(', ')}`);
        }
        return;
      case 'trigger':
        return;
      case 'loop':
        if (scope.loopDepth === 0) fail("'loop' is only defined inside for_each");
        else if (segs.length > 1 && !(LOOP_FIELDS as readonly (string | number)[]).includes(segs[1]!)) {
          fail(`loop has no field '${String(segs[1])}'${didYouMean(String(segs[1]), LOOP_FIELDS)}; fields: ${LOOP_FIELDS.join(', ')}`);
        }
        return;
      case 'secrets':
        fail("write secrets as {{secrets://key}} or {{secrets://service/key}}");
        return;
      default:
        if (this.variables.has(root) || soft) return;
        {
          const known = [...this.variables, ...scope.loopVars, 'steps', 'date', 'now', 'run', 'trigger', ...(scope.loopDepth ? ['loop'] : [])];
          const hint = didYouMean(root, known);
          fail(
            `undefined variable '${shown}'${hint}: declare it under variables: (null if it must be given with each run), or add | default:'…'`,
          );
        }
    }
  }

  private checkStepRef(segs: readonly Segment[], scope: Scope, fail: (m: string) => void): void {
    const target = segs[1];
    if (target === undefined) {
      fail('steps needs an index or an id: steps[0].found or steps.<id>.found');
      return;
    }
    let action: string | undefined;
    if (typeof target === 'number') {
      if (target >= scope.top) {
        fail(
          target === scope.top
            ? `steps[${target}] is this step${scope.loopDepth ? ' (or the for_each around it)' : ''}; a step can read only the results of steps before it`
            : `steps[${target}] has not run yet at this point; a step can read only the results of steps before it`,
        );
        return;
      }
      action = this.topSteps[target]?.action;
    } else {
      const seen = scope.ids.get(target);
      if (!seen) {
        const later = this.allIds.has(target);
        fail(
          later
            ? `steps.${target} has not run yet at this point; a step can read only the results of steps before it`
            : `no step has the id '${target}'${didYouMean(target, scope.ids.keys())}`,
        );
        return;
      }
      action = seen.action;
    }
    const field = segs[2];
    const spec = action ? this.actions.get(action) : undefined;
    if (field !== undefined && spec?.results && !spec.results.includes(String(field))) {
      fail(`${action} results have no field '${String(field)}'${didYouMean(String(field), spec.results)}; fields: ${spec.results.join(', ')}`);
    }
  }


  // ---- zod issues ------------------------------------------------------------------------

  /**
   * Turns zod issues into located problems. Unknown keys get a hint from the schema's own keys
   * (and, for step params, the reserved ones); `skip` drops issues about values that are still
   * templates (checked again after rendering).
   */
  private zodIssues(base: Path, data: unknown, issues: z.core.$ZodIssue[], schema: z.ZodType, noun: 'param' | 'key', skip: (p: Path) => boolean): void {
    for (const issue of issues) {
      const rel = issue.path.filter((p): p is string | number => typeof p !== 'symbol');
      if (skip(rel)) continue;
      if (issue.code === 'unrecognized_keys') {
        const keys = keysAt(schema, rel);
        const candidates = noun === 'param' && rel.length === 0 ? [...keys, ...RESERVED_STEP_PARAMS] : keys;
        for (const key of issue.keys) {
          const hint = didYouMean(key, candidates);
          this.error([...base, ...rel, key], `unknown ${noun} '${key}'${hint || `; ${noun}s: ${keys.join(', ') || '(none)'}`}`);
        }
        continue;
      }
      const value = getAt(data, rel);
      const message = value === undefined && issue.code === 'invalid_type' ? 'required' : issue.message;
      this.error([...base, ...rel], message, value === undefined);
    }
  }
}

function collectIds(steps: unknown, out: Set<string>): void {
  if (!Array.isArray(steps)) return;
  for (const step of steps) {
    if (!step || typeof step !== 'object' || Array.isArray(step)) continue;
    for (const params of Object.values(step as Record<string, unknown>)) {
      if (!params || typeof params !== 'object' || Array.isArray(params)) continue;
      const p = params as Record<string, unknown>;
      if (typeof p.id === 'string') out.add(p.id);
      collectIds(p.steps, out);
    }
  }
}

function paramKeys(spec: ActionSpec): string[] {
  return keysAt(spec.params, []);
}

/** What keysAt reads of a schema: zod 4's public `def` (never the private `_zod`). */
interface ZodDefLike {
  def?: { type?: string; shape?: Record<string, ZodDefLike>; innerType?: ZodDefLike; in?: ZodDefLike; element?: ZodDefLike };
}

/** The keys an object schema accepts at a path (through optional, default, pipe and arrays). */
function keysAt(schema: unknown, path: readonly (string | number)[]): string[] {
  let s = schema as ZodDefLike | undefined;
  const unwrap = () => {
    for (let i = 0; i < 10 && s?.def; i++) {
      const d = s.def;
      if (d.innerType) s = d.innerType;
      else if (d.type === 'pipe' && d.in) s = d.in;
      else break;
    }
  };
  unwrap();
  for (const seg of path) {
    const d = s?.def;
    if (d?.type === 'object' && typeof seg === 'string') s = d.shape?.[seg];
    else if (d?.type === 'array' && typeof seg === 'number') s = d.element;
    else return [];
    unwrap();
  }
  const d = s?.def;
  return d?.type === 'object' && d.shape ? Object.keys(d.shape) : [];
}

function getAt(data: unknown, path: readonly (string | number)[]): unknown {
  let v = data;
  for (const seg of path) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<string | number, unknown>)[seg];
  }
  return v;
}

/** True when the value at `path` (or a value above it) is still a `{{ … }}` template. */
function isTemplatedAt(data: unknown, path: readonly (string | number)[]): boolean {
  let v = data;
  for (let i = 0; i <= path.length; i++) {
    if (typeof v === 'string') return hasTemplate(v);
    if (i === path.length || v === null || typeof v !== 'object') return false;
    v = (v as Record<string | number, unknown>)[path[i]!];
  }
  return false;
}

function omit(o: Record<string, unknown>, key: string): Record<string, unknown> {
  const { [key]: _drop, ...rest } = o;
  return rest;
}

function depthOf(v: unknown, d = 0): number {
  if (d > MAX_DEPTH) return d;
  if (Array.isArray(v)) return v.reduce<number>((m, x) => Math.max(m, depthOf(x, d + 1)), d + 1);
  if (v && typeof v === 'object') return Object.values(v).reduce<number>((m, x) => Math.max(m, depthOf(x, d + 1)), d + 1);
  return d;
}
