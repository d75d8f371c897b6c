import { UsageError } from '../../core/app/runtime-options';
import { EXIT, parseCommandArgs, type Command } from '../io';
import { printIssues, readTemplateFile } from '../template-file';

export const validateCommand: Command = {
  name: 'validate',
  summary: 'Check a template; every problem with line and column (exit 0 valid, 2 invalid)',
  usage: 'desktop-agent validate FILE [--json]',
  async run(argv, io) {
    const { values, positionals } = parseCommandArgs(argv, { json: { type: 'boolean' } });
    if (positionals.length !== 1) throw new UsageError('validate takes exactly one FILE');
    const read = readTemplateFile(io, positionals[0]!, Boolean(values.json));
    if (!read) return EXIT.invalid;
    const { file, report } = read;
    if (values.json) {
      io.stdout(JSON.stringify({ valid: report.valid, file, errors: report.errors, warnings: report.warnings }) + '\n');
    } else {
      printIssues(io, file, report.errors, report.warnings);
      io.stderr(report.valid ? `${file}: valid\n` : `${file}: ${report.errors.length} error(s)\n`);
    }
    return report.valid ? EXIT.ok : EXIT.invalid;
  },
};
