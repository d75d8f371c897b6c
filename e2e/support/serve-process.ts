import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const ROOT = resolve(__dirname, '..', '..');
export const CLI = join(ROOT, 'bin', 'desktop-agent.js');

export function requireBuild(): void {
  if (!existsSync(join(ROOT, 'dist', 'cli.js'))) throw new Error('dist/cli.js is missing: run `npm run build` before the e2e tests (npm test does)');
}

export interface ServeProcess {
  child: ChildProcess;
  dataDir: string;
  url: string;
  stderr: () => string;
  exited: Promise<number | null>;
}

/** Starts the built CLI's `serve` as a child process and waits for runtime.json and /healthz (up to `startMs`). */
export async function startServeProcess(args: string[] = [], env: NodeJS.ProcessEnv = {}, dataDir = mkdtempSync(join(tmpdir(), 'da-e2e-')), startMs = 20_000): Promise<ServeProcess> {
  requireBuild();
  let err = '';
  const child = spawn(process.execPath, [CLI, 'serve', '--port', '0', '--data-dir', dataDir, ...args], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  child.stderr!.on('data', (c: Buffer) => (err += c.toString()));
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  const runtime = join(dataDir, 'runtime.json');
  const deadline = Date.now() + startMs;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`serve exited with ${child.exitCode}: ${err}`);
    if (existsSync(runtime)) {
      try {
        const { url } = JSON.parse(readFileSync(runtime, 'utf8')) as { url: string };
        const r = await fetch(`${url}/healthz`);
        if (r.ok) return { child, dataDir, url, stderr: () => err, exited };
      } catch {
        // not up yet
      }
    }
    if (Date.now() > deadline) throw new Error(`serve did not answer /healthz within ${startMs / 1000} s: ${err}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
