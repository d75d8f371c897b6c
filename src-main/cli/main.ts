import { UsageError } from '../host/runtime-options';
import { EXIT, type CliIo, type Command } from './io';

/** Commands load lazily so that `validate` does not pay for the HTTP server's start-up. */
const COMMANDS: Record<string, () => Promise<Command>> = {
  serve: async () => (await import('./commands/serve')).serveCommand,
  validate: async () => (await import('./commands/validate')).validateCommand,
  run: async () => (await import('./commands/run')).runCommand,
  users: async () => (await import('./commands/users')).usersCommand,
  enqueue: async () => (await import('./commands/enqueue')).enqueueCommand,
  secrets: async () => (await import('./commands/secrets')).secretsCommand,
  clusters: async () => (await import('./commands/clusters')).clustersCommand,
  metrics: async () => (await import('./commands/metrics')).metricsCommand,
};

function help(commands: Command[]): string {
  const width = Math.max(...commands.map((c) => c.name.length));
  return [
    'Desktop Agent — desktop automation with durable queues, triggers, roles and secrets',
    '',
    'Usage: desktop-agent <command> [options]',
    '',
    'Commands:',
    ...commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    'Options for every command:',
    '  --data-dir DIR     data folder (env DESKTOP_AGENT_DATA_DIR; default ~/.config/desktop-agent on Linux)',
    '  --config-dir DIR   config folder (env DESKTOP_AGENT_CONFIG_DIR; default <data-dir>/configs)',
    '  --host H --port P  loopback API address (env DESKTOP_AGENT_HOST / DESKTOP_AGENT_PORT; default 127.0.0.1:8000)',
    '  --browser PATH     Chromium-family browser for web actions (env DESKTOP_AGENT_BROWSER_PATH)',
    '',
    'desktop-agent <command> --help shows a command\'s usage.',
    '',
  ].join('\n');
}

export async function main(argv: string[], io: CliIo): Promise<number> {
  const [name, ...rest] = argv;
  const loaded = async () => Promise.all(Object.values(COMMANDS).map((load) => load()));
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    io.stdout(help(await loaded()));
    return name ? EXIT.ok : EXIT.invalid;
  }
  if (name === '--version' || name === '-v') {
    const { packageInfo } = await import('../core/kernel/package-root');
    io.stdout(`${packageInfo().version}\n`);
    return EXIT.ok;
  }
  const load = COMMANDS[name];
  if (!load && name.startsWith('-')) {
    // `desktop-agent --data-dir D secrets list`: show the same line with the command first.
    const command = argv.find((a) => a in COMMANDS);
    const fixed = command ? `desktop-agent ${[command, ...argv.filter((a) => a !== command)].join(' ')}` : 'desktop-agent <command> [options]';
    io.stderr(`desktop-agent: the command comes before its options ('${name}' came first): ${fixed}\n`);
    return EXIT.invalid;
  }
  if (!load) {
    io.stderr(`desktop-agent: unknown command '${name}'. Commands: ${Object.keys(COMMANDS).join(', ')}\n`);
    return EXIT.invalid;
  }
  const command = await load();
  if (rest.includes('--help') || rest.includes('-h')) {
    io.stdout(`Usage: ${command.usage}\n\n${command.summary}\n`);
    return EXIT.ok;
  }
  try {
    return await command.run(rest, io);
  } catch (e) {
    if (e instanceof UsageError) {
      io.stderr(`desktop-agent ${name}: ${e.message}\nUsage: ${command.usage}\n`);
      return EXIT.invalid;
    }
    io.stderr(`desktop-agent ${name}: ${(e as Error).message}\n`);
    return EXIT.failed;
  }
}

export function processIo(): CliIo {
  return {
    stdout: (t) => process.stdout.write(t),
    stderr: (t) => process.stderr.write(t),
    readStdin: async () => {
      const chunks: Buffer[] = [];
      for await (const c of process.stdin) chunks.push(c as Buffer);
      return Buffer.concat(chunks).toString('utf8');
    },
    env: process.env,
    cwd: process.cwd(),
    drained: () =>
      process.stdout.writableNeedDrain ? new Promise<void>((done) => process.stdout.once('drain', () => done())) : Promise.resolve(),
  };
}
