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
  private readonly values = new Set<string>();
  private pattern: RegExp | undefined;
  private lookahead: RegExp | undefined;
  private dirty = false;

  /** Registers a secret value (and its encoded forms) for masking from now on. */
  register(value: string): void {
    if (!value || value.length < MIN_MASKED_LENGTH) return;
    for (const form of encodedForms(value)) {
      if (form && !this.values.has(form)) {
        this.values.add(form);
        this.dirty = true;
      }
    }
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

  /** Masks every string (keys included) in a JSON-like value; returns a new value. */
  maskDeep<T>(value: T): T {
    if (this.values.size === 0) return value;
    return walk(value, (s) => this.mask(s)) as T;
  }

  private regex(): RegExp {
    if (!this.pattern || this.dirty) {
      // Longest first, so at any position the longest form wins.
      const alternatives = [...this.values].sort((a, b) => b.length - a.length).map(escapeRegExp).join('|');
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

function encodedForms(value: string): string[] {
  const b64 = Buffer.from(value, 'utf8').toString('base64');
  const uri = encodeURIComponent(value);
  const forms = [
    value,
    uri,
    uri.replace(/%20/g, '+'),
    // Lower-case percent escapes (some encoders write %2f) and encodeURI, which keeps / ? : @ & = + $ , #.
    uri.replace(/%[0-9A-F]{2}/g, (e) => e.toLowerCase()),
    encodeURI(value),
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

function walk(value: unknown, fn: (s: string) => string, depth = 0): unknown {
  if (depth > 64) return value;
  if (typeof value === 'string') return fn(value);
  if (Array.isArray(value)) return value.map((v) => walk(v, fn, depth + 1));
  if (value && typeof value === 'object' && (value.constructor === Object || value.constructor === undefined)) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[fn(k)] = walk(v, fn, depth + 1);
    return out;
  }
  if (value instanceof Error) {
    const e = new Error(fn(value.message));
    e.name = value.name;
    return e;
  }
  return value;
}
