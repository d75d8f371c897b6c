import { type GlobError, compileGlob } from './glob';
import { didYouMean } from './suggest';

/**
 * The `find_files` query language (SPEC section 3):
 *
 *   kind:pdf  name:"weekly report*"  ext:pdf,docx  modified:>2024-01-01  size:>1MB
 *   newer_than:7d  older_than:30d  invoice  -ext:tmp  kind:pdf OR kind:image
 *
 * Terms separated by spaces must all hold; `OR` separates alternatives; `-` negates a term; a
 * bare word matches names containing it. Dates are local days: `modified:>2024-01-01` is after
 * that day, `modified:2024-01-01` during it. Sizes use 1024-based units (B, KB, MB, GB, TB).
 */

export const KINDS: Record<string, readonly string[]> = {
  pdf: ['pdf'],
  image: ['jpg', 'jpeg', 'png', 'gif', 'bmp', 'tif', 'tiff', 'webp', 'heic', 'heif', 'svg'],
  doc: ['doc', 'docx', 'odt', 'rtf', 'txt', 'md', 'pages'],
  sheet: ['xls', 'xlsx', 'xlsm', 'ods', 'csv', 'numbers'],
  slides: ['ppt', 'pptx', 'odp', 'key'],
  text: ['txt', 'md', 'csv', 'tsv', 'log', 'json', 'xml', 'yaml', 'yml'],
  archive: ['zip', '7z', 'rar', 'tar', 'gz', 'tgz', 'bz2', 'xz'],
  audio: ['mp3', 'wav', 'm4a', 'aac', 'flac', 'ogg'],
  video: ['mp4', 'mov', 'avi', 'mkv', 'webm', 'm4v'],
  code: ['js', 'ts', 'py', 'java', 'c', 'cpp', 'h', 'cs', 'go', 'rs', 'rb', 'php', 'sh', 'ps1'],
  email: ['eml', 'msg'],
  installer: ['exe', 'msi', 'dmg', 'pkg', 'deb', 'rpm', 'appimage'],
};

const KEYS = ['kind', 'name', 'ext', 'modified', 'size', 'newer_than', 'older_than'] as const;
type Cmp = '>' | '>=' | '<' | '<=' | '=';

export type QueryTerm = { negate: boolean } & (
  | { k: 'kind'; exts: Set<string> }
  | { k: 'ext'; exts: Set<string> }
  | { k: 'name'; match: (name: string) => boolean }
  | { k: 'text'; needle: string }
  | { k: 'modified'; op: Cmp; day: { y: number; m: number; d: number } }
  | { k: 'age'; newer: boolean; ms: number }
  | { k: 'size'; op: Exclude<Cmp, '='>; bytes: number }
);

/** Alternatives (OR) of conjunctions (AND). An empty query matches every file. */
export type FileQuery = QueryTerm[][];

export interface FileFacts {
  name: string;
  size: number;
  mtimeMs: number;
}

export class FileQueryError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FileQueryError';
  }
}

function words(q: string): string[] {
  const out: string[] = [];
  let cur = '';
  let quote: string | undefined;
  let started = false;
  for (const c of q) {
    if (quote) {
      if (c === quote) quote = undefined;
      else cur += c;
    } else if (c === '"' || c === "'") {
      quote = c;
      started = true;
    } else if (/\s/.test(c)) {
      if (started) out.push(cur);
      cur = '';
      started = false;
    } else {
      cur += c;
      started = true;
    }
  }
  if (quote) throw new FileQueryError(`unclosed ${quote} in the query`);
  if (started) out.push(cur);
  return out;
}

const UNITS: Record<string, number> = { b: 1, kb: 1024, mb: 1024 ** 2, gb: 1024 ** 3, tb: 1024 ** 4, k: 1024, m: 1024 ** 2, g: 1024 ** 3 };
const DURATION: Record<string, number> = { m: 60_000, h: 3_600_000, d: 86_400_000, w: 7 * 86_400_000 };

function splitOp(v: string): { op: Cmp; rest: string } {
  const m = /^(>=|<=|>|<|=)?(.*)$/.exec(v)!;
  return { op: (m[1] as Cmp | undefined) ?? '=', rest: m[2]! };
}

