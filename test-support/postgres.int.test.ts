import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { startPostgres } from './postgres';
import { until } from './temp-core';

async function canConnect(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5_000 });
  try {
    await client.connect();
    await client.query('select 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

describe('startPostgres (a throw-away cluster per test file)', () => {
  const scratch = mkdtempSync(join(tmpdir(), 'da-pg-harness-'));
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));

  // Bounds for a busy machine (initdb and a start each), not timing checks.
  it('runs two clusters at once, each its own server and database, and removes its dir on stop', { timeout: 240_000 }, async () => {
    const [a, b] = await Promise.all([startPostgres(), startPostgres()]);
    try {
      expect(a.url).not.toBe(b.url);
      expect(a.url).toMatch(/^postgres:\/\/postgres:[^@]+@127\.0\.0\.1:\d+\/fleet_test$/);
      // The unix socket lives in the cluster's own dir.
      expect(readdirSync(a.dir).some((f) => f.startsWith('.s.PGSQL.'))).toBe(true);
      const ca = new pg.Client({ connectionString: a.url });
      const cb = new pg.Client({ connectionString: b.url });
      await Promise.all([ca.connect(), cb.connect()]);
      try {
        await ca.query('create table only_in_a (x int)');
        const inB = await cb.query("select count(*)::int as n from pg_tables where tablename = 'only_in_a'");
        expect(inB.rows[0].n).toBe(0);
        // A password is required over TCP: the URL's is the one that works.
        expect(await canConnect(a.url.replace(/:[^:@/]+@/, ':wrong@'))).toBe(false);
        // The server's data is in the cluster's dir, and it runs as a user who is not root.
        const who = await ca.query("select setting from pg_settings where name = 'data_directory'");
        expect(who.rows[0].setting).toBe(join(a.dir, 'data'));
        const pid = readFileSync(join(a.dir, 'data', 'postmaster.pid'), 'utf8').split('\n')[0]!;
        expect(statSync(`/proc/${pid}`).uid).not.toBe(0);
      } finally {
        await Promise.all([ca.end(), cb.end()]);
      }
    } finally {
      await Promise.all([a.stop(), b.stop()]);
    }
    expect(existsSync(a.dir)).toBe(false);
    expect(existsSync(b.dir)).toBe(false);
    expect(await canConnect(a.url)).toBe(false);
  });

  it('stops the server and removes the dir when the test process is terminated (SIGTERM)', { timeout: 240_000 }, async () => {
    // A separate node process owns a cluster, as a test file's worker does; then it is told to stop.
    const script = join(scratch, 'owner.mjs');
    await build({
      stdin: {
        contents: `import { startPostgres } from './test-support/postgres.ts';
          const c = await startPostgres();
          process.stdout.write(JSON.stringify({ dir: c.dir, url: c.url }) + '\\n');
          setInterval(() => {}, 1_000);`,
        resolveDir: join(__dirname, '..'),
        loader: 'ts',
      },
      bundle: true,
      platform: 'node',
      format: 'esm',
      outfile: script,
      external: ['pg-native'],
      banner: { js: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);" },
      logLevel: 'silent',
    });
    const child = spawn(process.execPath, [script], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code, signal) => resolve(signal ? -1 : code)));
    const line = await until(`the child's cluster to start (stderr: ${err})`, () => out.includes('\n') && out.split('\n')[0], 180_000);
    const { dir, url } = JSON.parse(line) as { dir: string; url: string };
    expect(await canConnect(url)).toBe(true);
    child.kill('SIGTERM');
    await exited;
    expect(existsSync(dir)).toBe(false);
    expect(await canConnect(url)).toBe(false);
  });
});
