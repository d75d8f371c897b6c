import { actionSpec } from '@shared/dsl/actions';
import { assessTemplateRisk } from '@shared/dsl/template-risk';
import { UsageError } from '../../host/runtime-options';
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
    // What the pre-run risk check (approval_policy) would hold the template for.
    const risk = report.template ? assessTemplateRisk(report.template, actionSpec) : undefined;
    if (values.json) {
      io.stdout(JSON.stringify({ valid: report.valid, file, errors: report.errors, warnings: report.warnings, ...(risk ? { risk } : {}) }) + '\n');
    } else {
      printIssues(io, file, report.errors, report.warnings);
      for (const r of risk?.risks ?? []) io.stderr(`${file}: risk ${r.level}: ${r.where} ${r.action}: ${r.reason}\n`);
      io.stderr(report.valid ? `${file}: valid\n` : `${file}: ${report.errors.length} error(s)\n`);
    }
    return report.valid ? EXIT.ok : EXIT.invalid;
  },
};
