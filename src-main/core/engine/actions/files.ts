import { createWriteStream, existsSync, type Dirent } from 'node:fs';
import { lstat, readFile, readdir, stat, unlink } from 'node:fs/promises';
import { basename, join, relative, sep } from 'node:path';
import yazl from 'yazl';
import { assertFileExists, deleteFiles, findFiles, readCsv, rename, zipFolder } from '@shared/dsl/actions/files';
import { FileQueryError, matchesQuery, parseFileQuery } from '@shared/dsl/file-query';
import { RenameRuleError, applyRenameRule, parseRenameRule } from '@shared/dsl/rename-rule';
import { ActionError, type ActionContext, type ActionDef } from '../action-types';
import { throwIfAborted, toActionError } from '../errors';
import { parseCsv } from './csv';
import {
  FileView,
  listPaths as list,
  RENAMES,
  SELECTION,
  localDate,
  naturalCompare,
  outputTarget,
  selection,
  writeAtomically,
} from './file-access';
import { ROOTS_SETTING } from '../path-guard';
import { copyToAction, moveToAction } from './file-transfers';
import { implement } from './implement';

const MAX_SCANNED = 1_000_000;

// ---- find_files ---------------------------------------------------------------------------

async function folderOrFail(path: string, action: string): Promise<void> {
  let s;
  try {
    s = await stat(path);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') throw new ActionError('FOLDER_NOT_FOUND', `${action}: folder not found: ${path}`);
    throw toActionError(e);
  }
  if (!s.isDirectory()) throw new ActionError('NOT_A_FOLDER', `${action}: not a folder: ${path}`);
}

const findFilesAction = implement(findFiles, {
  async run(p, ctx) {
    let query;
    try {
      query = parseFileQuery(p.query);
    } catch (e) {
      if (e instanceof FileQueryError) throw new ActionError('INVALID_QUERY', `find_files: ${e.message}`);
      throw e;
    }
    const roots = ctx.files.checkAll(p.roots, 'find_files');
    for (const root of roots) await folderOrFail(root, 'find_files');
    const now = ctx.clock.now();
    const matches: { path: string; size: number }[] = [];
    const unreadable: { path: string; reason: string }[] = [];
    const seen = new Set<string>();
    let scanned = 0;
    for (const root of roots) {
      const stack = [root];
      while (stack.length) {
        const dir = stack.pop()!;
        let entries: Dirent[];
        try {
          entries = await readdir(dir, { withFileTypes: true });
        } catch (e) {
          if (dir === root) throw toActionError(e);
          unreadable.push({ path: dir, reason: toActionError(e).message });
          continue;
        }
        for (const ent of entries) {
          if (++scanned % 500 === 0) throwIfAborted(ctx.signal);
          if (scanned > MAX_SCANNED) throw new ActionError('TOO_MANY_FILES', `find_files: more than ${MAX_SCANNED} entries under ${list(roots)}; narrow the roots`);
          if (!p.include_hidden && ent.name.startsWith('.')) continue;
          const full = join(dir, ent.name);
          if (ent.isDirectory()) {
            if (p.recursive) stack.push(full);
            continue;
          }
          if (!ent.isFile() && !ent.isSymbolicLink()) continue;
          if (ent.isSymbolicLink() && !ctx.files.allows(full)) {
            unreadable.push({ path: full, reason: `a link to a place outside ${ROOTS_SETTING}` });
            continue;
          }
          let s;
          try {
            s = await stat(full);
          } catch {
            continue; // a dangling link or a file that vanished meanwhile
          }
          // Links to folders are not followed (no loops); links to files count as files.
          if (!s.isFile() || seen.has(full)) continue;
          if (matchesQuery(query, { name: ent.name, size: s.size, mtimeMs: s.mtimeMs }, now)) {
            seen.add(full);
            matches.push({ path: full, size: s.size });
          }
        }
      }
    }
    matches.sort((a, b) => naturalCompare(a.path, b.path));
    const chosen = matches.slice(0, p.limit);
    const files = chosen.map((m) => m.path);
    ctx.scratch.set(SELECTION, files);
    ctx.scratch.delete(RENAMES);
    return {
      found: files.length,
      files,
      truncated: matches.length > p.limit,
      total_bytes: chosen.reduce((n, m) => n + m.size, 0),
      unreadable,
    };
  },
});

// ---- rename -------------------------------------------------------------------------------

