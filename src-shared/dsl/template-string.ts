import { ExpressionError, ExpressionSyntaxError, evaluate, parseExpression, pathsOf, type ExprNode, type Lookup } from './expression';
import { didYouMean } from './suggest';

/**
 * `{{ … }}` in template values (SPEC section 3): an expression (usually a path such as
 * `steps.merge.page_count`) or a secret reference (`secrets://key`, `secrets://service/key`),
 * followed by filters: `replace:'a','b'`, `default:'x'`, `upper`, `lower`, `json`, `basename`,
 * `dirname`.
 *
 * Rendering is single-pass: the text that a reference produces is never scanned again, so data
 * (a file name, a variable's value, an HTTP answer) can never inject a template.
 *
 * Secrets are tainted values (issue 21): filters that cut a secret into parts (`replace`,
 * `basename`, `dirname`) are refused on `{{secrets://…}}` when the template is validated; any
 * other filter or expression applied to a secret, or to a value that holds one, hands its output
 * to `RenderEnv.taint`, which makes it a secret of its own (masked wherever it is shown).
 */

export interface SecretRefText {
  key: string;
  service?: string;
}

export const FILTERS = {
  replace: 2,
  default: 1,
  upper: 0,
  lower: 0,
  json: 0,
  basename: 0,
  dirname: 0,
} as const;
export type FilterName = keyof typeof FILTERS;

/**
 * Filters refused on a secret reference: their output is a part of the secret (a fragment, a
 * path component), which can be too short to mask and tells a reader pieces of the value.
 * `upper`, `lower` and `json` keep the whole value (its output is masked as a secret of its own);
 * `default` does nothing to a secret that exists.
 */
export const FILTERS_REFUSED_ON_SECRETS: readonly FilterName[] = ['replace', 'basename', 'dirname'];

export interface FilterCall {
  name: FilterName;
  args: ExprNode[];
}

export type TemplateRef =
  | { kind: 'expr'; expr: ExprNode; filters: FilterCall[]; source: string }
  | { kind: 'secret'; secret: SecretRefText; filters: FilterCall[]; source: string };

export type TemplatePart = { kind: 'text'; text: string } | { kind: 'ref'; ref: TemplateRef; offset: number };

export interface ParsedTemplate {
  parts: TemplatePart[];
  /** Exactly one reference and no text around it: the value keeps its type (a list stays a list). */
  whole: boolean;
}

export class TemplateSyntaxError extends Error {
  constructor(
    message: string,
    /** 0-based offset in the string. */
    readonly offset: number,
  ) {
    super(message);
    this.name = 'TemplateSyntaxError';
  }
}

export const MAX_REFS_PER_STRING = 100;
const SECRET_NAME = /^[A-Za-z0-9_.-]{1,128}$/;

export function hasTemplate(s: string): boolean {
  return s.includes('{{');
}

/** Splits `text` at top-level occurrences of `sep` (outside quotes, brackets and parentheses). */
function splitTopLevel(text: string, sep: string): { part: string; offset: number }[] {
  const out: { part: string; offset: number }[] = [];
  let depth = 0;
  let quote: string | undefined;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quote) {
      if (c === '\\') i++;
      else if (c === quote) quote = undefined;
      continue;
    }
    if (c === '"' || c === "'") quote = c;
    else if (c === '(' || c === '[') depth++;
    else if (c === ')' || c === ']') depth--;
    else if (c === sep && depth === 0) {
      out.push({ part: text.slice(start, i), offset: start });
      start = i + 1;
    }
  }
  out.push({ part: text.slice(start), offset: start });
  return out;
}

