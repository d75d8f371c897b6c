import { spawn, spawnSync, type ChildProcess } from 'node:child_process';

/**
 * A private X server for desktop tests: `Xvfb -displayfd` picks a free display number, so test
 * files can run in parallel without sharing a pointer or a keyboard focus.
 */
export interface XServer {
  display: string;
  width: number;
  height: number;
  stop(): Promise<void>;
}

export function hasCommand(cmd: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${cmd}`]).status === 0;
}

export async function startXvfb(width = 1024, height = 768): Promise<XServer> {
  // -br: a black root window, so screenshots have a known background.
  const child: ChildProcess = spawn('Xvfb', ['-displayfd', '3', '-screen', '0', `${width}x${height}x24`, '-nolisten', 'tcp', '-br'], {
    stdio: ['ignore', 'ignore', 'ignore', 'pipe'],
  });
  const display = await new Promise<string>((resolve, reject) => {
    let out = '';
    const fd = child.stdio[3] as NodeJS.ReadableStream;
    fd.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('\n')) resolve(`:${out.trim()}`);
    });
    child.once('exit', (code) => reject(new Error(`Xvfb exited with ${code} before it was ready`)));
    setTimeout(() => reject(new Error('Xvfb did not start within 10 s')), 10_000).unref();
  });
  return {
    display,
    width,
    height,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill();
      }),
  };
}
