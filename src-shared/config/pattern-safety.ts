/**
 * A check of user-written failure-rule patterns for catastrophic backtracking, made when
 * failure_rules.yaml is loaded (decision 0022). JavaScript's engine backtracks, so a pattern is
 * refused when it can take exponential time — a repeated group that itself repeats (`(a+)+`,
 * star height above one) or holds alternatives (`(a|ab)*`) — or when it uses what a log message
 * never needs and a linear-time engine would not support (back-references, lookaround). The
 * remaining patterns are polynomial at worst; at most MAX_UNBOUNDED unbounded quantifiers and
 * messages cut to RULE_INPUT_LIMIT characters keep that bound small.
 */

export const MAX_UNBOUNDED = 2;
/** Rules see at most this many characters of a message. */
export const RULE_INPUT_LIMIT = 500;

interface Group {
  repeats: boolean;
  alternates: boolean;
}

/** Why the pattern is refused, or undefined when it is accepted. */
export function unsafePatternReason(pattern: string): string | undefined {
  try {
    new RegExp(pattern, 'i');
  } catch (e) {
    return `not a valid regular expression: ${(e as Error).message}`;
  }
  const stack: Group[] = [{ repeats: false, alternates: false }];
  let unbounded = 0;
  /** The atom a following quantifier applies to: a closed group, or a single character/class. */
  let last: Group | 'char' | undefined;
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '\\') {
      const next = pattern[i + 1] ?? '';
      if (/[1-9]/.test(next) || next === 'k') return 'back-references are not supported in failure rules';
      i++;
      last = 'char';
    } else if (c === '[') {
      i = classEnd(pattern, i);
      last = 'char';
    } else if (c === '(') {
      if (pattern.startsWith('(?=', i) || pattern.startsWith('(?!', i) || pattern.startsWith('(?<=', i) || pattern.startsWith('(?<!', i)) {
        return 'lookahead and lookbehind are not supported in failure rules';
      }
      stack.push({ repeats: false, alternates: false });
      last = undefined;
    } else if (c === ')') {
      const closed = stack.length > 1 ? stack.pop()! : { repeats: false, alternates: false };
      if (closed.repeats) stack[stack.length - 1]!.repeats = true;
      last = closed;
    } else if (c === '|') {
      stack[stack.length - 1]!.alternates = true;
      last = undefined;
    } else if (c === '*' || c === '+' || c === '?' || (c === '{' && /^\{\d+(,\d*)?\}/.test(pattern.slice(i)))) {
      const spec = c === '{' ? pattern.slice(i, pattern.indexOf('}', i) + 1) : c;
      if (c === '{') i = pattern.indexOf('}', i);
      if (pattern[i + 1] === '?') i++;
      const max = spec === '?' ? 1 : spec === '*' || spec === '+' ? Infinity : braceMax(spec);
      if (max <= 1 || !last) continue;
      if (max === Infinity) unbounded++;
      if (last !== 'char') {
        if (last.repeats) return `nested repetition (a repeated group that repeats inside, like (a+)+) can take exponential time`;
        if (last.alternates) return `a repeated group with alternatives (like (a|ab)*) can take exponential time`;
      }
      stack[stack.length - 1]!.repeats = true;
      last = undefined;
    } else {
      last = 'char';
    }
  }
  if (unbounded > MAX_UNBOUNDED) return `more than ${MAX_UNBOUNDED} unbounded repetitions (*, +, {n,}); split the pattern into several patterns`;
  return undefined;
}

function classEnd(pattern: string, open: number): number {
  let i = open + 1;
  if (pattern[i] === '^') i++;
  if (pattern[i] === ']') i++;
  for (; i < pattern.length; i++) {
    if (pattern[i] === '\\') i++;
    else if (pattern[i] === ']') return i;
  }
  return pattern.length - 1;
}

function braceMax(spec: string): number {
  const m = /^\{(\d+)(,(\d*))?\}$/.exec(spec)!;
  if (!m[2]) return Number(m[1]);
  return m[3] ? Number(m[3]) : Infinity;
}