/** Parses what is between `{{` and `}}`; `base` is its offset in the whole string. */
function parseRef(inner: string, base: number): TemplateRef {
  const pieces = splitTopLevel(inner, '|');
  const head = pieces[0]!;
  const headText = head.part.trim();
  const headOffset = base + head.offset + (head.part.length - head.part.trimStart().length);
  const filters: FilterCall[] = pieces.slice(1).map(({ part, offset }) => parseFilter(part, base + offset));
  const source = `{{${inner}}}`;
  if (headText.startsWith('secrets://')) {
    const refused = filters.findIndex((f) => FILTERS_REFUSED_ON_SECRETS.includes(f.name));
    if (refused >= 0) {
      const piece = pieces[refused + 1]!;
      const name = filters[refused]!.name;
      throw new TemplateSyntaxError(
        `the filter ${name} cannot be applied to a secret (${headText}): its output is a part of the secret that masking could not hide; use the secret whole (upper, lower, json and default are allowed)`,
        base + piece.offset + (piece.part.length - piece.part.trimStart().length),
      );
    }
    const body = headText.slice('secrets://'.length);
    const parts = body.split('/');
    if (parts.length > 2 || parts.some((x) => !SECRET_NAME.test(x))) {
      throw new TemplateSyntaxError(`'${headText}' is not a secret reference: write secrets://key or secrets://service/key (letters, digits, _ - .)`, headOffset);
    }
    const secret = parts.length === 2 ? { service: parts[0]!, key: parts[1]! } : { key: parts[0]! };
    return { kind: 'secret', secret, filters, source };
  }
  if (!headText) throw new TemplateSyntaxError('empty {{ }}: write a variable such as {{inbox}}', base);
  try {
    return { kind: 'expr', expr: parseExpression(headText), filters, source };
  } catch (e) {
    if (e instanceof ExpressionSyntaxError) throw new TemplateSyntaxError(e.message, headOffset + e.offset);
    throw e;
  }
}

function parseFilter(text: string, offset: number): FilterCall {
  const colon = text.indexOf(':');
  const name = (colon < 0 ? text : text.slice(0, colon)).trim();
  if (!(name in FILTERS)) {
    throw new TemplateSyntaxError(`unknown filter '${name}'${didYouMean(name, Object.keys(FILTERS))}; filters: ${Object.keys(FILTERS).join(', ')}`, offset);
  }
  const filter = name as FilterName;
  const args: ExprNode[] = [];
  if (colon >= 0) {
    for (const a of splitTopLevel(text.slice(colon + 1), ',')) {
      try {
        args.push(parseExpression(a.part.trim()));
      } catch (e) {
        if (e instanceof ExpressionSyntaxError) throw new TemplateSyntaxError(`filter ${filter}: ${e.message}`, offset + colon + 1 + a.offset);
        throw e;
      }
    }
  }
  if (args.length !== FILTERS[filter]) {
    const want = FILTERS[filter];
    throw new TemplateSyntaxError(
      want === 0 ? `filter ${filter} takes no arguments` : `filter ${filter} takes ${want} argument${want > 1 ? 's' : ''} (${filter === 'replace' ? "replace:'from','to'" : "default:'value'"})`,
      offset,
    );
  }
  return { name: filter, args };
}

/** Parses a string with `{{ … }}` references. Throws TemplateSyntaxError with the offset. */
export function parseTemplateString(s: string): ParsedTemplate {
  const parts: TemplatePart[] = [];
  let i = 0;
  let refs = 0;
  while (i < s.length) {
    const open = s.indexOf('{{', i);
    if (open < 0) {
      parts.push({ kind: 'text', text: s.slice(i) });
      break;
    }
    if (open > i) parts.push({ kind: 'text', text: s.slice(i, open) });
    // Find the closing braces outside quoted strings.
    let j = open + 2;
    let quote: string | undefined;
    let close = -1;
    while (j < s.length) {
      const c = s[j]!;
      if (quote) {
        if (c === '\\') j++;
        else if (c === quote) quote = undefined;
      } else if (c === '"' || c === "'") quote = c;
      else if (c === '}' && s[j + 1] === '}') {
        close = j;
        break;
      } else if (c === '{' && s[j + 1] === '{') {
        throw new TemplateSyntaxError("'{{' inside '{{ }}': references cannot be nested", j);
      }
      j++;
    }
    if (close < 0) throw new TemplateSyntaxError("'{{' without a closing '}}'", open);
    if (++refs > MAX_REFS_PER_STRING) throw new TemplateSyntaxError(`more than ${MAX_REFS_PER_STRING} references in one value`, open);
    parts.push({ kind: 'ref', ref: parseRef(s.slice(open + 2, close), open + 2), offset: open });
    i = close + 2;
  }
  return { parts, whole: parts.length === 1 && parts[0]!.kind === 'ref' };
}