function term(word: string): QueryTerm {
  let negate = false;
  let w = word;
  if (w.startsWith('-') && w.length > 1) {
    negate = true;
    w = w.slice(1);
  }
  const colon = w.indexOf(':');
  if (colon <= 0 || /^[A-Za-z]:[\\/]/.test(w)) return { negate, k: 'text', needle: w.toLowerCase() };
  const key = w.slice(0, colon).toLowerCase();
  const value = w.slice(colon + 1);
  if (!(KEYS as readonly string[]).includes(key)) {
    throw new FileQueryError(`unknown query key '${key}:'${didYouMean(key, KEYS)}; keys: ${KEYS.join(', ')} (or OR between alternatives)`);
  }
  if (!value) throw new FileQueryError(`'${key}:' needs a value, e.g. ${example(key)}`);
  switch (key) {
    case 'kind': {
      const exts = new Set<string>();
      for (const k of value.toLowerCase().split(/[,|]/)) {
        const list = KINDS[k];
        if (!list) throw new FileQueryError(`unknown kind '${k}'${didYouMean(k, Object.keys(KINDS))}; kinds: ${Object.keys(KINDS).join(', ')}`);
        list.forEach((e) => exts.add(e));
      }
      return { negate, k: 'kind', exts };
    }
    case 'ext':
      return { negate, k: 'ext', exts: new Set(value.toLowerCase().split(/[,|]/).map((e) => e.replace(/^\*?\./, '')).filter(Boolean)) };
    case 'name':
      try {
        return { negate, k: 'name', match: compileGlob(value) };
      } catch (e) {
        throw new FileQueryError(`name:${value}: ${(e as GlobError).message}`);
      }
    case 'modified': {
      const { op, rest } = splitOp(value);
      const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(rest);
      const day = m && { y: Number(m[1]), m: Number(m[2]), d: Number(m[3]) };
      if (!day || day.m < 1 || day.m > 12 || day.d < 1 || day.d > 31) {
        throw new FileQueryError(`modified:${value}: expected a date YYYY-MM-DD with an optional >, >=, <, <= (e.g. modified:>2024-01-01; for recent files use newer_than:7d)`);
      }
      return { negate, k: 'modified', op, day };
    }
    case 'newer_than':
    case 'older_than': {
      const m = /^(\d+(?:\.\d+)?)([mhdw])$/i.exec(value);
      if (!m) throw new FileQueryError(`${key}:${value}: expected a number and a unit m, h, d or w (e.g. ${key}:7d)`);
      return { negate, k: 'age', newer: key === 'newer_than', ms: Number(m[1]) * DURATION[m[2]!.toLowerCase()]! };
    }
    default: {
      const { op, rest } = splitOp(value);
      const m = /^(\d+(?:\.\d+)?)\s*([a-z]*)$/i.exec(rest);
      const unit = m ? UNITS[(m[2] || 'b').toLowerCase()] : undefined;
      if (!m || unit === undefined || op === '=') {
        throw new FileQueryError(`size:${value}: expected >, >=, < or <= and a size such as 1MB, 500KB, 2GB (e.g. size:>1MB)`);
      }
      return { negate, k: 'size', op, bytes: Number(m[1]) * unit };
    }
  }
}

function example(key: string): string {
  return { kind: 'kind:pdf', name: 'name:report*', ext: 'ext:pdf', modified: 'modified:>2024-01-01', size: 'size:>1MB', newer_than: 'newer_than:7d', older_than: 'older_than:30d' }[key] ?? key;
}

export const MAX_QUERY_LENGTH = 2_000;

/** Parses a query; throws FileQueryError naming the bad part. */
export function parseFileQuery(q: string): FileQuery {
  if (q.length > MAX_QUERY_LENGTH) throw new FileQueryError(`the query is longer than ${MAX_QUERY_LENGTH} characters`);
  const groups: QueryTerm[][] = [[]];
  for (const w of words(q)) {
    if (w === 'OR') {
      if (groups[groups.length - 1]!.length === 0) throw new FileQueryError("'OR' needs a term on each side");
      groups.push([]);
      continue;
    }
    groups[groups.length - 1]!.push(term(w));
  }
  if (groups.length > 1 && groups[groups.length - 1]!.length === 0) throw new FileQueryError("'OR' needs a term on each side");
  return groups[0]!.length === 0 ? [] : groups;
}

function extOf(name: string): string {
  const i = name.lastIndexOf('.');
  return i > 0 ? name.slice(i + 1).toLowerCase() : '';
}

function startOfLocalDay(y: number, m: number, d: number): number {
  return new Date(y, m - 1, d).getTime();
}

function holds(t: QueryTerm, f: FileFacts, now: number): boolean {
  switch (t.k) {
    case 'kind':
    case 'ext':
      return t.exts.has(extOf(f.name));
    case 'name':
      return t.match(f.name);
    case 'text':
      return f.name.toLowerCase().includes(t.needle);
    case 'age':
      return t.newer ? f.mtimeMs >= now - t.ms : f.mtimeMs < now - t.ms;
    case 'size':
      return t.op === '>' ? f.size > t.bytes : t.op === '>=' ? f.size >= t.bytes : t.op === '<' ? f.size < t.bytes : f.size <= t.bytes;
    case 'modified': {
      const start = startOfLocalDay(t.day.y, t.day.m, t.day.d);
      const next = startOfLocalDay(t.day.y, t.day.m, t.day.d + 1);
      switch (t.op) {
        case '>':
          return f.mtimeMs >= next;
        case '>=':
          return f.mtimeMs >= start;
        case '<':
          return f.mtimeMs < start;
        case '<=':
          return f.mtimeMs < next;
        default:
          return f.mtimeMs >= start && f.mtimeMs < next;
      }
    }
  }
}

export function matchesQuery(q: FileQuery, f: FileFacts, now: number): boolean {
  if (q.length === 0) return true;
  return q.some((group) => group.every((t) => holds(t, f, now) !== t.negate));
}
