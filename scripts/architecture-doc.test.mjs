import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('..', import.meta.url));

describe('docs/architecture.md', () => {
  it('prints the current folder-level import graph of src-main/core, as `npm run deps:graph` prints it (no cycles)', () => {
    const graph = execFileSync(process.execPath, ['scripts/deps-graph.mjs'], { cwd: root, encoding: 'utf8' }).trimEnd();
    expect(graph).toMatch(/No cycles\.$/);
    const doc = readFileSync(new URL('../docs/architecture.md', import.meta.url), 'utf8');
    // On a failure: paste the output of `npm run deps:graph` into the graph block of docs/architecture.md.
    expect(doc).toContain(graph);
  });
});