/** The references of a parsed string, for static checks: each path read, with the ref's offset. */
export function refsOf(t: ParsedTemplate): { ref: TemplateRef; offset: number }[] {
  return t.parts.filter((p): p is Extract<TemplatePart, { kind: 'ref' }> => p.kind === 'ref').map((p) => ({ ref: p.ref, offset: p.offset }));
}

/** Paths an expression reference reads, and whether a missing value is allowed (a bare path followed by `default`). */
export function readsOf(ref: TemplateRef): { paths: ReturnType<typeof pathsOf>; soft: boolean } {
  const paths = ref.kind === 'expr' ? pathsOf(ref.expr) : [];
  for (const f of ref.filters) for (const a of f.args) pathsOf(a, paths);
  const soft = ref.kind === 'expr' && ref.expr.t === 'path' && ref.filters[0]?.name === 'default';
  return { paths, soft };
}

export function secretKey(s: SecretRefText): string {
  return s.service ? `${s.service}/${s.key}` : s.key;
}

// ---- rendering ---------------------------------------------------------------------------

export interface RenderEnv {
  lookup: Lookup;
  /** Resolved secret values by `service/key` (resolved before rendering, at step time). */
  secrets: ReadonlyMap<string, string>;
  /** How values computed from secrets are treated (the engine's); without it they are plain values. */
  taint?: RenderTaint;
}

/** Secrets as tainted values: what rendering asks about the values it reads and computes. */
export interface RenderTaint {
  /** Whether a value read from the scope holds a secret (or a form of one) anywhere. */
  holds(value: unknown): boolean;
  /** A value computed from a secret by a filter or an operator: what the step gets instead. */
  derived(value: unknown): unknown;
}

/**
 * A lookup that notes whether anything it answered holds a secret (`tainted`), and whether it
 * answered something computed from one (`computed`: `x.length` of a text that holds a secret).
 */
export function taintedLookup(lookup: Lookup, taint: RenderTaint): { lookup: Lookup; tainted(): boolean; computed(): boolean } {
  let tainted = false;
  let computed = false;
  const watched: Lookup = (segs, text) => {
    const r = lookup(segs, text);
    if (r.found && !computed) {
      if (taint.holds(r.value)) tainted = true;
      else if (segs.length > 1 && segs[segs.length - 1] === 'length') {
        const of = lookup(segs.slice(0, -1), text);
        if (of.found && typeof of.value === 'string' && taint.holds(of.value)) tainted = computed = true;
      }
    }
    return r;
  };
  return { lookup: watched, tainted: () => tainted, computed: () => computed };
}

const baseName = (p: string) => {
  const trimmed = p.replace(/[\\/]+$/, '');
  const i = Math.max(trimmed.lastIndexOf('/'), trimmed.lastIndexOf('\\'));
  return i < 0 ? trimmed : trimmed.slice(i + 1);
};
const dirName = (p: string) => {
  const trimmed = p.replace(/[\\/]+$/, '');
  const i = Math.max(trimmed.lastIndexOf('/'), trimmed.lastIndexOf('\\'));
  if (i < 0) return '.';
  return i === 0 ? trimmed[0]! : trimmed.slice(0, i);
};