const renameAction = implement(rename, {
  async run(p, ctx) {
    const files = selection(ctx, p.paths, 'rename');
    let rule;
    try {
      rule = parseRenameRule(p.rule);
    } catch (e) {
      if (e instanceof RenameRuleError) throw new ActionError('INVALID_RULE', `rename: ${e.message}`);
      throw e;
    }
    const date = localDate(ctx.clock.now());
    const renames: Record<string, string> = {};
    const previews = files.map((from, i) => {
      let name: string;
      try {
        name = applyRenameRule(rule, { name: basename(from), index: i + 1, date });
      } catch (e) {
        if (e instanceof RenameRuleError) throw new ActionError('INVALID_RULE', `rename: ${e.message}`);
        throw e;
      }
      if (process.platform === 'win32' && /[<>:"|?*]/.test(name)) throw new ActionError('INVALID_RULE', `rename: '${name}' contains a character Windows does not allow in names (< > : " | ? *)`);
      renames[from] = name;
      return { from, to: join(from.slice(0, from.length - basename(from).length), name) };
    });
    const count = new Map<string, number>();
    for (const pv of previews) count.set(pv.to, (count.get(pv.to) ?? 0) + 1);
    ctx.scratch.set(SELECTION, files);
    ctx.scratch.set(RENAMES, renames);
    return { renamed_previews: previews, count: previews.length, collisions: [...count].filter(([, n]) => n > 1).map(([to]) => to) };
  },
});

// ---- zip_folder ---------------------------------------------------------------------------

async function listTree(root: string, ctx: ActionContext, skip: (p: string) => boolean): Promise<{ files: string[]; emptyDirs: string[] }> {
  const files: string[] = [];
  const emptyDirs: string[] = [];
  const stack = [root];
  let n = 0;
  while (stack.length) {
    const dir = stack.pop()!;
    let entries: Dirent[];
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch (e) {
      throw toActionError(e);
    }
    let kept = 0;
    for (const ent of entries) {
      if (++n % 500 === 0) throwIfAborted(ctx.signal);
      if (n > MAX_SCANNED) throw new ActionError('TOO_MANY_FILES', `zip_folder: more than ${MAX_SCANNED} entries under ${root}`);
      const full = join(dir, ent.name);
      if (skip(full)) continue;
      kept++;
      if (ent.isDirectory()) stack.push(full);
      else if (ent.isFile()) files.push(full);
    }
    if (kept === 0 && dir !== root) emptyDirs.push(dir);
  }
  files.sort(naturalCompare);
  return { files, emptyDirs };
}

const zipName = (root: string, p: string) => relative(root, p).split(sep).join('/');

const zipFolderAction = implement(zipFolder, {
  async run(p, ctx) {
    const folder = ctx.files.check(p.folder, 'zip_folder');
    await folderOrFail(folder, 'zip_folder');
    const target = outputTarget(ctx.files.check(p.out, 'zip_folder'), p.on_conflict, existsSync);
    const tmpPrefix = join(target, '..', `.${basename(target)}.`);
    const { files, emptyDirs } = await listTree(folder, ctx, (x) => x === target || x.startsWith(tmpPrefix));
    const bytes = await writeAtomically(
      target,
      (tmp) =>
        new Promise<void>((resolve, reject) => {
          const zip = new yazl.ZipFile();
          for (const d of emptyDirs) zip.addEmptyDirectory(zipName(folder, d));
          for (const f of files) zip.addFile(f, zipName(folder, f));
          const out = createWriteStream(tmp, { flags: 'wx' });
          zip.outputStream.on('error', reject).pipe(out).on('error', reject).on('close', () => resolve());
          zip.end();
        }),
    );
    return { zip: target, bytes, files: files.length };
  },
  async dryRun(p, ctx) {
    const folder = ctx.files.check(p.folder, 'zip_folder');
    await folderOrFail(folder, 'zip_folder');
    const target = outputTarget(ctx.files.check(p.out, 'zip_folder'), p.on_conflict, existsSync);
    const { files } = await listTree(folder, ctx, (x) => x === target);
    new FileView(ctx).would(target, {});
    return { zip: target, files: files.length, would_zip: { folder, out: target, files: files.length } };
  },
});

// ---- delete_files -------------------------------------------------------------------------

async function deletionPlan(p: { paths?: string[]; from_state?: boolean }, ctx: ActionContext): Promise<{ present: string[]; missing: string[] }> {
  const view = new FileView(ctx);
  const files = p.from_state ? selection(ctx, undefined, 'delete_files') : ctx.files.checkAll(p.paths ?? [], 'delete_files');
  const present: string[] = [];
  const missing: string[] = [];
  const folders: string[] = [];
  for (const f of files) {
    const s = ctx.dryRun ? await view.stat(f) : await lstat(f).then((x) => ({ dir: x.isDirectory() }), (e: NodeJS.ErrnoException) => (e.code === 'ENOENT' ? undefined : Promise.reject(toActionError(e))));
    if (!s) missing.push(f);
    else if (s.dir) folders.push(f);
    else present.push(f);
  }
  if (folders.length) throw new ActionError('IS_A_FOLDER', `delete_files deletes files, not folders: ${list(folders)}`);
  return { present, missing };
}

const deleteFilesAction = implement(deleteFiles, {
  async run(p, ctx) {
    const { present, missing } = await deletionPlan(p, ctx);
    const deleted: string[] = [];
    for (const f of present) {
      try {
        await unlink(f);
        deleted.push(f);
      } catch (e) {
        const err = toActionError(e);
        throw new ActionError(err.code, `delete_files: ${f}: ${err.message}${deleted.length ? ` (${deleted.length} file(s) were deleted before this one)` : ''}`, err.retryable, { deleted });
      }
    }
    ctx.scratch.delete(SELECTION);
    return { deleted: deleted.length, paths: deleted, missing };
  },
  async dryRun(p, ctx) {
    const { present, missing } = await deletionPlan(p, ctx);
    const view = new FileView(ctx);
    for (const f of present) view.would(f, { removed: true });
    return { deleted: 0, would_delete: present, missing };
  },
});

// ---- assert_file_exists, read_csv ---------------------------------------------------------

const assertFileExistsAction = implement(assertFileExists, {
  async run(p, ctx) {
    const path = ctx.files.check(p.path, 'assert_file_exists');
    const s = await new FileView(ctx).stat(path);
    if (!s) throw new ActionError('ASSERTION_FAILED', `File not found: ${path}`);
    return { exists: true, path, bytes: s.size };
  },
});

const MAX_CSV_BYTES = 50 * 1024 * 1024;

const readCsvAction = implement(readCsv, {
  async run(p, ctx) {
    const path = ctx.files.check(p.path, 'read_csv');
    const source = new FileView(ctx).source(path);
    if (!source) throw new ActionError('FILE_NOT_FOUND', `read_csv: file not found: ${path}`);
    let bytes: Buffer;
    try {
      if ((await stat(source)).size > MAX_CSV_BYTES) throw new ActionError('FILE_TOO_LARGE', `read_csv: ${path} is larger than ${MAX_CSV_BYTES / 1024 / 1024} MB`);
      bytes = await readFile(source);
    } catch (e) {
      throw toActionError(e);
    }
    let text: string;
    try {
      text = new TextDecoder(p.encoding, { fatal: true }).decode(bytes);
    } catch {
      throw new ActionError('CSV_ENCODING', `read_csv: ${path} is not valid ${p.encoding}${p.encoding === 'utf-8' ? '; CSV files saved by Excel on Japanese Windows need encoding: shift_jis' : ''}`);
    }
    let rows: string[][];
    try {
      rows = parseCsv(text, p.delimiter);
    } catch (e) {
      throw new ActionError('CSV_SYNTAX', `read_csv: ${path}: ${(e as Error).message}`);
    }
    if (!p.header) return { rows, count: rows.length, columns: [] };
    const [head = [], ...data] = rows;
    const columns: string[] = [];
    for (const [i, h] of head.entries()) {
      const name = h.trim() || `column_${i + 1}`;
      let unique = name;
      for (let n = 2; columns.includes(unique); n++) unique = `${name}_${n}`;
      columns.push(unique);
    }
    const objects = data.map((cells) => {
      const row: Record<string, string> = {};
      columns.forEach((c, i) => (row[c] = cells[i] ?? ''));
      for (let i = columns.length; i < cells.length; i++) row[`column_${i + 1}`] = cells[i]!;
      return row;
    });
    return { rows: objects, count: objects.length, columns };
  },
});

export const fileActions: readonly ActionDef[] = [
  findFilesAction,
  renameAction,
  moveToAction,
  copyToAction,
  zipFolderAction,
  deleteFilesAction,
  assertFileExistsAction,
  readCsvAction,
];
