import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { validateShape } from '@shared/dsl/validate-shape';
import { EXIT, parseCommandArgs, type Command } from '../io';
import { UsageError } from '../../core/app/runtime-options';

export const validateCommand: Command = {
  name: 'validate',
  summary: 'Check a template; every problem with line and column (exit 0 valid, 2 invalid)',
  usage: 'desktop-agent validate FILE [--json]',
  async run(argv, io) {
    const { values, positionals } = parseCommandArgs(argv, { json: { type: 'boolean' } });
    if (positionals.length !== 1) throw new UsageError('validate takes exactly one FILE');
    const file = resolve(io.cwd, positionals[0]!);
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (e) {
      const reason = (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message;
      if (values.json) io.stdout(JSON.stringify({ valid: false, file, errors: [{ path: '(file)', message: `cannot read ${file}: ${reason}` }], warnings: [] }) + '\n');
      io.stderr(`${file}: cannot read: ${reason}\n`);
      return EXIT.invalid;
    }
    const result = validateShape(text);
    const valid = result.errors.length === 0;
    if (values.json) {
      io.stdout(JSON.stringify({ valid, file, errors: result.errors, warnings: result.warnings }) + '\n');
    } else {
      for (const w of result.warnings) io.stderr(`${file}:${w.line ?? 1}:${w.column ?? 1}: warning: ${w.path}: ${w.message}\n`);
      for (const e of result.errors) io.stderr(`${file}:${e.line ?? 1}:${e.column ?? 1}: error: ${e.path}: ${e.message}\n`);
      io.stderr(valid ? `${file}: valid\n` : `${file}: ${result.errors.length} error(s)\n`);
    }
    return valid ? EXIT.ok : EXIT.invalid;
  },
};
