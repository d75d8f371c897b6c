import { createHash } from 'node:crypto';
import { hostname, userInfo } from 'node:os';
import { basename, extname, join } from 'node:path';
import { newId } from '@shared/domain/ids';
import { UsageError, runtimeOptions } from '../../host/runtime-options';
import { EXIT, parseCommandArgs, parseVars, type Command } from '../io';
import { printIssues, readTemplateFile } from '../template-file';
import { progress, seconds } from '../run-progress';
import { connectToInstance } from '../client/connect';
import { runOnInstance } from './run-on-instance';

const LEASE_MS = 15_000;

function whoami(): string | null {
  try {
    return userInfo().username;
  } catch {
    return null;
  }
}

export const runCommand: Command = {
  name: 'run',
  summary: 'Run a template file here and now with the engine (exit 0 succeeded, 1 failed, 2 invalid)',
  usage:
    'desktop-agent run FILE [--var k=v]... [--dry-run] [--json] [--data-dir DIR] [--config-dir DIR]\n' +
    '       While the app or serve runs on the data dir, the run is queued there (its lists and approvals show it) and followed here.',
  async run(argv, io) {
    const { values, positionals } = parseCommandArgs(argv, { var: { type: 'string', multiple: true }, 'dry-run': { type: 'boolean' }, json: { type: 'boolean' } });
    if (positionals.length !== 1) throw new UsageError('run takes exactly one FILE');
    const json = Boolean(values.json);
    const variables = parseVars(values.var);
    const { var: _vars, ...flags } = values;
    const options = runtimeOptions(flags, io.env);
    const read = readTemplateFile(io, positionals[0]!, json);
    if (!read) return EXIT.invalid;
    const { file, text, report } = read;
    if (!report.valid || !report.template) {
      printIssues(io, file, report.errors, report.warnings);
      if (json) io.stdout(JSON.stringify({ valid: false, file, errors: report.errors, warnings: report.warnings }) + '\n');
      io.stderr(`${file}: ${report.errors.length} error(s); nothing was run\n`);
      return EXIT.invalid;
    }
    printIssues(io, file, [], report.warnings);
    const model = report.template;
    const declared = Object.keys(model.variables);
    for (const name of Object.keys(variables)) {
      if (!declared.includes(name)) io.stderr(`warning: --var ${name}: the template does not declare '${name}' (declared: ${declared.join(', ') || 'none'})\n`);
    }
    const missing = Object.entries(model.variables)
      .filter(([k, v]) => v === null && variables[k] === undefined)
      .map(([k]) => k);
    if (missing.length) {
      io.stderr(`${file}: the template needs ${missing.map((m) => `--var ${m}=…`).join(' ')}; nothing was run\n`);
      return EXIT.invalid;
    }

    // One process writes a database: while an instance runs on the data dir, the run is its to do.
    const instance = await connectToInstance(flags, io);
    if (instance?.target.kind === 'instance') {
      const { url, pid } = instance.target;
      return runOnInstance({ client: instance.client, url, pid, file, text, model, variables, dryRun: Boolean(values['dry-run']), json }, io);
    }

    const { createCore } = await import('../../core/app/create-core');
    const { packageInfo } = await import('../../core/kernel/package-root');
    const { resolvePaths } = await import('../../core/kernel/paths');
    const { nativeBindingPath } = await import('../../core/db/native-binding');
    const { root, version } = packageInfo();
    const paths = resolvePaths({ dataDir: options.dataDir, configDir: options.configDir, defaultConfigDir: join(root, 'configs') });
    const core = await createCore({ paths, version, strictConfig: true, nativeBinding: nativeBindingPath(root) });
    try {
      const now = core.clock.now();
      const runId = newId('run', now);
      const owner = `${hostname()}/${process.pid}/cli`;
      const dryRun = Boolean(values['dry-run']);
      core.runs.startLocal({
        id: runId,
        template: basename(file, extname(file)),
        templateHash: createHash('sha256').update(text).digest('hex'),
        templateYaml: text,
        variables: core.redactor.maskDeep(variables),
        trigger: 'manual',
        triggerData: { source: 'cli', file },
        requestedBy: whoami(),
        queue: model.execution.queue ?? 'default',
        priority: model.execution.priority ?? 5,
        concurrencyTag: model.execution.concurrency_tag ?? null,
        dryRun,
        now,
        timeoutMs: model.execution.timeout_ms ?? null,
        leaseOwner: owner,
        leaseExpiresAt: now + LEASE_MS,
      });
      io.stderr(`Run ${runId}: ${model.name}${dryRun ? ' (dry run: nothing is changed)' : ''}, ${model.steps.length} step(s)\n`);
      // A running instance must not take this run for a crashed one while it runs here.
      const heartbeat = setInterval(() => core.runs.renewLocalLease(runId, owner, core.clock.now() + LEASE_MS), LEASE_MS / 3);
      const controller = new AbortController();
      const onSignal = () => {
        io.stderr('Cancelling at the next safe point…\n');
        controller.abort('cancel');
      };
      process.once('SIGINT', onSignal);
      process.once('SIGTERM', onSignal);
      let outcome;
      try {
        outcome = await core.engine.executeRun(runId, { signal: controller.signal, timeoutMs: model.execution.timeout_ms, observer: progress(io, model.steps.length) });
      } finally {
        clearInterval(heartbeat);
        process.removeListener('SIGINT', onSignal);
        process.removeListener('SIGTERM', onSignal);
      }
      const status = outcome.status === 'interrupted' ? 'cancelled' : outcome.status;
      const finishedAt = core.clock.now();
      core.runs.finishLocal(runId, { status, error: outcome.error ?? null, errorCode: outcome.errorCode ?? null }, now, finishedAt);
      const view = core.runs.read.view(runId);
      const counts = view.steps.reduce<Record<string, number>>((m, s) => ((m[s.status] = (m[s.status] ?? 0) + 1), m), {});
      const tally = Object.entries(counts).map(([k, n]) => `${n} ${k}`).join(', ');
      if (status === 'waiting_approval') {
        io.stderr(`Run ${runId} waits for approval: ${outcome.approval?.message ?? ''}\nApprove it in Desktop Agent (Approvals, or /hitl/approve/${runId}); the app continues the run.\n`);
      } else {
        io.stderr(`Run ${runId} ${status} in ${seconds(finishedAt - now)} (${tally || 'no steps'})${outcome.error ? `: ${outcome.error}` : ''}\n`);
      }
      if (json) io.stdout(JSON.stringify({ ...view, outcome: core.redactor.maskDeep(outcome) }) + '\n');
      return status === 'succeeded' ? EXIT.ok : EXIT.failed;
    } finally {
      await core.stop();
    }
  },
};
