import picomatch from 'picomatch';
import type { Issue } from '@shared/contract/errors';

/**
 * The watcher's `patterns` and `ignore_patterns`, matched with picomatch against the path relative
 * to the watched folder ('/' separators); a pattern without '/' matches the file name at any depth.
 * picomatch compiles to a backtracking regex, so (like failure rules, decision 0022) a pattern may
 * hold at most MAX_WILDCARDS unbounded wildcards (`*`, `**`) and no extglobs: the work per name
 * stays polynomial of a low degree. Checked when a watcher is saved or loaded (decision 0032).
 */

export const MAX_WILDCARDS = 2;
const MAX_PATTERN_LENGTH = 300;
/** Paths are matched up to this length (longer relative paths never match). */
const MAX_PATH_LENGTH = 1024;

const OPTIONS: picomatch.PicomatchOptions = { noextglob: true, windows: false };

export type PathMatcher = (relativePath: string) => boolean;

/** Why the pattern is refused, or undefined. */
export function patternProblem(pattern: string): string | undefined {
  if (!pattern.trim()) return 'an empty pattern matches nothing';
  if (pattern.length > MAX_PATTERN_LENGTH) return `longer than ${MAX_PATTERN_LENGTH} characters`;
  if (pattern.startsWith('/') || /^[A-Za-z]:/.test(pattern)) return 'patterns are relative to watch_path (like *.pdf or in/**/*.csv)';
  const wildcards = pattern.match(/\*+/g)?.length ?? 0;
  if (wildcards > MAX_WILDCARDS) return `more than ${MAX_WILDCARDS} wildcards (* or **); use several patterns instead`;
  try {
    picomatch.makeRe(pattern, OPTIONS);
  } catch (e) {
    return `not a valid pattern: ${(e as Error).message}`;
  }
  return undefined;
}

/** Every problem of a list of patterns, with its path (`patterns[2]`). */
export function patternIssues(field: string, patterns: readonly string[]): Issue[] {
  const issues: Issue[] = [];
  patterns.forEach((p, i) => {
    const problem = patternProblem(p);
    if (problem) issues.push({ path: `${field}[${i}]`, message: `'${p}': ${problem}` });
  });
  return issues;
}

/** A matcher for the list (true when any pattern matches); refused patterns never match. */
export function compilePatterns(patterns: readonly string[]): PathMatcher {
  const ok = patterns.filter((p) => patternProblem(p) === undefined);
  // picomatch's own `basename` option also changes how patterns with '/' match, so split them.
  const byName = ok.filter((p) => !p.includes('/'));
  const byPath = ok.filter((p) => p.includes('/'));
  const name = byName.length ? picomatch(byName, OPTIONS) : () => false;
  const path = byPath.length ? picomatch(byPath, OPTIONS) : () => false;
  return (relativePath) => relativePath.length <= MAX_PATH_LENGTH && (name(relativePath.slice(relativePath.lastIndexOf('/') + 1)) || path(relativePath));
}
