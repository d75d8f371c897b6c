import { z } from 'zod';

/**
 * `files.allowed_roots` of orchestrator.yaml (SPEC section 2): the folders file actions may read
 * and write. The values are written as a person would: `~` (the home folder), the placeholders
 * `<temp-dir>` and `<data-dir>`, absolute POSIX paths, Windows drives (`D:\`, `D:`) and shares
 * (`\\server\share`). Only the form is checked here; the core resolves them on its platform
 * (src-main/core/engine/path-guard.ts), where a Windows value on macOS or Linux is skipped.
 */

export const HOME_ROOT = '~';
export const TEMP_ROOT = '<temp-dir>';
export const DATA_ROOT = '<data-dir>';
export const DEFAULT_ALLOWED_ROOTS: readonly string[] = [HOME_ROOT, TEMP_ROOT, DATA_ROOT];

export type RootForm =
  | { kind: 'home' | 'temp' | 'data'; rest: string }
  | { kind: 'absolute'; path: string }
  | { kind: 'windows'; path: string };

const TOKENS: readonly [string, 'home' | 'temp' | 'data'][] = [
  [HOME_ROOT, 'home'],
  [TEMP_ROOT, 'temp'],
  [DATA_ROOT, 'data'],
];
const DRIVE = /^[A-Za-z]:([\\/]|$)/;
const UNC = /^\\\\[^\\/]+[\\/][^\\/]+/;

/** What kind of root a value is, or undefined when it is not an absolute path or a placeholder. */
export function rootForm(value: string): RootForm | undefined {
  const v = value.trim();
  for (const [token, kind] of TOKENS) {
    if (v === token) return { kind, rest: '' };
    if (v.startsWith(`${token}/`) || v.startsWith(`${token}\\`)) return { kind, rest: v.slice(token.length + 1) };
  }
  // A bare drive (`D:`) means the drive's root, not "the current folder of D:".
  if (DRIVE.test(v)) return { kind: 'windows', path: /^[A-Za-z]:$/.test(v) ? `${v}\\` : v };
  if (v.startsWith('\\\\')) return UNC.test(v) ? { kind: 'windows', path: v } : undefined;
  // `//server/share` stays a path of the platform: a share on Windows, `/server/share` elsewhere.
  if (v.startsWith('/')) return { kind: 'absolute', path: v };
  return undefined;
}

const allowedRoot = z
  .string({ error: 'expected a folder path' })
  .min(1, { error: 'must not be empty' })
  .max(4096, { error: 'is longer than 4096 characters' })
  .refine((v) => !v.includes('\0'), { error: 'contains a NUL character' })
  .refine((v) => rootForm(v) !== undefined, {
    error: (issue) =>
      `'${String(issue.input)}' is not an absolute folder: write ~ or ~/folder, ${TEMP_ROOT}, ${DATA_ROOT}, /absolute/path, a drive (D:\\) or a share (\\\\server\\share)`,
  });

export const filesSchema = z
  .strictObject({
    /** Folders file actions may use, after links are resolved; [] refuses every file action. */
    allowed_roots: z.array(allowedRoot).max(100, { error: 'at most 100 roots' }).default([...DEFAULT_ALLOWED_ROOTS]),
  })
  .prefault({});
export type FilesConfig = z.infer<typeof filesSchema>;
