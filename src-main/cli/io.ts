import { parseArgs, type ParseArgsConfig } from 'node:util';
import { RUNTIME_FLAGS, UsageError } from '../host/runtime-options';

export interface CliIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  readStdin: () => Promise<string>;
  env: NodeJS.ProcessEnv;
  cwd: string;
  /** Resolves when standard output has room again (streaming commands wait on it). */
  drained?: () => Promise<void>;
}

export interface Command {
  name: string;
  summary: string;
  usage: string;
  run(argv: string[], io: CliIo): Promise<number>;
}

/** Flags every command accepts (SPEC section 1). */
export const COMMAND_FLAGS = {
  ...RUNTIME_FLAGS,
  help: { type: 'boolean', short: 'h' },
} as const satisfies ParseArgsConfig['options'];

/** parseArgs with our error style: unknown flags are usage errors that name the flag. */
export function parseCommandArgs<O extends NonNullable<ParseArgsConfig['options']>>(argv: string[], options: O, allowPositionals = true) {
  try {
    return parseArgs({ args: argv, options: { ...COMMAND_FLAGS, ...options }, allowPositionals, strict: true });
  } catch (e) {
    throw new UsageError((e as Error).message.replace(/^TypeError \[[A-Z_]+\]: /, ''));
  }
}

/** `--var k=v` pairs → variables; values that look like JSON numbers/booleans stay strings unless quoted JSON is used. */
export function parseVars(pairs: string[] | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const pair of pairs ?? []) {
    const i = pair.indexOf('=');
    if (i <= 0) throw new UsageError(`--var takes key=value (got '${pair}')`);
    out[pair.slice(0, i)] = pair.slice(i + 1);
  }
  return out;
}

export const EXIT = { ok: 0, failed: 1, invalid: 2 } as const;
