import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Issue } from '@shared/contract/errors';
import { validateTemplate, type ValidationReport } from '@shared/dsl/validate';
import type { CliIo } from './io';

/** Reads and validates a template file for `validate` and `run`; undefined when it cannot be read. */
export function readTemplateFile(io: CliIo, path: string, json: boolean): { file: string; text: string; report: ValidationReport } | undefined {
  const file = resolve(io.cwd, path);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const reason = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a folder' : (e as Error).message;
    if (json) io.stdout(JSON.stringify({ valid: false, file, errors: [{ path: '(file)', message: `cannot read ${file}: ${reason}` }], warnings: [] }) + '\n');
    io.stderr(`${file}: cannot read: ${reason}\n`);
    return undefined;
  }
  return { file, text, report: validateTemplate(text) };
}

/** `file:line:column: error: path: message`, one line each, as compilers print them. */
export function printIssues(io: CliIo, file: string, errors: Issue[], warnings: Issue[]): void {
  for (const w of warnings) io.stderr(`${file}:${w.line ?? 1}:${w.column ?? 1}: warning: ${w.path}: ${w.message}\n`);
  for (const e of errors) io.stderr(`${file}:${e.line ?? 1}:${e.column ?? 1}: error: ${e.path}: ${e.message}\n`);
}
