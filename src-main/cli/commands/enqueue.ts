import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { UsageError } from '../../host/runtime-options';
import { CONNECT_OPTIONS, connectCli } from '../client/connect';
import { describeError, exitCodeOf } from '../client/cli-errors';
import { EXIT, parseCommandArgs, parseVars, type Command } from '../io';

export const enqueueCommand: Command = {
  name: 'enqueue',
  summary: 'Queue a run on the running instance (prints the run id)',
  usage:
    'desktop-agent enqueue TEMPLATE [--queue Q] [--priority 1-9] [--var k=v]... [--dry-run] [--idempotency-key K] [--json]\n' +
    '       TEMPLATE is a template name known to the instance, or a YAML file (sent as its content).\n' +
    '       As the OS user through the instance\'s cli-token, or DESKTOP_AGENT_TOKEN=<api token>, or --user NAME --password-stdin.\n' +
    '       --url overrides runtime.json (then credentials are needed).',
  async run(argv, io) {
    const { values, positionals } = parseCommandArgs(argv, {
      queue: { type: 'string' },
      priority: { type: 'string' },
      var: { type: 'string', multiple: true },
      'dry-run': { type: 'boolean' },
      'idempotency-key': { type: 'string' },
      json: { type: 'boolean' },
      ...CONNECT_OPTIONS,
    });
    if (positionals.length !== 1) throw new UsageError('enqueue takes exactly one TEMPLATE');
    const template = positionals[0]!;
    let priority: number | undefined;
    if (values.priority !== undefined) {
      priority = Number(values.priority);
      if (!Number.isInteger(priority) || priority < 1 || priority > 9) throw new UsageError(`--priority is 1 (highest) to 9 (lowest); got '${values.priority}'`);
    }
    const file = resolve(io.cwd, template);
    const looksLikeFile = /\.ya?ml$/i.test(template) && existsSync(file);
    const input = {
      ...(looksLikeFile ? { template_yaml: readFileSync(file, 'utf8') } : { template }),
      variables: parseVars(values.var),
      ...(values.queue ? { queue: values.queue } : {}),
      ...(priority !== undefined ? { priority } : {}),
      ...(values['dry-run'] ? { dry_run: true } : {}),
      ...(values['idempotency-key'] ? { idempotency_key: values['idempotency-key'] } : {}),
    };
    const { client } = await connectCli(values, io, 'instance-only');
    const answer = await client.call('runs.enqueue', input);
    if (!answer.ok) {
      if (values.json) io.stdout(JSON.stringify({ error: answer.error }) + '\n');
      io.stderr(`desktop-agent enqueue: ${describeError(answer.error)}\n`);
      return exitCodeOf(answer.error);
    }
    const run = answer.data;
    if (values.json) io.stdout(JSON.stringify(run) + '\n');
    else {
      io.stdout(`${run.run_id}\n`);
      io.stderr(`${run.duplicate ? 'Already queued' : 'Queued'} ${run.run_id} in ${run.queue} (priority ${run.priority})\n`);
    }
    return EXIT.ok;
  },
};
