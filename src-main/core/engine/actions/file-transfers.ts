import { existsSync, mkdirSync } from 'node:fs';
import { copyFile, rename as fsRename, stat, unlink, constants as fsConstants } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { copyTo, moveTo } from '@shared/dsl/actions/files';
import type { OnConflict } from '@shared/dsl/params';
import { ActionError, type ActionContext } from '../action-types';
import { toActionError } from '../errors';
import { FileView, RENAMES, SELECTION, listPaths as list, selection, suffixedName } from './file-access';
import { implement } from './implement';

/**
 * move_to and copy_to: the selection (renamed by a preceding `rename`) into a folder, every name
 * decided before the first file moves (on_conflict), and undone when one of them fails.
 */

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

/**
 * Applies each transfer in order (a file already in place is kept as is). When one fails, the
 * ones done are undone newest first, so a failed step leaves the files as they were, and the
 * error says how many could be undone (one that cannot stays where it was put).
 */
async function transferAll(
  action: 'move_to' | 'copy_to',
  transfers: Transfer[],
  how: { apply(t: Transfer): Promise<void>; undo(t: Transfer): Promise<void>; undone(n: number, of: number): string },
): Promise<Transfer[]> {
  const done: Transfer[] = [];
  for (const t of transfers) {
    if (t.from === t.to) {
      done.push(t);
      continue;
    }
    try {
      await how.apply(t);
      done.push(t);
    } catch (e) {
      const changed = done.filter((m) => m.from !== m.to);
      let undone = 0;
      for (const m of changed.reverse()) {
        undone += await how.undo(m).then(
          () => 1,
          () => 0,
        );
      }
      const err = toActionError(e);
      const tail = changed.length ? `; ${how.undone(undone, changed.length)}` : '';
      throw new ActionError(err.code, `${action}: ${t.from} → ${t.to}: ${err.message}${tail}`, err.retryable);
    }
  }
  return done;
}

export const moveToAction = implement(moveTo, {
  async run(p, ctx) {
    const { dest, transfers } = await plan('move_to', p, ctx);
    mkdirOrFail(dest, 'move_to');
    const overwrite = p.on_conflict === 'overwrite';
    const done = await transferAll('move_to', transfers, {
      apply: (t) => moveOne(t, overwrite),
      undo: (t) => fsRename(t.to, t.from),
      undone: (n, of) => `${n} of ${of} file(s) already moved were put back`,
    });
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

export const copyToAction = implement(copyTo, {
  async run(p, ctx) {
    const { dest, transfers } = await plan('copy_to', p, ctx);
    mkdirOrFail(dest, 'copy_to');
    const mode = p.on_conflict === 'overwrite' ? 0 : fsConstants.COPYFILE_EXCL;
    const done = await transferAll('copy_to', transfers, {
      apply: (t) => copyFile(t.from, t.to, mode),
      undo: (t) => unlink(t.to),
      undone: (n, of) => `${n} of the ${of} copies made were removed`,
    });
    return { copied: done.filter((t) => t.from !== t.to).length, out_paths: finishTransfer(ctx, done) };
  },
  async dryRun(p, ctx) {
    const { transfers } = await plan('copy_to', p, ctx);
    const view = new FileView(ctx);
    for (const t of transfers) if (t.from !== t.to) view.would(t.to, { source: view.source(t.from) });
    return { copied: 0, would_copy: transfers, out_paths: finishTransfer(ctx, transfers) };
  },
});
