import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { UsageError } from '../../host/runtime-options';
import { apiTarget, callApi, describeError } from '../api-client';
import { EXIT, parseCommandArgs, parseVars, type Command } from '../io';

export const enqueueCommand: Command = {
  name: 'enqueue',
  summary: 'Queue a run on the running instance (prints the run id)',
  usage:
    'desktop-agent enqueue TEMPLATE [--queue Q] [--priority 1-9] [--var k=v]... [--dry-run] [--idempotency-key K] [--json]\n' +
    '       TEMPLATE is a template name known to the instance, or a YAML file (sent as its content).\n' +
    '       Credentials: DESKTOP_AGENT_TOKEN=<api token>, or --user NAME --password-stdin. --url overrides runtime.json.',
  async run(argv, io) {
    const { values, positionals } = parseCommandArgs(argv, {
      queue: { type: 'string' },
      priority: { type: 'string' },
      var: { type: 'string', multiple: true },
      'dry-run': { type: 'boolean' },
      'idempotency-key': { type: 'string' },
      json: { type: 'boolean' },
      url: { type: 'string' },
      user: { type: 'string' },
      'password-stdin': { type: 'boolean' },
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
    const body = {
      ...(looksLikeFile ? { template_yaml: readFileSync(file, 'utf8') } : { template }),
      variables: parseVars(values.var),
      ...(values.queue ? { queue: values.queue } : {}),
      ...(priority !== undefined ? { priority } : {}),
      ...(values['dry-run'] ? { dry_run: true } : {}),
      ...(values['idempotency-key'] ? { idempotency_key: values['idempotency-key'] } : {}),
    };
    const target = await apiTarget(values, io);
    const answer = await callApi(target, 'POST', '/api/runs', body);
    if (answer.status !== 201) {
      if (values.json) io.stdout(JSON.stringify(answer.body) + '\n');
      io.stderr(`desktop-agent enqueue: ${describeError(answer)}\n`);
      return answer.status === 400 || answer.status === 404 ? EXIT.invalid : EXIT.failed;
    }
    const run = answer.body as { run_id: string; queue: string; priority: number; duplicate: boolean };
    if (values.json) io.stdout(JSON.stringify(run) + '\n');
    else {
      io.stdout(`${run.run_id}\n`);
      io.stderr(`${run.duplicate ? 'Already queued' : 'Queued'} ${run.run_id} in ${run.queue} (priority ${run.priority})\n`);
    }
    return EXIT.ok;
  },
};
