import type { BinaryOp, ExprNode, Segment } from './expression-ast';

/** Expression text → syntax tree, with bounded length, size and depth; every path it reads. */

export const MAX_EXPRESSION_LENGTH = 2_000;
export const MAX_EXPRESSION_NODES = 256;
const MAX_DEPTH = 32;

export class ExpressionSyntaxError extends Error {
  constructor(
    message: string,
    /** 0-based offset in the expression text. */
    readonly offset: number,
  ) {
    super(message);
    this.name = 'ExpressionSyntaxError';
  }
}

// ---- tokens ------------------------------------------------------------------------------

type Tok =
  | { k: 'num'; v: number; pos: number }
  | { k: 'str'; v: string; pos: number }
  | { k: 'id'; v: string; pos: number }
  | { k: 'op'; v: string; pos: number }
  | { k: 'end'; pos: number };

const IDENT_START = /[\p{L}_]/u;
const IDENT_PART = /[\p{L}\p{N}_]/u;
const OPERATORS = ['==', '!=', '<=', '>=', '<', '>', '+', '-', '*', '/', '%', '(', ')', '[', ']', '.', ','];
const WRONG_OPERATORS: Record<string, string> = { '&&': 'and', '||': 'or', '!': 'not', '=': '==', '===': '==', '!==': '!=' };

function tokenize(src: string): Tok[] {
  const out: Tok[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i]!;
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    if (/[0-9]/.test(c)) {
      const m = /^[0-9]+(\.[0-9]+)?([eE][+-]?[0-9]+)?/.exec(src.slice(i))!;
      // `steps.0.x`: a number right after a dot is a path segment, handled by the parser as an integer.
      out.push({ k: 'num', v: Number(m[0]), pos: i });
      i += m[0].length;
      continue;
    }
    if (c === '"' || c === "'") {
      let j = i + 1;
      let s = '';
      while (j < src.length && src[j] !== c) {
        if (src[j] === '\\' && j + 1 < src.length) {
          const n = src[j + 1]!;
          s += n === 'n' ? '\n' : n === 't' ? '\t' : n;
          j += 2;
        } else {
          s += src[j];
          j++;
        }
      }
      if (j >= src.length) throw new ExpressionSyntaxError(`unterminated string starting at column ${i + 1}`, i);
      out.push({ k: 'str', v: s, pos: i });
      i = j + 1;
      continue;
    }
    if (IDENT_START.test(c)) {
      let j = i + 1;
      while (j < src.length && IDENT_PART.test(src[j]!)) j++;
      out.push({ k: 'id', v: src.slice(i, j), pos: i });
      i = j;
      continue;
    }
    const wrong = ['===', '!==', '&&', '||'].find((w) => src.startsWith(w, i)) ?? (c === '!' && src[i + 1] !== '=' ? '!' : c === '=' && src[i + 1] !== '=' ? '=' : undefined);
    if (wrong) throw new ExpressionSyntaxError(`'${wrong}' is not an operator here; write '${WRONG_OPERATORS[wrong]}'`, i);
    const op = OPERATORS.find((o) => src.startsWith(o, i));
    if (!op) throw new ExpressionSyntaxError(`unexpected character '${c}'`, i);
    out.push({ k: 'op', v: op, pos: i });
    i += op.length;
  }
  out.push({ k: 'end', pos: src.length });
  return out;
}

// ---- parser ------------------------------------------------------------------------------

const KEYWORDS = new Set(['and', 'or', 'not', 'in', 'true', 'false', 'null']);