function filterText(v: unknown, filter: string): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  throw new ExpressionError(`filter ${filter} needs a text, not ${v === null ? 'null' : Array.isArray(v) ? 'a list' : typeof v}`);
}

function applyFilter(v: unknown, f: FilterCall, env: RenderEnv): unknown {
  const args = f.args.map((a) => evaluate(a, env.lookup));
  switch (f.name) {
    case 'default':
      return v === undefined || v === null ? args[0] : v;
    case 'replace': {
      const [from, to] = args.map((a) => filterText(a, 'replace'));
      return from ? filterText(v, 'replace').split(from).join(to) : filterText(v, 'replace');
    }
    case 'upper':
      return filterText(v, 'upper').toUpperCase();
    case 'lower':
      return filterText(v, 'lower').toLowerCase();
    case 'json':
      return JSON.stringify(v ?? null);
    case 'basename':
      return baseName(filterText(v, 'basename'));
    case 'dirname':
      return dirName(filterText(v, 'dirname'));
  }
}

function evaluatePlain(ref: TemplateRef, env: RenderEnv): unknown {
  let v: unknown;
  if (ref.kind === 'secret') {
    const key = secretKey(ref.secret);
    if (!env.secrets.has(key)) throw new ExpressionError(`Secret '${key}' not found`, 'UNDEFINED_VARIABLE');
    v = env.secrets.get(key);
  } else if (ref.expr.t === 'path' && ref.filters[0]?.name === 'default') {
    const r = env.lookup(ref.expr.segs, ref.expr.text);
    v = r.found ? r.value : undefined;
  } else {
    v = evaluate(ref.expr, env.lookup);
  }
  for (const f of ref.filters) v = applyFilter(v, f, env);
  return v;
}

/**
 * The value of one reference. Throws ExpressionError (undefined variable, bad filter input).
 * With `env.taint`, a value computed from a secret goes through `taint.derived`; a value read as
 * it is (a bare path or secret, `default` aside) keeps the secret's own forms, which are masked.
 */
export function evaluateRef(ref: TemplateRef, env: RenderEnv): unknown {
  const taint = env.taint;
  if (!taint) return evaluatePlain(ref, env);
  const reads = taintedLookup(env.lookup, taint);
  let v: unknown;
  try {
    v = evaluatePlain(ref, { ...env, lookup: reads.lookup });
  } catch (e) {
    // Messages quote the values they could not use; a value holding a secret is not quoted.
    if (e instanceof ExpressionError && reads.tainted()) throw new ExpressionError(`${ref.source} could not be evaluated (it reads a value that holds a secret, which is not shown)`, e.code);
    throw e;
  }
  const tainted = ref.kind === 'secret' || reads.tainted();
  const asItIs = ref.filters.every((f) => f.name === 'default') && (ref.kind === 'secret' || ref.expr.t === 'path');
  return tainted && (!asItIs || reads.computed()) ? taint.derived(v) : v;
}

/** How a value reads inside a longer text: lists and objects as JSON; null or undefined is an error. */
export function toText(v: unknown, source: string): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (v === null || v === undefined) throw new ExpressionError(`${source} has no value (null); add | default:'…' to use a fallback`, 'UNDEFINED_VARIABLE');
  return JSON.stringify(v);
}

/** Renders a parsed string. A whole reference keeps its type; otherwise the parts are joined as text. */
export function renderParsed(t: ParsedTemplate, env: RenderEnv): unknown {
  if (t.whole) {
    const ref = (t.parts[0] as Extract<TemplatePart, { kind: 'ref' }>).ref;
    const v = evaluateRef(ref, env);
    if (v === undefined) throw new ExpressionError(`${ref.source} has no value`, 'UNDEFINED_VARIABLE');
    return v;
  }
  let out = '';
  for (const p of t.parts) out += p.kind === 'text' ? p.text : toText(evaluateRef(p.ref, env), p.ref.source);
  return out;
}
