import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, chownSync, existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';

/**
 * A throw-away PostgreSQL cluster for one test file (fleet mode, SPEC section 16): initdb into a
 * fresh temp dir, a server on a unix socket in that dir and on 127.0.0.1 at a free port, one
 * database, and a `postgres://` URL with a random password. Each test file starts its own, so
 * files run in parallel. PostgreSQL refuses to run as root: as root, initdb and pg_ctl run as the
 * `postgres` system user (Debian's package creates it) and the dir is handed to it.
 */
export interface TestPostgres {
  url: string;
  /** The cluster's temp dir (data, socket, log); removed by stop(). */
  dir: string;
  stop(): Promise<void>;
}

/** A bound for a hook that starts a cluster: initdb and the start take a minute or more when both cores are busy. */
export const CLUSTER_START_BOUND_MS = 240_000;

const SERVER_SETTINGS = [
  // A test cluster: durability buys nothing, speed on a busy machine does.
  '-c fsync=off',
  '-c synchronous_commit=off',
  '-c full_page_writes=off',
  '-c shared_buffers=32MB',
  '-c max_connections=60',
];

/** Clusters this process started and has not stopped: stopped on exit and on SIGTERM/SIGINT. */
const live = new Map<string, () => void>();

export async function startPostgres(): Promise<TestPostgres> {
  const bin = postgresBinDir();
  const asPostgres = process.getuid?.() === 0;
  const dir = mkdtempSync(join(tmpdir(), 'da-pg-'));
  const data = join(dir, 'data');
  const password = randomBytes(18).toString('base64url');
  const run = (tool: string, args: string[]) => runTool(bin, tool, args, asPostgres);
  let started = false;
  const stopNow = () => {
    if (started) run('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']);
    started = false;
    rmSync(dir, { recursive: true, force: true });
    live.delete(dir);
  };
  live.set(dir, stopNow);
  installExitHandlers();
  try {
    const pwfile = join(dir, 'pwfile');
    writeFileSync(pwfile, `${password}\n`, { mode: 0o600 });
    if (asPostgres) {
      const { uid, gid } = postgresUser();
      chownSync(dir, uid, gid);
      chownSync(pwfile, uid, gid);
    }
    chmodSync(dir, 0o700);
    run('initdb', ['-D', data, '-U', 'postgres', '--pwfile', pwfile, '--auth-local=trust', '--auth-host=scram-sha-256', '-E', 'UTF8', '--locale=C', '--no-sync']);
    rmSync(pwfile);
    // A free port can be taken by another cluster between the probe and the start: try again.
    let port = 0;
    for (let attempt = 1; ; attempt++) {
      port = await freePort();
      const opts = [`-k ${dir}`, `-p ${port}`, '-c listen_addresses=127.0.0.1', ...SERVER_SETTINGS].join(' ');
      const r = run('pg_ctl', ['-D', data, '-l', join(dir, 'server.log'), '-o', opts, '-w', '-t', '120', 'start']);
      if (r.ok) break;
      if (attempt >= 3) throw new Error(`pg_ctl start failed in ${dir}: ${r.output}`);
    }
    started = true;
    const admin = new pg.Client({ host: '127.0.0.1', port, user: 'postgres', password, database: 'postgres' });
    await admin.connect();
    try {
      await admin.query('create database fleet_test');
    } finally {
      await admin.end();
    }
    const url = `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}/fleet_test`;
    return {
      url,
      dir,
      stop: async () => {
        const stopped = run('pg_ctl', ['-D', data, '-m', 'fast', '-w', 'stop']);
        started = !stopped.ok;
        stopNow();
      },
    };
  } catch (e) {
    stopNow();
    throw e;
  }
}

/** Debian installs the server binaries under /usr/lib/postgresql/<major>/bin (not on PATH). */
export function postgresBinDir(): string {
  const fromEnv = process.env.PG_BIN_DIR;
  if (fromEnv) return fromEnv;
  const root = '/usr/lib/postgresql';
  const majors = existsSync(root) ? readdirSync(root).filter((v) => /^\d+$/.test(v)).sort((a, b) => Number(b) - Number(a)) : [];
  for (const major of majors) if (existsSync(join(root, major, 'bin', 'initdb'))) return join(root, major, 'bin');
  throw new Error(`No PostgreSQL server found: install Debian's postgresql package (looked in ${root}/<major>/bin), or set PG_BIN_DIR`);
}

function runTool(bin: string, tool: string, args: string[], asPostgres: boolean): { ok: boolean; output: string } {
  const path = join(bin, tool);
  const [cmd, argv] = asPostgres ? ['runuser', ['-u', 'postgres', '--', path, ...args]] : [path, args];
  // cwd: the tools chdir to it as the postgres user, who may not read the test's cwd.
  const r = spawnSync(cmd, argv, { cwd: '/', encoding: 'utf8', timeout: 180_000 });
  const output = `${r.stdout ?? ''}${r.stderr ?? ''}${r.error ? String(r.error) : ''}`;
  if (tool !== 'pg_ctl' && r.status !== 0) throw new Error(`${tool} failed (exit ${r.status}): ${output}`);
  return { ok: r.status === 0, output };
}

function postgresUser(): { uid: number; gid: number } {
  try {
    const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
    return { uid, gid };
  } catch {
    throw new Error("Running as root, but there is no 'postgres' system user to run PostgreSQL as: install Debian's postgresql package");
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

let handlersInstalled = false;

/** A test process that exits or is told to stop leaves no server and no dir behind. */
function installExitHandlers(): void {
  if (handlersInstalled) return;
  handlersInstalled = true;
  const stopAll = () => {
    for (const stop of [...live.values()]) {
      try {
        stop();
      } catch {
        // Best effort while exiting: the next cluster is independent of this one.
      }
    }
  };
  process.on('exit', stopAll);
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () => {
      stopAll();
      process.kill(process.pid, signal);
    });
  }
}