/** Parses an expression; throws ExpressionSyntaxError with the offset of the problem. */
export function parseExpression(src: string): ExprNode {
  if (src.length > MAX_EXPRESSION_LENGTH) throw new ExpressionSyntaxError(`expression is longer than ${MAX_EXPRESSION_LENGTH} characters`, 0);
  if (!src.trim()) throw new ExpressionSyntaxError('empty expression', 0);
  const toks = tokenize(src);
  let p = 0;
  let nodes = 0;
  let depth = 0;
  const peek = () => toks[p]!;
  const isOp = (v: string) => peek().k === 'op' && (peek() as { v: string }).v === v;
  const isWord = (v: string) => peek().k === 'id' && (peek() as { v: string }).v === v;
  const node = <N extends ExprNode>(n: N): N => {
    if (++nodes > MAX_EXPRESSION_NODES) throw new ExpressionSyntaxError(`expression has more than ${MAX_EXPRESSION_NODES} parts`, peek().pos);
    return n;
  };
  const describe = (t: Tok) => (t.k === 'end' ? 'end of expression' : t.k === 'str' ? `string '${t.v}'` : `'${String(t.v)}'`);
  const expectOp = (v: string) => {
    if (!isOp(v)) throw new ExpressionSyntaxError(`expected '${v}' but found ${describe(peek())}`, peek().pos);
    p++;
  };
  const nested = <T>(fn: () => T): T => {
    if (++depth > MAX_DEPTH) throw new ExpressionSyntaxError(`expression is nested more than ${MAX_DEPTH} levels deep`, peek().pos);
    try {
      return fn();
    } finally {
      depth--;
    }
  };

  const parseOr = (): ExprNode =>
    nested(() => {
      let a = parseAnd();
      while (isWord('or')) {
        p++;
        a = node({ t: 'or', a, b: parseAnd() });
      }
      return a;
    });
  const parseAnd = (): ExprNode => {
    let a = parseNot();
    while (isWord('and')) {
      p++;
      a = node({ t: 'and', a, b: parseNot() });
    }
    return a;
  };
  const parseNot = (): ExprNode => {
    if (isWord('not')) {
      p++;
      return nested(() => node({ t: 'not', a: parseNot() }));
    }
    return parseCmp();
  };
  const parseCmp = (): ExprNode => {
    const a = parseAdd();
    let op: BinaryOp | undefined;
    const t = peek();
    if (t.k === 'op' && ['==', '!=', '<', '<=', '>', '>='].includes(t.v)) op = t.v as BinaryOp;
    else if (isWord('in')) op = 'in';
    else if (isWord('not') && toks[p + 1]?.k === 'id' && (toks[p + 1] as { v: string }).v === 'in') {
      p++;
      op = 'not in';
    }
    if (!op) return a;
    p++;
    const b = parseAdd();
    const after = peek();
    if (after.k === 'op' && ['==', '!=', '<', '<=', '>', '>='].includes(after.v)) {
      throw new ExpressionSyntaxError(`comparisons cannot be chained; join them with 'and'`, after.pos);
    }
    return node({ t: 'bin', op, a, b });
  };
  const parseAdd = (): ExprNode => {
    let a = parseMul();
    while (isOp('+') || isOp('-')) {
      const op = (toks[p++] as { v: string }).v as BinaryOp;
      a = node({ t: 'bin', op, a, b: parseMul() });
    }
    return a;
  };
  const parseMul = (): ExprNode => {
    let a = parseUnary();
    while (isOp('*') || isOp('/') || isOp('%')) {
      const op = (toks[p++] as { v: string }).v as BinaryOp;
      a = node({ t: 'bin', op, a, b: parseUnary() });
    }
    return a;
  };
  const parseUnary = (): ExprNode => {
    if (isOp('-')) {
      p++;
      return nested(() => node({ t: 'neg', a: parseUnary() }));
    }
    return parsePrimary();
  };
  const parsePrimary = (): ExprNode => {
    const t = peek();
    if (t.k === 'num') {
      p++;
      return node({ t: 'lit', v: t.v });
    }
    if (t.k === 'str') {
      p++;
      return node({ t: 'lit', v: t.v });
    }
    if (t.k === 'op' && t.v === '(') {
      p++;
      const inner = parseOr();
      expectOp(')');
      return inner;
    }
    if (t.k === 'op' && t.v === '[') {
      p++;
      const items: ExprNode[] = [];
      if (!isOp(']')) {
        for (;;) {
          items.push(parseOr());
          if (isOp(',')) {
            p++;
            continue;
          }
          break;
        }
      }
      expectOp(']');
      return node({ t: 'list', items });
    }
    if (t.k === 'id') {
      if (t.v === 'true' || t.v === 'false') {
        p++;
        return node({ t: 'lit', v: t.v === 'true' });
      }
      if (t.v === 'null') {
        p++;
        return node({ t: 'lit', v: null });
      }
      if (KEYWORDS.has(t.v)) throw new ExpressionSyntaxError(`'${t.v}' needs a value before it`, t.pos);
      return parsePath();
    }
    throw new ExpressionSyntaxError(`expected a value but found ${describe(t)}`, t.pos);
  };
  const parsePath = (): ExprNode => {
    const first = toks[p++] as { v: string; pos: number };
    const segs: Segment[] = [first.v];
    let end = first.pos + first.v.length;
    for (;;) {
      if (isOp('.')) {
        p++;
        const t = peek();
        if (t.k === 'id') segs.push(t.v);
        else if (t.k === 'num' && Number.isInteger(t.v)) segs.push(t.v);
        else throw new ExpressionSyntaxError(`expected a field name after '.' but found ${describe(t)}`, t.pos);
        end = t.pos + String(t.k === 'id' ? t.v : t.v).length;
        p++;
      } else if (isOp('[')) {
        p++;
        const t = peek();
        if (t.k === 'num' && Number.isInteger(t.v) && t.v >= 0) segs.push(t.v);
        else if (t.k === 'str') segs.push(t.v);
        else throw new ExpressionSyntaxError(`expected an index (0, 1, …) or a quoted key inside [ ] but found ${describe(t)}`, t.pos);
        p++;
        end = peek().pos + 1;
        expectOp(']');
      } else {
        break;
      }
    }
    return node({ t: 'path', segs, pos: first.pos, text: src.slice(first.pos, end) });
  };

  const ast = parseOr();
  if (peek().k !== 'end') {
    const t = peek();
    throw new ExpressionSyntaxError(`unexpected ${describe(t)}${t.k === 'id' && !KEYWORDS.has(t.v) ? ' (join conditions with and/or)' : ''}`, t.pos);
  }
  return ast;
}

/** Every path an expression reads, for static checks. */
export function pathsOf(node: ExprNode, out: Extract<ExprNode, { t: 'path' }>[] = []): Extract<ExprNode, { t: 'path' }>[] {
  switch (node.t) {
    case 'path':
      out.push(node);
      break;
    case 'list':
      node.items.forEach((n) => pathsOf(n, out));
      break;
    case 'neg':
    case 'not':
      pathsOf(node.a, out);
      break;
    case 'and':
    case 'or':
    case 'bin':
      pathsOf(node.a, out);
      pathsOf(node.b, out);
      break;
    case 'lit':
      break;
  }
  return out;
}
