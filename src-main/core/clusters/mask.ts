/**
 * Token-type-aware masking for template mining: the parts of a message that are values
 * (numbers, ids, hex, dates, IPs, paths, URLs, quoted strings, the value of `key=value`)
 * become `<*>`, the words around them stay. Pure and allocation-light: it runs on every line
 * `clusters analyze` reads.
 *
 * Why by type, not by a list of per-source regexes: the miner must work on logs it has never
 * seen, so it masks what is a value in any log (a token with a digit in it is almost never a
 * keyword) and leaves the rest to the miner, which generalises words that vary.
 */

export const WILDCARD = '<*>';

/** Characters that separate the fields of one token (`uid=10037,` → `uid` `=` `10037` `,`), by char code. */
const FIELD_SEPARATORS = new Uint8Array(128);
for (const c of '=:,;()[]{}<>"\'|#@') FIELD_SEPARATORS[c.charCodeAt(0)] = 1;
const EQUALS = 61;

function isSeparator(code: number): boolean {
  return code < 128 && FIELD_SEPARATORS[code] === 1;
}

const URL_LIKE = /^[a-z][a-z0-9+.-]*:\/\//i;
/**
 * A quoted run of text; its content is one value even when it holds spaces. A single quote
 * opens only after a space or punctuation and closes only before one, so apostrophes
 * ("doesn't") are not quotes.
 */
const QUOTED = /"[^"\n]{0,200}"|(?<=^|[\s(=:[,])'[^'\n]{1,200}'(?=$|[\s),.:;\]])|`[^`\n]{0,200}`/g;

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

function hasDigit(s: string, from: number, to: number): boolean {
  for (let i = from; i < to; i++) if (isDigit(s.charCodeAt(i))) return true;
  return false;
}

/** A path: at least two `/` or `\` separated parts, or one rooted at `/`, `~`, `.` or a drive. */
function isPathLike(s: string): boolean {
  const slash = s.indexOf('/') >= 0 ? '/' : s.indexOf('\\') >= 0 ? '\\' : '';
  if (!slash) return false;
  if (s.length === 1) return false;
  const first = s[0];
  if (first === slash || first === '~' || first === '.' || /^[A-Za-z]:[\\/]/.test(s)) return true;
  return s.indexOf(slash) !== s.lastIndexOf(slash);
}

/** Masks one whitespace-free token, field by field. */
export function maskToken(token: string): string {
  if (token === WILDCARD) return token;
  const n = token.length;
  let plain = true;
  for (let i = 0; i < n && plain; i++) {
    const c = token.charCodeAt(i);
    if (isDigit(c) || isSeparator(c) || c === 47 /* / */ || c === 92 /* \\ */) plain = false;
  }
  if (plain) return token; // a word: the common case, no allocation
  if (URL_LIKE.test(token) || isPathLike(token)) return WILDCARD;
  let out = '';
  let start = 0;
  let afterEquals = false;
  for (let i = 0; i <= n; i++) {
    const code = i < n ? token.charCodeAt(i) : -1;
    if (i < n && !isSeparator(code)) continue;
    // A field with a digit, or the value of key=value, is a parameter.
    if (i > start) out += afterEquals || hasDigit(token, start, i) ? WILDCARD : token.slice(start, i);
    if (i < n) out += token[i];
    afterEquals = code === EQUALS;
    start = i + 1;
  }
  return out;
}

/** Splits a message into tokens on whitespace, after turning quoted values into one wildcard. */
export function tokenize(message: string): string[] {
  const unquoted = message.indexOf('"') >= 0 || message.indexOf("'") >= 0 || message.indexOf('`') >= 0
    ? message.replace(QUOTED, (q) => q[0] + WILDCARD + q[0])
    : message;
  const tokens = unquoted.split(/\s+/);
  if (tokens.length && tokens[0] === '') tokens.shift();
  if (tokens.length && tokens[tokens.length - 1] === '') tokens.pop();
  return tokens;
}

/** The masked tokens of a message. */
export function maskMessage(message: string): string[] {
  const tokens = tokenize(message);
  for (let i = 0; i < tokens.length; i++) tokens[i] = maskToken(tokens[i]);
  return tokens;
}
