import { createWriteStream, existsSync, mkdirSync, type Dirent } from 'node:fs';
import { copyFile, lstat, readFile, readdir, rename as fsRename, stat, unlink, constants as fsConstants } from 'node:fs/promises';
import { basename, join, relative, sep } from 'node:path';
import yazl from 'yazl';
import { assertFileExists, copyTo, deleteFiles, findFiles, moveTo, readCsv, rename, zipFolder } from '@shared/dsl/actions/files';
import { FileQueryError, matchesQuery, parseFileQuery } from '@shared/dsl/file-query';
import type { OnConflict } from '@shared/dsl/params';
import { RenameRuleError, applyRenameRule, parseRenameRule } from '@shared/dsl/rename-rule';
import { ActionError, type ActionContext, type ActionDef } from '../action-types';
import { throwIfAborted, toActionError } from '../errors';
import { parseCsv } from './csv';
import {
  FileView,
  RENAMES,
  SELECTION,
  localDate,
  naturalCompare,
  outputTarget,
  selection,
  suffixedName,
  writeAtomically,
} from './file-access';
import { ROOTS_SETTING } from '../path-guard';
import { implement } from './implement';

const MAX_SCANNED = 1_000_000;
const list = (paths: string[], max = 10) => paths.slice(0, max).join(', ') + (paths.length > max ? `, … (${paths.length - max} more)` : '');

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

// ---- move_to / copy_to --------------------------------------------------------------------

interface Transfer {
  from: string;
  to: string;
}

async function plan(action: 'move_to' | 'copy_to', p: { dest: string; on_conflict: OnConflict; paths?: string[] }, ctx: ActionContext): Promise<{ dest: string; transfers: Transfer[] }> {
  const view = new FileView(ctx);
  const files = selection(ctx, p.paths, action);
  const renames = ctx.scratch.get<Record<string, string>>(RENAMES) ?? {};
  const dest = ctx.files.check(p.dest, action);
  const d = await view.stat(dest);
  if (d && !d.dir) throw new ActionError('NOT_A_FOLDER', `${action}: the destination is a file, not a folder: ${dest}`);
  const missing: string[] = [];
  const folders: string[] = [];
  for (const f of files) {
    const s = await view.stat(f);
    if (!s) missing.push(f);
    else if (s.dir) folders.push(f);
  }
  if (missing.length) throw new ActionError('FILE_NOT_FOUND', `${action}: ${missing.length} file(s) not found: ${list(missing)}`, false, { missing });
  if (folders.length) throw new ActionError('IS_A_FOLDER', `${action}: these are folders, not files: ${list(folders)}`);
  const taken = new Set<string>();
  const conflicts: string[] = [];
  const out: Transfer[] = [];
  for (const from of files) {
    const name = renames[from] ?? basename(from);
    let to = join(dest, name);
    if (to === from) {
      taken.add(to);
      out.push({ from, to });
      continue;
    }
    if (taken.has(to) || view.exists(to)) {
      if (p.on_conflict === 'fail') {
        conflicts.push(to);
        continue;
      }
      if (p.on_conflict === 'suffix') to = suffixedName(dest, name, taken, (x) => view.exists(x));
      else if (taken.has(to)) throw new ActionError('FILE_EXISTS', `${action}: two files would both become ${to}; use on_conflict: suffix or a rename rule with {index}`);
      else if ((await view.stat(to))?.dir) throw new ActionError('IS_A_FOLDER', `${action}: ${to} is a folder; it cannot be overwritten by a file`);
    }
    // An existing name in dest may be a link to elsewhere: writing through it would land there.
    ctx.files.check(to, action);
    taken.add(to);
    out.push({ from, to });
  }
  if (conflicts.length) throw new ActionError('FILE_EXISTS', `${action}: ${conflicts.length} file(s) already exist (on_conflict: fail): ${list(conflicts)}`, false, { conflicts });
  return { dest, transfers: out };
}

