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

/** Starts a program on the X server (UTF-8 locale); stop() of the returned child is the caller's. */
export function launchOn(x: XServer, cmd: string, args: string[]): ChildProcess {
  return spawn(cmd, args, { env: { ...process.env, DISPLAY: x.display, LANG: 'C.UTF-8', LC_ALL: 'C.UTF-8' }, stdio: ['ignore', 'pipe', 'ignore'] });
}

/** Whether a visible window of this class (or with this title) is on the display now. */
export function hasWindow(x: XServer, by: '--class' | '--name', value: string): boolean {
  return spawnSync('xdotool', ['search', '--onlyvisible', by, value], { env: { ...process.env, DISPLAY: x.display }, timeout: 10_000 }).status === 0;
}

/** Waits until a window of this class (or with this title) is mapped; fails after `timeoutMs` (an xterm took over 30 s to map with both cores busy). */
export async function waitForWindow(x: XServer, by: '--class' | '--name', value: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!hasWindow(x, by, value)) {
    if (Date.now() > deadline) throw new Error(`no window ${by} ${value} appeared on ${x.display} within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
