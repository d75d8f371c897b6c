import { spawn, spawnSync } from 'node:child_process';

/**
 * The X clipboard through xclip. The text always goes through xclip's stdin and stdout, never its
 * command line (visible to other users).
 */

let xclipPresent: boolean | undefined;
export function hasXclip(): boolean {
  xclipPresent ??= spawnSync('xclip', ['-version'], { stdio: 'ignore' }).error === undefined;
  return xclipPresent;
}

/**
 * The clipboard's text now, or undefined when there is none to read as text (no owner, an image,
 * an owner that does not answer within `timeoutMs`).
 */
export function readClipboard(timeoutMs: number): Promise<string | undefined> {
  return new Promise((resolve) => {
    const xclip = spawn('xclip', ['-selection', 'clipboard', '-o'], { stdio: ['ignore', 'pipe', 'ignore'] });
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => xclip.kill(), timeoutMs);
    xclip.stdout.on('data', (d: Buffer) => chunks.push(d));
    xclip.once('error', () => {
      clearTimeout(timer);
      resolve(undefined);
    });
    xclip.once('close', (code) => {
      clearTimeout(timer);
      resolve(code === 0 ? Buffer.concat(chunks).toString('utf8') : undefined);
    });
  });
}

/** xclip owning CLIPBOARD with a text while it runs (an X selection dies with its owner). */
export interface ClipboardServer {
  /** Requests for the text it answered (requests for the list of formats are not counted). */
  contentRequests(): number;
  /** When (on `now`) the last one was answered; 0 before the first. */
  lastRequestAt(): number;
  exited(): boolean;
  stop(): void;
}

/**
 * Serves `text` until stop() or until another program takes the clipboard. xclip -verbose prints
 * "Waiting for selection request number N" once it has answered N-1 requests for the text; it
 * prints the first one before the X server has made it the owner, so that line alone does not
 * mean the clipboard holds the text (read it back for that). `detached`: the server outlives this
 * process's interest in it (a restored clipboard), and this process does not wait for it.
 */
export function serveClipboard(text: string, now: () => number, options: { detached?: boolean } = {}): ClipboardServer {
  const xclip = spawn('xclip', ['-selection', 'clipboard', '-quiet', '-verbose', '-i'], {
    stdio: ['pipe', 'ignore', options.detached ? 'ignore' : 'pipe'],
    detached: options.detached === true,
  });
  let waitingFor = 0;
  let lastAt = 0;
  let exited = false;
  xclip.stderr?.on('data', (d: Buffer) => {
    for (const m of d.toString().matchAll(/request number (\d+)/g)) {
      const n = Number(m[1]);
      if (n > waitingFor && waitingFor >= 1) lastAt = now();
      waitingFor = Math.max(waitingFor, n);
    }
  });
  // Our text must not outlive this process on the clipboard (a restored text may: it was the user's).
  const killOnExit = () => xclip.kill();
  if (!options.detached) process.once('exit', killOnExit);
  const ended = () => {
    exited = true;
    process.removeListener('exit', killOnExit);
  };
  xclip.once('exit', ended);
  xclip.once('error', ended);
  // stdin is always a pipe here; a dead xclip must not crash us with EPIPE.
  xclip.stdin?.on('error', () => undefined);
  xclip.stdin?.end(text, 'utf8');
  if (options.detached) xclip.unref();
  return {
    contentRequests: () => Math.max(0, waitingFor - 1),
    lastRequestAt: () => lastAt,
    exited: () => exited,
    stop: () => {
      if (!exited) xclip.kill();
    },
  };
}
