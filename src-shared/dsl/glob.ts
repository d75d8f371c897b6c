/**
 * File-name globs: `*`, `?`, `[abc]`, `[a-z]`, `[!abc]`, `{a,b}`. Matching is linear in
 * name × pattern (last-star backtracking), so a hostile pattern cannot make it slow — unlike a
 * pattern compiled to a backtracking regex.
 */

type Tok = { k: 'char'; c: string } | { k: 'any' } | { k: 'star' } | { k: 'class'; negate: boolean; ranges: [string, string][] };

export const MAX_GLOB_LENGTH = 500;
const MAX_ALTERNATIVES = 64;

export class GlobError extends Error {}

function expandBraces(pattern: string): string[] {
  const open = pattern.indexOf('{');
  if (open < 0) return [pattern];
  let depth = 0;
  const commas: number[] = [];
  for (let i = open; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '{') depth++;
    else if (c === '}') {
      depth--;
      if (depth === 0) {
        if (!commas.length) return expandBraces(pattern.slice(0, open) + '\u0000' + pattern.slice(open + 1)).map((p) => p.replace('\u0000', '{'));
        const head = pattern.slice(0, open);
        const tail = pattern.slice(i + 1);
        const bounds = [open, ...commas, i];
        const out: string[] = [];
        for (let k = 0; k + 1 < bounds.length; k++) {
          for (const alt of expandBraces(head + pattern.slice(bounds[k]! + 1, bounds[k + 1]) + tail)) {
            out.push(alt);
            if (out.length > MAX_ALTERNATIVES) throw new GlobError(`the pattern expands to more than ${MAX_ALTERNATIVES} alternatives`);
          }
        }
        return out;
      }
    } else if (c === ',' && depth === 1) commas.push(i);
  }
  // Unbalanced: the brace is a literal character.
  return [pattern];
}

function tokenize(p: string): Tok[] {
  const out: Tok[] = [];
  for (let i = 0; i < p.length; i++) {
    const c = p[i]!;
    if (c === '*') {
      if (out[out.length - 1]?.k !== 'star') out.push({ k: 'star' });
    } else if (c === '?') out.push({ k: 'any' });
    else if (c === '[') {
      const end = p.indexOf(']', i + 2);
      if (end < 0) {
        out.push({ k: 'char', c });
        continue;
      }
      let body = p.slice(i + 1, end);
      const negate = body.startsWith('!') || body.startsWith('^');
      if (negate) body = body.slice(1);
      const ranges: [string, string][] = [];
      const chars = [...body];
      for (let j = 0; j < chars.length; j++) {
        if (chars[j + 1] === '-' && j + 2 < chars.length) {
          ranges.push([chars[j]!, chars[j + 2]!]);
          j += 2;
        } else ranges.push([chars[j]!, chars[j]!]);
      }
      out.push({ k: 'class', negate, ranges });
      i = end;
    } else if (c === '\\' && i + 1 < p.length) {
      out.push({ k: 'char', c: p[++i]! });
    } else out.push({ k: 'char', c });
  }
  return out;
}

function one(t: Tok, c: string): boolean {
  switch (t.k) {
    case 'char':
      return t.c === c;
    case 'any':
      return true;
    case 'class': {
      const inside = t.ranges.some(([a, b]) => c >= a && c <= b);
      return t.negate ? !inside : inside;
    }
    default:
      return false;
  }
}

function matchTokens(toks: Tok[], name: string[]): boolean {
  let t = 0;
  let n = 0;
  let starT = -1;
  let starN = 0;
  while (n < name.length) {
    const tok = toks[t];
    if (tok && tok.k !== 'star' && one(tok, name[n]!)) {
      t++;
      n++;
    } else if (tok?.k === 'star') {
      starT = t++;
      starN = n;
    } else if (starT >= 0) {
      t = starT + 1;
      n = ++starN;
    } else return false;
  }
  while (toks[t]?.k === 'star') t++;
  return t === toks.length;
}

export interface GlobOptions {
  /** Case-insensitive (default true: file names on Windows and macOS are). */
  nocase?: boolean;
}

/** Compiles a glob; throws GlobError when it is too long or expands too much. */
export function compileGlob(pattern: string, options: GlobOptions = {}): (name: string) => boolean {
  if (pattern.length > MAX_GLOB_LENGTH) throw new GlobError(`the pattern is longer than ${MAX_GLOB_LENGTH} characters`);
  const nocase = options.nocase ?? true;
  const fold = (s: string) => (nocase ? s.toLowerCase() : s);
  const alternatives = expandBraces(fold(pattern)).map(tokenize);
  return (name) => {
    const chars = [...fold(name)];
    return alternatives.some((toks) => matchTokens(toks, chars));
  };
}
