import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync } from 'node:fs';
import { rename, rm, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, extname, join } from 'node:path';
import type { OnConflict } from '@shared/dsl/params';
import { ActionError, type ActionContext } from '../action-types';
import { toActionError } from '../errors';

/** The local calendar date YYYY-MM-DD (`{{date}}`, `{date}` in rename rules). */
export function localDate(ms: number): string {
  const d = new Date(ms);
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
}

const collator = new Intl.Collator(undefined, { numeric: true, sensitivity: 'base' });
/** "file2" before "file10". */
export const naturalCompare = (a: string, b: string): number => collator.compare(a, b) || (a < b ? -1 : a > b ? 1 : 0);

/** `name (1).ext`, `name (2).ext`, … : the first name not on disk and not in `taken`. */
export function suffixedName(dir: string, name: string, taken: Set<string>, exists: (p: string) => boolean): string {
  const ext = extname(name);
  const stem = name.slice(0, name.length - ext.length);
  for (let i = 1; i < 10_000; i++) {
    const candidate = join(dir, `${stem} (${i})${ext}`);
    if (!taken.has(candidate) && !exists(candidate)) return candidate;
  }
  throw new ActionError('FILE_EXISTS', `No free name for ${join(dir, name)} after 10000 tries`);
}

/** Where an output goes given on_conflict: the path itself, a suffixed one, or an error. */
export function outputTarget(out: string, onConflict: OnConflict, exists: (p: string) => boolean): string {
  if (!exists(out)) return out;
  if (onConflict === 'fail') throw new ActionError('FILE_EXISTS', `${out} already exists (on_conflict: fail)`);
  if (onConflict === 'suffix') return suffixedName(dirname(out), basename(out), new Set(), exists);
  return out;
}

/**
 * Writes an output file atomically: into a temporary file beside it, then renamed over the
 * target, so a reader never sees half a PDF or zip and a failure leaves nothing behind.
 */
export async function writeAtomically(target: string, produce: (tmp: string) => Promise<void>): Promise<number> {
  const dir = dirname(target);
  try {
    mkdirSync(dir, { recursive: true });
  } catch (e) {
    throw toActionError(e);
  }
  const tmp = join(dir, `.${basename(target)}.${randomBytes(4).toString('hex')}.tmp`);
  try {
    await produce(tmp);
    if (existsSync(target) && (await stat(target)).isDirectory()) throw new ActionError('IS_A_FOLDER', `${target} is a folder; give a file name`);
    await rename(tmp, target);
    return (await stat(target)).size;
  } catch (e) {
    await rm(tmp, { force: true });
    throw toActionError(e);
  }
}

export async function writeBytesAtomically(target: string, bytes: Uint8Array): Promise<number> {
  return writeAtomically(target, (tmp) => writeFile(tmp, bytes, { flag: 'wx' }));
}

// ---- dry runs -----------------------------------------------------------------------------

/**
 * In a dry run nothing changes on disk, yet later steps must see what earlier ones would have
 * done (a moved file at its new path, a merged PDF's page count). The overlay records those
 * would-be files in the run's scratch; the file helpers below consult it in a dry run.
 */
export interface DryEntry {
  /** The real file this path would be a copy or move of. */
  source?: string;
  removed?: boolean;
  /** A PDF the run would write, with its page count. */
  pages?: number;
  bytes?: number;
}

const OVERLAY = 'dry.files';

export class FileView {
  constructor(private readonly ctx: ActionContext) {}

  private overlay(): Record<string, DryEntry> | undefined {
    if (!this.ctx.dryRun) return undefined;
    let o = this.ctx.scratch.get<Record<string, DryEntry>>(OVERLAY);
    if (!o) {
      o = {};
      this.ctx.scratch.set(OVERLAY, o);
    }
    return o;
  }

  /** Records what a dry-run step would do to a path. */
  would(path: string, entry: DryEntry): void {
    const o = this.overlay();
    if (o) o[path] = entry;
  }

  /** The overlay entry of a path in a dry run. */
  virtual(path: string): DryEntry | undefined {
    return this.overlay()?.[path];
  }

  /** The real file that holds a path's content now (its source in a dry run), or undefined. */
  source(path: string): string | undefined {
    const v = this.virtual(path);
    if (!v) return path;
    if (v.removed) return undefined;
    return v.source;
  }

  /** Does the path exist (as the run would see it)? */
  exists(path: string): boolean {
    const v = this.virtual(path);
    if (v) return !v.removed;
    return existsSync(path);
  }

  /** stat as the run would see it; undefined when missing. */
  async stat(path: string): Promise<{ file: boolean; dir: boolean; size: number; mtimeMs: number } | undefined> {
    const v = this.virtual(path);
    if (v?.removed) return undefined;
    if (v && !v.source) return { file: true, dir: false, size: v.bytes ?? 0, mtimeMs: this.ctx.clock.now() };
    try {
      const s = await stat(v?.source ?? path);
      return { file: s.isFile(), dir: s.isDirectory(), size: s.size, mtimeMs: s.mtimeMs };
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
      throw toActionError(e);
    }
  }
}

/** The selected files shared by find_files, rename, move_to, copy_to, delete_files. */
/** The first paths of a list for a message, and how many more there are. */
export const listPaths = (paths: string[], max = 10) => paths.slice(0, max).join(', ') + (paths.length > max ? `, … (${paths.length - max} more)` : '');

export const SELECTION = 'files.selection';
/** Pending renames (source path → new name) that the next move_to/copy_to applies. */
export const RENAMES = 'files.renames';

/** The files to work on: the given paths or the selection, each checked against files.allowed_roots. */
export function selection(ctx: ActionContext, given: string[] | undefined, action: string): string[] {
  // The selection is checked again: a link in it may have been pointed elsewhere since find_files.
  const files = ctx.files.checkAll(given ?? ctx.scratch.get<string[]>(SELECTION) ?? [], action);
  if (!files.length) {
    throw new ActionError('NO_FILES', `${action}: no files to work on; run find_files first or give paths`);
  }
  return files;
}
