import { main } from '../src-main/cli/main';
import type { CliIo } from '../src-main/cli/io';

/** Runs the CLI in-process with captured output (the same code as bin/desktop-agent.js). */
export async function runCli(argv: string[], options: { stdin?: string; cwd?: string; env?: NodeJS.ProcessEnv } = {}) {
  let stdout = '';
  let stderr = '';
  const io: CliIo = {
    stdout: (t) => (stdout += t),
    stderr: (t) => (stderr += t),
    readStdin: async () => options.stdin ?? '',
    env: options.env ?? {},
    cwd: options.cwd ?? process.cwd(),
  };
  const code = await main(argv, io);
  return { code, stdout, stderr };
}
