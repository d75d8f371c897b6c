import { z } from 'zod';
import { defineActionSpec } from '../action-spec';
import { FileQueryError, parseFileQuery } from '../file-query';
import { bool, int, onConflict, oneOf, path, pathList, text } from '../params';
import { RenameRuleError, parseRenameRule } from '../rename-rule';
import { hasTemplate } from '../template-string';

/** Checks a value's own syntax once it is no longer a `{{ … }}` template. */
function syntax(check: (v: string) => void) {
  return (v: string, ctx: z.RefinementCtx) => {
    if (hasTemplate(v)) return;
    try {
      check(v);
    } catch (e) {
      if (e instanceof FileQueryError || e instanceof RenameRuleError) ctx.addIssue({ code: 'custom', message: e.message });
      else throw e;
    }
  };
}

export const findFiles = defineActionSpec({
  name: 'find_files',
  family: 'files',
  summary: 'Find files under folders with a query (kind:, name:, ext:, modified:, size:, OR)',
  params: z.strictObject({
    query: text(2_000, 'a query such as "kind:pdf modified:>2024-01-01"').default('').superRefine(syntax((q) => parseFileQuery(q))),
    roots: pathList('a folder or a list of folders', 100),
    limit: int(1, 100_000).default(1_000),
    recursive: bool().default(true),
    include_hidden: bool().default(false),
  }),
  idempotent: true,
  mutating: false,
  results: ['found', 'files', 'truncated', 'total_bytes', 'unreadable'],
});

export const rename = defineActionSpec({
  name: 'rename',
  family: 'files',
  summary: 'Preview new names for the selected files; the next move_to or copy_to applies them',
  params: z.strictObject({
    rule: text(1_000, 'a rule such as "{date}_{stem}.{ext}"').superRefine(syntax((r) => parseRenameRule(r))),
    paths: pathList().optional(),
  }),
  idempotent: true,
  mutating: false,
  results: ['renamed_previews', 'count'],
});

const transferParams = z.strictObject({
  dest: path('a destination folder'),
  on_conflict: onConflict('suffix'),
  paths: pathList().optional(),
});

export const moveTo = defineActionSpec({
  name: 'move_to',
  family: 'files',
  summary: 'Move the selected files (with pending renames) into a folder',
  params: transferParams,
  idempotent: false,
  mutating: true,
  results: ['moved', 'out_paths', 'would_move'],
});

export const copyTo = defineActionSpec({
  name: 'copy_to',
  family: 'files',
  summary: 'Copy the selected files (with pending renames) into a folder',
  params: transferParams,
  idempotent: true,
  mutating: true,
  results: ['copied', 'out_paths', 'would_copy'],
});

export const zipFolder = defineActionSpec({
  name: 'zip_folder',
  family: 'files',
  summary: 'Zip a folder into a .zip file readable by any unzip tool',
  params: z.strictObject({ folder: path('a folder'), out: path('the .zip file to write'), on_conflict: onConflict('overwrite') }),
  idempotent: true,
  mutating: true,
  results: ['zip', 'bytes', 'files', 'would_zip'],
});

export const deleteFiles = defineActionSpec({
  name: 'delete_files',
  family: 'files',
  summary: 'Delete files (the given paths, or the current selection with from_state: true)',
  params: z
    .strictObject({ paths: pathList().optional(), from_state: bool().optional() })
    .refine((p) => Boolean(p.paths) !== Boolean(p.from_state), { error: 'give either paths or from_state: true' }),
  idempotent: true,
  mutating: true,
  results: ['deleted', 'paths', 'missing', 'would_delete'],
  risk: (p) => ({ level: 'high', reason: `deletes ${p.paths ? `${p.paths.length} file(s)` : 'the selected files'}` }),
});

export const assertFileExists = defineActionSpec({
  name: 'assert_file_exists',
  family: 'files',
  summary: 'Fail unless a file exists',
  params: z.strictObject({ path: path('a file path') }),
  idempotent: true,
  mutating: false,
  results: ['exists', 'path', 'bytes'],
});

export const readCsv = defineActionSpec({
  name: 'read_csv',
  family: 'files',
  summary: 'Read a CSV file into rows (one object per line, keyed by the header) for for_each',
  params: z.strictObject({
    path: path('a CSV file'),
    delimiter: z.string().length(1, { error: 'a single character such as , or ;' }).default(','),
    encoding: oneOf(['utf-8', 'shift_jis', 'utf-16le']).default('utf-8'),
    header: bool().default(true),
  }),
  idempotent: true,
  mutating: false,
  results: ['rows', 'count', 'columns'],
});

export const FILE_ACTION_SPECS = [findFiles, rename, moveTo, copyTo, zipFolder, deleteFiles, assertFileExists, readCsv] as const;
