// `npm run lint` runs this: a non-test source file over MAX_LINES lines must say why at its top, in a
// `// size: <why>` comment within its first few lines (issue 13: small modules with one job). Split
// the file along its responsibilities instead where it has more than one. Translation catalogues
// (`i18n/<lang>.ts`) are data, one key per line, and are left out.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

export const MAX_LINES = 400;
/** The reason must be in one of the first lines (after a shebang or a licence line at most). */
const REASON_WITHIN = 5;
const REASON = /^\s*\/\/\s*size:\s*(\S.{9,})$/;
const SOURCE = /\.(ts|tsx|mts|cts|js|mjs|cjs)$/;
const TEST = /\.test\.[a-z]+$/;
const DATA = /(^|\/)i18n\/[a-z]{2}(-[A-Za-z]+)?\.ts$/;
export const SOURCE_DIRS = ['src-main', 'src-shared', 'src-renderer', 'scripts', 'bin', 'bench', 'test-support', 'e2e'];

function* sourceFiles(dir) {
  let names;
  try {
    names = readdirSync(dir);
  } catch {
    return; // a folder this checkout does not have
  }
  for (const name of names) {
    if (name === 'node_modules') continue;
    const path = join(dir, name);
    if (statSync(path).isDirectory()) yield* sourceFiles(path);
    else if (SOURCE.test(name) && !TEST.test(name) && !name.endsWith('.d.ts')) yield path;
  }
}

/** The line count of a text, as `wc -l` counts it (a last line without a newline still counts). */
export function lineCount(text) {
  if (text.length === 0) return 0;
  const newlines = text.split('\n').length - 1;
  return text.endsWith('\n') ? newlines : newlines + 1;
}

/** The `// size:` reason at the top of a text, or undefined. */
export function sizeReason(text) {
  for (const line of text.split('\n', REASON_WITHIN)) {
    const m = REASON.exec(line);
    if (m) return m[1].trim();
  }
  return undefined;
}

/** Every file under `dirs` (relative to `root`) over the limit without a reason: `{file, lines}`. */
export function oversizedFiles(root, dirs = SOURCE_DIRS, max = MAX_LINES) {
  const found = [];
  for (const dir of dirs) {
    for (const path of sourceFiles(join(root, dir))) {
      const file = relative(root, path).split(sep).join('/');
      if (DATA.test(file)) continue;
      const text = readFileSync(path, 'utf8');
      const lines = lineCount(text);
      if (lines > max && sizeReason(text) === undefined) found.push({ file, lines });
    }
  }
  return found.sort((a, b) => a.file.localeCompare(b.file));
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const root = fileURLToPath(new URL('..', import.meta.url));
  const found = oversizedFiles(root);
  if (found.length) {
    console.error(`file-size: ${found.length} source file(s) over ${MAX_LINES} lines without a reason at the top:`);
    for (const { file, lines } of found) console.error(`  ${file}: ${lines} lines; split it along its responsibilities, or add '// size: <why>' in its first ${REASON_WITHIN} lines`);
    process.exit(1);
  }
}
