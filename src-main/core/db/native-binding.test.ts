import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { nativeBindingPath } from './native-binding';

describe('nativeBindingPath', () => {
  const root = '/app';
  const nodeVersions = { ...process.versions, modules: '115' } as NodeJS.ProcessVersions;
  const electronVersions = { ...process.versions, modules: '140', electron: '45.5.0' } as NodeJS.ProcessVersions;

  it('picks the Node build under Node and the Electron build under Electron', () => {
    const present = new Set([
      join(root, 'native', 'node-115', 'better_sqlite3.node'),
      join(root, 'native', 'electron-140', 'better_sqlite3.node'),
    ]);
    const exists = (p: string) => present.has(p);
    expect(nativeBindingPath(root, nodeVersions, exists)).toBe(join(root, 'native', 'node-115', 'better_sqlite3.node'));
    expect(nativeBindingPath(root, electronVersions, exists)).toBe(join(root, 'native', 'electron-140', 'better_sqlite3.node'));
  });

  it("falls back to the package's own build when no side-by-side build exists for this ABI", () => {
    expect(nativeBindingPath(root, electronVersions, () => false)).toBeUndefined();
  });
});
