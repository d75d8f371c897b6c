import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { defaultDataDir } from '../core/kernel/paths';
import { UsageError } from '../host/runtime-options';
import type { CliIo } from './io';

export interface ApiTarget {
  url: string;
  authorization?: string;
}

/**
 * Finds the running instance (`<data-dir>/runtime.json`, or --url) and the credentials for it:
 * DESKTOP_AGENT_TOKEN (an API token), or --user NAME with --password-stdin.
 */
export async function apiTarget(flags: { url?: string; 'data-dir'?: string; user?: string; 'password-stdin'?: boolean }, io: CliIo): Promise<ApiTarget> {
  let url = flags.url;
  if (!url) {
    const dataDir = flags['data-dir'] ?? io.env.DESKTOP_AGENT_DATA_DIR ?? defaultDataDir();
    const file = join(dataDir, 'runtime.json');
    if (!existsSync(file)) throw new UsageError(`no running Desktop Agent found (${file} is missing); start it with \`desktop-agent serve\` or the app, or pass --url`);
    url = (JSON.parse(readFileSync(file, 'utf8')) as { url: string }).url;
  }
  let authorization: string | undefined;
  if (flags.user) {
    if (!flags['password-stdin']) throw new UsageError('--user needs --password-stdin (passwords are never taken as arguments)');
    const password = (await io.readStdin()).replace(/\r?\n$/, '');
    authorization = `Basic ${Buffer.from(`${flags.user}:${password}`).toString('base64')}`;
  } else if (io.env.DESKTOP_AGENT_TOKEN) {
    authorization = `Bearer ${io.env.DESKTOP_AGENT_TOKEN}`;
  }
  return { url: url.replace(/\/$/, ''), authorization };
}

export interface ApiAnswer {
  status: number;
  body: unknown;
}

export async function callApi(target: ApiTarget, method: string, path: string, body?: unknown): Promise<ApiAnswer> {
  let res: Response;
  try {
    res = await fetch(`${target.url}${path}`, {
      method,
      headers: { ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...(target.authorization ? { authorization: target.authorization } : {}) },
      body: body !== undefined ? JSON.stringify(body) : undefined,
    });
  } catch (e) {
    const reason = (e as Error & { cause?: Error }).cause?.message ?? (e as Error).message;
    throw new Error(`cannot reach Desktop Agent at ${target.url}: ${reason}`, { cause: e });
  }
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = text ? JSON.parse(text) : null;
  } catch {
    // not JSON
  }
  return { status: res.status, body: parsed };
}

/** `{error: {code, message, details}}` → one readable line (plus every listed problem). */
export function describeError(answer: ApiAnswer): string {
  const e = (answer.body as { error?: { code: string; message: string; details?: { issues?: { path: string; message: string }[] } } })?.error;
  if (!e) return `HTTP ${answer.status}`;
  const issues = e.details?.issues?.map((i) => `\n  ${i.path}: ${i.message}`).join('') ?? '';
  // From a terminal, "sign in" means giving the CLI credentials: say how.
  const hint = e.code === 'UNAUTHENTICATED' ? '\n  Give DESKTOP_AGENT_TOKEN=<api token>, or --user NAME --password-stdin.' : '';
  return `${e.message} (${e.code}, HTTP ${answer.status})${issues}${hint}`;
}
