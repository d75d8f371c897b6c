/**
 * The one redaction component: every resolved secret value is registered here, and every
 * string that leaves the engine (stored params and results, log lines, errors, audit details,
 * API answers, events, exported reports) passes through `mask`.
 *
 * Besides the value itself, its common encodings are masked too, because a value sent in a
 * Basic header or a query string reaches results and errors in those forms.
 */
import { SECRET_VALUE_MIN } from '@shared/domain/secret-ref';

export const MASK = '***';
/**
 * Shorter values are not masked: a one- or two-character "secret" would replace that text in
 * every log line, field name and answer. The secret store refuses to store such values.
 */
export const MIN_MASKED_LENGTH = SECRET_VALUE_MIN;

export class Redactor {
  /** Each form with how many holders keep it: a secret for good (Infinity), derived values while their run lasts. */
  private readonly values = new Map<string, number>();
  private pattern: RegExp | undefined;
  private lookahead: RegExp | undefined;
  private dirty = false;

  /** Registers a secret value (and its encoded forms) for masking from now on. */
  register(value: string): void {
    if (!value || value.length < MIN_MASKED_LENGTH) return;
    for (const form of encodedForms(value)) {
      if (!this.values.has(form)) this.dirty = true;
      this.values.set(form, Infinity);
    }
  }

  /**
   * Registers a value derived from a secret (`{{secrets://k | upper}}`) until the returned release
   * is called: the run that made it masks it everywhere, and a server that runs for months does
   * not keep every derived text of every run (each one slows every mask a little).
   */
  registerTransient(value: string): () => void {
    if (!value || value.length < MIN_MASKED_LENGTH) return () => undefined;
    const forms = encodedForms(value);
    for (const form of forms) {
      const n = this.values.get(form);
      if (n === undefined) this.dirty = true;
      this.values.set(form, (n ?? 0) + 1);
    }
    let released = false;
    return () => {
      if (released) return;
      released = true;
      for (const form of forms) {
        const n = this.values.get(form)!;
        if (n === Infinity) continue;
        if (n > 1) this.values.set(form, n - 1);
        else {
          this.values.delete(form);
          this.dirty = true;
        }
      }
    };
  }

  get size(): number {
    return this.values.size;
  }

  mask(text: string): string {
    if (this.values.size === 0 || !text) return text;
    const re = this.regex();
    re.lastIndex = 0;
    if (!re.test(text)) return text;
    // Find the longest form starting at every position, then mask the union of those spans, so
    // two secrets that overlap in the text ("abcd" and "cdef" in "abcdef") leave nothing behind.
    const spans: [number, number][] = [];
    const at = this.positional();
    at.lastIndex = 0;
    for (let m = at.exec(text); m; m = at.exec(text)) {
      const end = m.index + m[1]!.length;
      const last = spans[spans.length - 1];
      if (last && m.index <= last[1]) last[1] = Math.max(last[1], end);
      else spans.push([m.index, end]);
      at.lastIndex = m.index + 1;
    }
    let out = '';
    let from = 0;
    for (const [start, end] of spans) {
      out += text.slice(from, start) + MASK;
      from = end;
    }
    return out + text.slice(from);
  }

  /** Whether a text holds a registered value or one of its forms. */
  finds(text: string): boolean {
    if (this.values.size === 0 || !text) return false;
    const re = this.regex();
    re.lastIndex = 0;
    return re.test(text);
  }

  /** Whether any string (or key) of a JSON-like value holds a registered value or form. */
  holds(value: unknown): boolean {
    if (this.values.size === 0) return false;
    return some(value, (s) => this.finds(s));
  }

  /** Masks every string (keys included) in a JSON-like value; returns a new value. */
  maskDeep<T>(value: T): T {
    if (this.values.size === 0) return value;
    return walk(value, (s) => this.mask(s)) as T;
  }

  private regex(): RegExp {
    if (!this.pattern || this.dirty) {
      // Longest first, so at any position the longest form wins.
      const alternatives = [...this.values.keys()].sort((a, b) => b.length - a.length).map(escapeRegExp).join('|');
      this.pattern = new RegExp(alternatives, 'g');
      this.lookahead = new RegExp(`(?=(${alternatives}))`, 'g');
      this.dirty = false;
    }
    return this.pattern;
  }

  private positional(): RegExp {
    this.regex();
    return this.lookahead!;
  }
}

/**
 * Percent-encodes the UTF-8 bytes of every character that `keep` does not match, as the URL
 * standard's encode sets do (character by character, so a value inside a longer text keeps its
 * encoded form).
 */
