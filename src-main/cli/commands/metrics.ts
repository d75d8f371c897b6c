import { UsageError } from '../../host/runtime-options';
import { CONNECT_OPTIONS, connectCli } from '../client/connect';
import { describeError, exitCodeOf } from '../client/cli-errors';
import { EXIT, parseCommandArgs, type Command } from '../io';

/** `desktop-agent metrics`: GET /metrics (or /metrics/prometheus) of the running instance, or of the data dir. */
export const metricsCommand: Command = {
  name: 'metrics',
  summary: 'Print the figures of GET /metrics (JSON), or with --prometheus the Prometheus text',
  usage:
    'desktop-agent metrics [--prometheus] [--url URL] [--user NAME --password-stdin]\n' +
    '       From the instance running on the data dir (as the OS user, or DESKTOP_AGENT_TOKEN / --user NAME --password-stdin),\n' +
    '       else read from the data dir directly. The JSON is what the guide pipes into jq.',
  async run(argv, io) {
    const { values, positionals } = parseCommandArgs(argv, {
      prometheus: { type: 'boolean' },
      ...CONNECT_OPTIONS,
    });
    if (positionals.length) throw new UsageError(`metrics takes no arguments; got '${positionals.join(' ')}'`);
    const { client, close } = await connectCli(values, io, 'in-process');
    try {
      // One call either way: the JSON figures, or the same figures as Prometheus text.
      const answer = values.prometheus ? await client.call('metrics.prometheus', {}) : await client.call('metrics.get', {});
      if (!answer.ok) {
        io.stderr(`desktop-agent metrics: ${describeError(answer.error)}\n`);
        return exitCodeOf(answer.error);
      }
      io.stdout('body' in answer.data && typeof answer.data.body === 'string' ? answer.data.body : JSON.stringify(answer.data, null, 2) + '\n');
      return EXIT.ok;
    } finally {
      await close();
    }
  },
};
