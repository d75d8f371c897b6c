import { describe, expect, it } from 'vitest';
import { DEFAULT_ALLOWED_ROOTS, rootForm } from './file-roots';
import { orchestratorSchema } from './orchestrator';

describe('files.allowed_roots', () => {
  it("defaults to the home folder, the temp dir and the data dir (SPEC section 2)", () => {
    expect(orchestratorSchema.parse({}).files.allowed_roots).toEqual(['~', '<temp-dir>', '<data-dir>']);
    expect(DEFAULT_ALLOWED_ROOTS).toEqual(['~', '<temp-dir>', '<data-dir>']);
    expect(orchestratorSchema.parse({ files: {} }).files.allowed_roots).toEqual(['~', '<temp-dir>', '<data-dir>']);
    expect(orchestratorSchema.parse({ files: { allowed_roots: [] } }).files.allowed_roots).toEqual([]);
  });

  it('takes placeholders, absolute POSIX paths, Windows drives and shares as written', () => {
    const roots = ['~', '~/Documents', '<temp-dir>', '<data-dir>/exports', '/srv/共有', 'D:', 'D:\\経理', 'e:/data', '\\\\fileserver\\share', '//fileserver/share'];
    expect(orchestratorSchema.parse({ files: { allowed_roots: roots } }).files.allowed_roots).toEqual(roots);
    expect(rootForm('D:')).toEqual({ kind: 'windows', path: 'D:\\' });
    expect(rootForm('\\\\fileserver\\share')).toEqual({ kind: 'windows', path: '\\\\fileserver\\share' });
    expect(rootForm('<data-dir>/exports')).toEqual({ kind: 'data', rest: 'exports' });
  });

  it('refuses relative paths, half shares, unknown placeholders and unknown keys, saying where and what to write', () => {
    const r = orchestratorSchema.safeParse({ files: { allowed_roots: ['~', 'Documents', '\\\\server', '<home>', './x', '~user/x', ''], extra: 1 } });
    expect(r.success).toBe(false);
    const issues = r.error!.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    expect(issues).toContain("files.allowed_roots.1: 'Documents' is not an absolute folder: write ~ or ~/folder, <temp-dir>, <data-dir>, /absolute/path, a drive (D:\\) or a share (\\\\server\\share)");
    for (const i of [2, 3, 4, 5]) expect(issues.some((m) => m.startsWith(`files.allowed_roots.${i}: '`))).toBe(true);
    expect(issues).toContain('files.allowed_roots.6: must not be empty');
    expect(issues.some((m) => m.startsWith('files:') && m.includes('extra'))).toBe(true);
    expect(orchestratorSchema.safeParse({ files: { allowed_roots: '~' } }).success).toBe(false);
  });
});