function percentEncode(value: string, keep: RegExp, spaceAsPlus = false): string {
  let out = '';
  for (const c of value) {
    if (spaceAsPlus && c === ' ') out += '+';
    else if (keep.test(c)) out += c;
    else for (const b of Buffer.from(c, 'utf8')) out += `%${b.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/**
 * The forms a value takes in a URL: encodeURIComponent and encodeURI, RFC 3986 (which also escapes
 * ! ' ( ) *), and the WHATWG URL standard's encode sets, which `new URL`, `URLSearchParams` and
 * fetch apply (`make_request`'s `query`, a secret in a URL's path or query). Each with upper- and
 * lower-case escapes.
 */
function urlForms(value: string): string[] {
  const component = encodeURIComponent(value);
  const forms = [
    component,
    component.replace(/%20/g, '+'),
    encodeURI(value),
    component.replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`),
    // application/x-www-form-urlencoded (URLSearchParams): keeps only * - . _ and alphanumerics.
    percentEncode(value, /[A-Za-z0-9*\-._]/, true),
    // A URL's path (`/x/{{secrets://k}}`) and its query (`?t={{secrets://k}}`), as the URL parser leaves them.
    percentEncode(value, /[\x21\x24-\x3b\x3d\x40-\x5f\x61-\x7a\x7c\x7e]/),
    percentEncode(value, /[\x21\x24-\x26\x28-\x3b\x3d\x3f-\x7e]/),
  ];
  return forms.flatMap((f) => [f, f.replace(/%[0-9A-F]{2}/g, (e) => e.toLowerCase())]);
}

function encodedForms(value: string): string[] {
  const b64 = Buffer.from(value, 'utf8').toString('base64');
  const forms = [
    value,
    ...urlForms(value),
    b64,
    b64.replace(/=+$/, ''),
    Buffer.from(value, 'utf8').toString('base64url'),
    JSON.stringify(value).slice(1, -1),
  ];
  // Base64 of a value inside a longer string (e.g. `user:secret` in Basic auth) shifts with
  // its offset; masking the three aligned encodings of the value's core covers those cases.
  if (value.length >= 6) {
    for (let shift = 1; shift <= 2; shift++) {
      const padded = Buffer.concat([Buffer.alloc(shift, 0), Buffer.from(value, 'utf8')]);
      const enc = padded.toString('base64');
      // Drop the leading chars that depend on the unknown prefix and the trailing ones that depend on the suffix.
      const core = enc.slice(Math.ceil((shift * 4) / 3) + 1, enc.length - 4);
      if (core.length >= 6) forms.push(core);
    }
    const plain = Buffer.from(value, 'utf8').toString('base64');
    const plainCore = plain.slice(0, plain.length - 4);
    if (plainCore.length >= 6) forms.push(plainCore);
  }
  return [...new Set(forms)].filter((f) => f.length > 0);
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Plain data a walk goes into: arrays and plain objects (not class instances, Buffers or Dates). */
function isPlainObject(v: unknown): v is Record<string, unknown> {
  return Boolean(v) && typeof v === 'object' && !Array.isArray(v) && ((v as object).constructor === Object || (v as object).constructor === undefined);
}

/**
 * Copies a JSON-like value with `fn` applied to every string and key. Iterative, so no nesting
 * depth escapes it (a response nested 10,000 levels deep is masked at every level); a value met
 * twice (shared or cyclic) is copied once.
 */
function walk(value: unknown, fn: (s: string) => string): unknown {
  const copies = new Map<object, unknown>();
  const pending: { from: unknown[] | Record<string, unknown>; to: unknown[] | Record<string, unknown> }[] = [];
  const copy = (v: unknown): unknown => {
    if (typeof v === 'string') return fn(v);
    if (v instanceof Error) {
      const e = new Error(fn(v.message));
      e.name = v.name;
      return e;
    }
    if (!Array.isArray(v) && !isPlainObject(v)) return v;
    const seen = copies.get(v);
    if (seen) return seen;
    const to = Array.isArray(v) ? new Array<unknown>(v.length) : ({} as Record<string, unknown>);
    copies.set(v, to);
    pending.push({ from: v, to });
    return to;
  };
  const root = copy(value);
  for (let job = pending.pop(); job; job = pending.pop()) {
    const { from, to } = job;
    if (Array.isArray(from)) for (let i = 0; i < from.length; i++) (to as unknown[])[i] = copy(from[i]);
    else for (const [k, v] of Object.entries(from)) (to as Record<string, unknown>)[fn(k)] = copy(v);
  }
  return root;
}

/** Whether any string or key of a JSON-like value passes `test` (iterative, like walk). */
function some(value: unknown, test: (s: string) => boolean): boolean {
  const seen = new Set<object>();
  const stack: unknown[] = [value];
  while (stack.length) {
    const v = stack.pop();
    if (typeof v === 'string') {
      if (test(v)) return true;
    } else if (v instanceof Error) {
      if (test(v.message)) return true;
    } else if ((Array.isArray(v) || isPlainObject(v)) && !seen.has(v)) {
      seen.add(v);
      if (Array.isArray(v)) for (const x of v) stack.push(x);
      else
        for (const [k, x] of Object.entries(v)) {
          if (test(k)) return true;
          stack.push(x);
        }
    }
  }
  return false;
}
