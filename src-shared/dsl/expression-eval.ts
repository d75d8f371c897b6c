import type { BinaryOp, ExprNode, Segment } from './expression-ast';

/** Evaluates a syntax tree against a lookup of paths: only own data of plain JSON values, bounded results. */

/** Longest string an expression may build (concatenation). */
export const MAX_STRING_RESULT = 1_000_000;

/** A failure while evaluating (undefined path, type mismatch, division by zero). */
export class ExpressionError extends Error {
  constructor(
    message: string,
    readonly code: 'UNDEFINED_VARIABLE' | 'EXPRESSION_ERROR' = 'EXPRESSION_ERROR',
  ) {
    super(message);
    this.name = 'ExpressionError';
  }
}

// ---- evaluation --------------------------------------------------------------------------

/** Resolves a path; `found: false` carries the reason shown to the user. */
export type Lookup = (segs: readonly Segment[], text: string) => { found: true; value: unknown } | { found: false; message: string };

export function formatSegments(segs: readonly Segment[]): string {
  let out = '';
  for (const s of segs) {
    if (typeof s === 'number') out += `[${s}]`;
    else if (out === '') out = s;
    else if (/^[\p{L}_][\p{L}\p{N}_]*$/u.test(s)) out += `.${s}`;
    else out += `[${JSON.stringify(s)}]`;
  }
  return out;
}

/** Reads a field of plain data: own properties of objects, list indexes, `length`. Never a prototype. */
export function getField(value: unknown, seg: Segment): { found: true; value: unknown } | { found: false } {
  if (Array.isArray(value)) {
    if (typeof seg === 'number') return seg < value.length ? { found: true, value: value[seg] } : { found: false };
    if (seg === 'length') return { found: true, value: value.length };
    return { found: false };
  }
  if (typeof value === 'string') {
    if (seg === 'length') return { found: true, value: value.length };
    return { found: false };
  }
  if (value && typeof value === 'object') {
    const key = String(seg);
    return Object.prototype.hasOwnProperty.call(value, key) ? { found: true, value: (value as Record<string, unknown>)[key] } : { found: false };
  }
  return { found: false };
}

export function truthy(v: unknown): boolean {
  if (v === null || v === undefined || v === false) return false;
  if (typeof v === 'number') return v !== 0 && !Number.isNaN(v);
  if (typeof v === 'string') return v.length > 0;
  if (Array.isArray(v)) return v.length > 0;
  if (typeof v === 'object') return Object.keys(v).length > 0;
  return true;
}

const NUMERIC = /^\s*-?(\d+(\.\d+)?|\.\d+)([eE][+-]?\d+)?\s*$/;

function asNumber(v: unknown): number | undefined {
  if (typeof v === 'number') return v;
  if (typeof v === 'string' && NUMERIC.test(v)) return Number(v);
  return undefined;
}

function typeName(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'an object';
  if (typeof v === 'string') return `the text ${JSON.stringify(v.length > 40 ? v.slice(0, 40) + '…' : v)}`;
  return `${typeof v} ${String(v)}`;
}

function equal(a: unknown, b: unknown): boolean {
  const na = asNumber(a);
  const nb = asNumber(b);
  if ((typeof a === 'number' || typeof b === 'number') && na !== undefined && nb !== undefined) return na === nb;
  if (a === b) return true;
  if (a && b && typeof a === 'object' && typeof b === 'object') return JSON.stringify(a) === JSON.stringify(b);
  return false;
}

function compare(op: BinaryOp, a: unknown, b: unknown): boolean {
  let x: number | string;
  let y: number | string;
  const na = asNumber(a);
  const nb = asNumber(b);
  if ((typeof a === 'number' || typeof b === 'number') && na !== undefined && nb !== undefined) {
    x = na;
    y = nb;
  } else if (typeof a === 'string' && typeof b === 'string') {
    x = a;
    y = b;
  } else {
    throw new ExpressionError(`cannot compare ${typeName(a)} with ${typeName(b)} using ${op}`);
  }
  switch (op) {
    case '<':
      return x < y;
    case '<=':
      return x <= y;
    case '>':
      return x > y;
    default:
      return x >= y;
  }
}

function arithmetic(op: BinaryOp, a: unknown, b: unknown): unknown {
  if (op === '+' && typeof a === 'string' && typeof b === 'string' && (asNumber(a) === undefined || asNumber(b) === undefined)) {
    if (a.length + b.length > MAX_STRING_RESULT) throw new ExpressionError(`text longer than ${MAX_STRING_RESULT} characters`);
    return a + b;
  }
  const x = asNumber(a);
  const y = asNumber(b);
  if (x === undefined || y === undefined) throw new ExpressionError(`cannot use ${op} on ${typeName(a)} and ${typeName(b)}`);
  let r: number;
  switch (op) {
    case '+':
      r = x + y;
      break;
    case '-':
      r = x - y;
      break;
    case '*':
      r = x * y;
      break;
    case '/':
      if (y === 0) throw new ExpressionError('division by zero');
      r = x / y;
      break;
    default:
      if (y === 0) throw new ExpressionError('modulo by zero');
      r = x % y;
  }
  if (!Number.isFinite(r)) throw new ExpressionError(`the result of ${op} is not a finite number`);
  return r;
}

function member(a: unknown, b: unknown): boolean {
  if (Array.isArray(b)) return b.some((x) => equal(a, x));
  if (typeof b === 'string') {
    if (typeof a !== 'string' && typeof a !== 'number') throw new ExpressionError(`cannot look for ${typeName(a)} in a text`);
    return b.includes(String(a));
  }
  if (b && typeof b === 'object') return Object.prototype.hasOwnProperty.call(b, String(a));
  throw new ExpressionError(`'in' needs a list, a text or an object on its right, not ${typeName(b)}`);
}

/** Evaluates a parsed expression against a scope. Throws ExpressionError. */
export function evaluate(node: ExprNode, lookup: Lookup): unknown {
  switch (node.t) {
    case 'lit':
      return node.v;
    case 'path': {
      const r = lookup(node.segs, node.text);
      if (!r.found) throw new ExpressionError(r.message, 'UNDEFINED_VARIABLE');
      return r.value;
    }
    case 'list':
      return node.items.map((n) => evaluate(n, lookup));
    case 'neg': {
      const v = asNumber(evaluate(node.a, lookup));
      if (v === undefined) throw new ExpressionError('unary minus needs a number');
      return -v;
    }
    case 'not':
      return !truthy(evaluate(node.a, lookup));
    case 'and': {
      const a = evaluate(node.a, lookup);
      return truthy(a) ? evaluate(node.b, lookup) : a;
    }
    case 'or': {
      const a = evaluate(node.a, lookup);
      return truthy(a) ? a : evaluate(node.b, lookup);
    }
    case 'bin': {
      const a = evaluate(node.a, lookup);
      const b = evaluate(node.b, lookup);
      switch (node.op) {
        case '==':
          return equal(a, b);
        case '!=':
          return !equal(a, b);
        case '<':
        case '<=':
        case '>':
        case '>=':
          return compare(node.op, a, b);
        case 'in':
          return member(a, b);
        case 'not in':
          return !member(a, b);
        default:
          return arithmetic(node.op, a, b);
      }
    }
  }
}
