import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createRequire } from 'node:module';

/**
 * keytar in a helper process. A keytar call on a D-Bus peer that never answers (or a keyring
 * waiting for an unlock prompt) blocks a native thread for good, and a process with such a thread
 * cannot even exit (libuv joins its threads at exit). In a helper, a call that takes too long is
 * ended by killing the helper; the next call starts a new one. Values travel over the pipes as
 * JSON lines, never on a command line.
 */
const HELPER = String.raw`
const keytar = require(process.env.DA_KEYTAR_PATH);
const ops = {
  getPassword: (s, a) => keytar.getPassword(s, a),
  setPassword: (s, a, p) => keytar.setPassword(s, a, p),
  deletePassword: (s, a) => keytar.deletePassword(s, a),
  findAccounts: async (s) => (await keytar.findCredentials(s)).map((c) => c.account),
};
let buffer = '';
process.stdin.setEncoding('utf8');
process.stdin.on('data', (chunk) => {
  buffer += chunk;
  for (let i = buffer.indexOf('\n'); i >= 0; i = buffer.indexOf('\n')) {
    const line = buffer.slice(0, i);
    buffer = buffer.slice(i + 1);
    const { id, op, args } = JSON.parse(line);
    Promise.resolve()
      .then(() => ops[op](...args))
      .then(
        (result) => process.stdout.write(JSON.stringify({ id, result: result === undefined ? null : result }) + '\n'),
        (e) => process.stdout.write(JSON.stringify({ id, error: String((e && e.message) || e) }) + '\n'),
      );
  }
});
// The parent is gone: leave at once (a blocked native call would keep a normal exit waiting).
process.stdin.on('end', () => process.kill(process.pid, 'SIGKILL'));
`;

type Op = 'getPassword' | 'setPassword' | 'deletePassword' | 'findAccounts';

interface Pending {
  resolve: (v: unknown) => void;
  reject: (e: Error) => void;
}

export interface KeytarProcess {
  call<T>(op: Op, ...args: string[]): Promise<T>;
  /** Ends the helper and fails the calls still waiting (after a timeout). */
  abort(reason: string): void;
}

export function createKeytarProcess(options: { keytarPath?: string } = {}): KeytarProcess {
  let child: ChildProcessWithoutNullStreams | undefined;
  let nextId = 1;
  const pending = new Map<number, Pending>();
  let stderr = '';

  const failAll = (e: Error) => {
    for (const p of pending.values()) p.reject(e);
    pending.clear();
  };

  /** The helper keeps this process alive only while a call waits for it. */
  const holdOpen = (on: boolean) => {
    if (!child) return;
    // The pipes are sockets; a socket left referenced would keep an idle CLI from exiting.
    for (const s of [child.stdout, child.stderr, child.stdin] as unknown as { ref?(): void; unref?(): void }[]) (on ? s.ref : s.unref)?.call(s);
    if (on) child.ref();
    else child.unref();
  };

  const start = (): ChildProcessWithoutNullStreams => {
    let keytarPath = options.keytarPath;
    if (!keytarPath) {
      try {
        keytarPath = createRequire(import.meta.url).resolve('keytar');
      } catch (e) {
        throw new Error(`the keytar module is not installed (${(e as Error).message})`, { cause: e });
      }
    }
    stderr = '';
    const c = spawn(process.execPath, ['-e', HELPER], {
      // ELECTRON_RUN_AS_NODE: under Electron, execPath is the app; this makes it a plain Node.
      env: { ...process.env, DA_KEYTAR_PATH: keytarPath, ELECTRON_RUN_AS_NODE: '1' },
      stdio: ['pipe', 'pipe', 'pipe'],
      windowsHide: true,
    });
    let buffer = '';
    c.stdout.setEncoding('utf8');
    c.stdout.on('data', (chunk: string) => {
      buffer += chunk;
      for (let i = buffer.indexOf('\n'); i >= 0; i = buffer.indexOf('\n')) {
        const msg = JSON.parse(buffer.slice(0, i)) as { id: number; result?: unknown; error?: string };
        buffer = buffer.slice(i + 1);
        const p = pending.get(msg.id);
        if (!p) continue;
        pending.delete(msg.id);
        if (msg.error !== undefined) p.reject(new Error(msg.error));
        else p.resolve(msg.result);
      }
      if (pending.size === 0) holdOpen(false);
    });
    c.stderr.setEncoding('utf8');
    c.stderr.on('data', (chunk: string) => {
      if (stderr.length < 4096) stderr += chunk;
    });
    c.stdin.on('error', () => {
      // The helper died; its exit handler fails the waiting calls.
    });
    c.on('error', (e) => failAll(new Error(`the keychain helper could not start: ${e.message}`)));
    c.on('exit', (code, signal) => {
      if (child === c) child = undefined;
      const why = stderr.trim().split('\n').pop() || `exit ${code ?? signal}`;
      failAll(new Error(`the keychain helper stopped (${why.includes('keytar') || why.includes('Cannot find module') ? `keytar could not be loaded: ${why}` : why})`));
    });
    return c;
  };

  return {
    call<T>(op: Op, ...args: string[]): Promise<T> {
      return new Promise<T>((resolve, reject) => {
        try {
          child ??= start();
        } catch (e) {
          reject(e as Error);
          return;
        }
        const id = nextId++;
        pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
        holdOpen(true);
        child.stdin.write(JSON.stringify({ id, op, args }) + '\n');
      });
    },
    abort(reason) {
      const c = child;
      child = undefined;
      failAll(new Error(reason));
      c?.kill('SIGKILL');
    },
  };
}
