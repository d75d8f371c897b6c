// `npm run deps:graph`: the folder-level import graph of src-main/core, printed, and a failure
// (exit 1) when the folders form a cycle. Imports are read with TypeScript's own pre-processor
// (static, type-only and dynamic imports alike); tests (*.test.ts) are left out because a test may
// build the whole core from any folder. `--depth 2` splits folders one level further
// (security/auth, security/rbac, ...); `--quiet` prints only a failure (for `npm run lint`).
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const root = fileURLToPath(new URL('..', import.meta.url));
const dirArg = process.argv.indexOf('--dir');
// --dir points the script at another tree (its own test builds one with a cycle).
const coreDir = dirArg > 0 ? resolve(process.argv[dirArg + 1]) : join(root, 'src-main', 'core');
const quiet = process.argv.includes('--quiet');
const depthArg = process.argv.indexOf('--depth');
const depth = depthArg > 0 ? Number(process.argv[depthArg + 1]) : 1;
if (!Number.isInteger(depth) || depth < 1) {
  console.error(`deps-graph: --depth takes a whole number of at least 1 (got '${process.argv[depthArg + 1]}')`);
  process.exit(2);
}

function* sourceFiles(dir) {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) yield* sourceFiles(path);
    else if (name.endsWith('.ts') && !name.endsWith('.test.ts') && !name.endsWith('.d.ts')) yield path;
  }
}

/** The folder a core file belongs to at the chosen depth (its own folder when shallower). */
function folderOf(file) {
  const parts = relative(coreDir, file).split(sep).slice(0, -1);
  return parts.length === 0 ? '.' : parts.slice(0, depth).join('/');
}

function resolveImport(from, specifier) {
  const base = resolve(dirname(from), specifier);
  for (const candidate of [base, `${base}.ts`, join(base, 'index.ts')]) {
    try {
      if (statSync(candidate).isFile()) return candidate;
    } catch {
      // not this candidate; try the next
    }
  }
  return undefined;
}

/** edges: from folder → to folder → the file-level imports that make the edge. */
const edges = new Map();
const folders = new Set();
const unresolved = [];
for (const file of sourceFiles(coreDir)) {
  const from = folderOf(file);
  folders.add(from);
  const { importedFiles } = ts.preProcessFile(readFileSync(file, 'utf8'), true, true);
  for (const { fileName: specifier } of importedFiles) {
    if (!specifier.startsWith('.')) continue;
    const target = resolveImport(file, specifier);
    if (!target) {
      unresolved.push(`${relative(root, file)}: '${specifier}'`);
      continue;
    }
    if (!target.startsWith(coreDir + sep)) continue;
    const to = folderOf(target);
    if (to === from) continue;
    if (!edges.has(from)) edges.set(from, new Map());
    const byTarget = edges.get(from);
    if (!byTarget.has(to)) byTarget.set(to, []);
    byTarget.get(to).push(`${relative(coreDir, file)} → ${relative(coreDir, target)}`);
  }
}

/** Tarjan's strongly connected components: every component of more than one folder is a cycle. */
function cycles() {
  let index = 0;
  const stack = [];
  const info = new Map();
  const found = [];
  const visit = (v) => {
    info.set(v, { index, low: index, onStack: true });
    index++;
    stack.push(v);
    for (const w of edges.get(v)?.keys() ?? []) {
      if (!info.has(w)) {
        visit(w);
        info.get(v).low = Math.min(info.get(v).low, info.get(w).low);
      } else if (info.get(w).onStack) {
        info.get(v).low = Math.min(info.get(v).low, info.get(w).index);
      }
    }
    if (info.get(v).low === info.get(v).index) {
      const component = [];
      let w;
      do {
        w = stack.pop();
        info.get(w).onStack = false;
        component.push(w);
      } while (w !== v);
      if (component.length > 1) found.push(component.sort());
    }
  };
  for (const v of [...folders].sort()) if (!info.has(v)) visit(v);
  return found;
}

const sorted = [...folders].sort();
const print = quiet ? () => {} : console.log;
print(`${relative(root, coreDir) || '.'}: folder → the folders it imports (depth ${depth}, tests left out)`);
for (const from of sorted) {
  const targets = [...(edges.get(from)?.keys() ?? [])].sort();
  print(`  ${from.padEnd(18)} → ${targets.length ? targets.join(', ') : '(nothing of the core)'}`);
}
if (unresolved.length) {
  console.error(`\nImports that resolve to no file:\n  ${unresolved.join('\n  ')}`);
  process.exit(1);
}
const found = cycles();
if (found.length === 0) {
  print('\nNo cycles.');
  process.exit(0);
}
console.error(`\n${found.length} cycle(s) between folders:`);
for (const component of found) {
  console.error(`  ${component.join(' ↔ ')}`);
  for (const from of component) {
    for (const to of component) {
      for (const line of edges.get(from)?.get(to) ?? []) console.error(`      ${line}`);
    }
  }
}
process.exit(1);