async function moveOne(t: Transfer, overwrite: boolean): Promise<void> {
  if (!overwrite && existsSync(t.to)) throw new ActionError('FILE_EXISTS', `${t.to} appeared while moving; nothing was overwritten`);
  try {
    await fsRename(t.from, t.to);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EXDEV') throw e;
    // Another disk: copy, check, then remove the original.
    await copyFile(t.from, t.to, overwrite ? 0 : fsConstants.COPYFILE_EXCL);
    if ((await stat(t.to)).size !== (await stat(t.from)).size) throw new ActionError('COPY_INCOMPLETE', `copy of ${t.from} to ${t.to} is incomplete`);
    await unlink(t.from);
  }
}

function finishTransfer(ctx: ActionContext, done: Transfer[]): string[] {
  const outPaths = done.map((t) => t.to);
  ctx.scratch.set(SELECTION, outPaths);
  ctx.scratch.delete(RENAMES);
  return outPaths;
}

function mkdirOrFail(dir: string, action: string): void {
  try {
    mkdirSync(dir, { recursive: true });
  } catch (e) {
    const err = toActionError(e);
    throw new ActionError(err.code, `${action}: cannot create the folder ${dir}: ${err.message}`, err.retryable);
  }
}

const moveToAction = implement(moveTo, {
  async run(p, ctx) {
    const { dest, transfers } = await plan('move_to', p, ctx);
    mkdirOrFail(dest, 'move_to');
    const done: Transfer[] = [];
    for (const t of transfers) {
      if (t.from === t.to) {
        done.push(t);
        continue;
      }
      try {
        await moveOne(t, p.on_conflict === 'overwrite');
        done.push(t);
      } catch (e) {
        // Put back what was moved, so a failed step leaves the files where they were.
        const rolledBack: string[] = [];
        for (const m of [...done].reverse()) {
          if (m.from === m.to) continue;
          try {
            await fsRename(m.to, m.from);
            rolledBack.push(m.from);
          } catch {
            // Reported below: the file stays at its new place.
          }
        }
        const err = toActionError(e);
        const moved = done.filter((m) => m.from !== m.to).length;
        throw new ActionError(
          err.code,
          `move_to: ${t.from} → ${t.to}: ${err.message}${moved ? `; ${rolledBack.length} of ${moved} file(s) already moved were put back` : ''}`,
          err.retryable,
        );
      }
    }
    return { moved: done.filter((t) => t.from !== t.to).length, out_paths: finishTransfer(ctx, done) };
  },
  async dryRun(p, ctx) {
    const { transfers } = await plan('move_to', p, ctx);
    const view = new FileView(ctx);
    for (const t of transfers) {
      if (t.from === t.to) continue;
      view.would(t.to, { source: view.source(t.from) });
      view.would(t.from, { removed: true });
    }
    return { moved: 0, would_move: transfers, out_paths: finishTransfer(ctx, transfers) };
  },
});

const copyToAction = implement(copyTo, {
  async run(p, ctx) {
    const { dest, transfers } = await plan('copy_to', p, ctx);
    mkdirOrFail(dest, 'copy_to');
    const done: Transfer[] = [];
    for (const t of transfers) {
      if (t.from === t.to) {
        done.push(t);
        continue;
      }
      try {
        await copyFile(t.from, t.to, p.on_conflict === 'overwrite' ? 0 : fsConstants.COPYFILE_EXCL);
        done.push(t);
      } catch (e) {
        for (const c of done) if (c.from !== c.to) await unlink(c.to).catch(() => undefined);
        const err = toActionError(e);
        throw new ActionError(err.code, `copy_to: ${t.from} → ${t.to}: ${err.message}${done.length ? `; the ${done.length} copies made were removed` : ''}`, err.retryable);
      }
    }
    return { copied: done.filter((t) => t.from !== t.to).length, out_paths: finishTransfer(ctx, done) };
  },
  async dryRun(p, ctx) {
    const { transfers } = await plan('copy_to', p, ctx);
    const view = new FileView(ctx);
    for (const t of transfers) if (t.from !== t.to) view.would(t.to, { source: view.source(t.from) });
    return { copied: 0, would_copy: transfers, out_paths: finishTransfer(ctx, transfers) };
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
