import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, startServeProcess, type ServeProcess } from '../support/serve-process';
import { poll } from '../support/poll';

/**
 * Folder watchers under `serve` in real time (issue 15): files that arrive while serve is stopped
 * are handled after the restart, once; a 5,000-file burst from another process survives a SIGKILL
 * in the middle of its hand-over with no file lost and none run twice.
 */

const ADMIN = { DESKTOP_AGENT_ADMIN_USER: 'admin', DESKTOP_AGENT_ADMIN_PASSWORD: 'watchers-test-pw-1' };
const auth = { authorization: 'Basic ' + Buffer.from('admin:watchers-test-pw-1').toString('base64') };
const TEMPLATE = 'dsl_version: "1.1"\nname: ingest\nvariables:\n  trigger_file: null\nsteps:\n  - log: { message: "got {{trigger_file}}" }\n';

describe('folder watchers under serve', () => {
  const root = mkdtempSync(join(tmpdir(), 'da-watch-e2e-'));
  const dataDir = join(root, 'data');
  const inbox = join(root, 'inbox');
  const burst = join(root, 'burst');
  let serve: ServeProcess;
  const api = async (method: string, path: string, body?: unknown) => {
    const r = await fetch(`${serve.url}${path}`, { method, headers: { ...auth, 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
    return { status: r.status, body: (await r.json()) as Record<string, unknown> };
  };
  /** The test reads the database beside serve (WAL: readers never block the writer). */
  const runFiles = (watcher: string): string[] => {
    const db = new Database(join(dataDir, 'desktop-agent.db'), { readonly: true, fileMustExist: true });
    try {
      return (db.prepare('select variables_json from runs where trigger = ?').all(`watcher:${watcher}`) as { variables_json: string }[]).map((r) => (JSON.parse(r.variables_json) as { trigger_file: string }).trigger_file);
    } finally {
      db.close();
    }
  };
  const watcherView = async (id: string) => ((await api('GET', '/api/watchers')).body.items as { id: string; state: string; pending: number; problem: string | null }[]).find((w) => w.id === id)!;

  beforeAll(async () => {
    mkdirSync(join(dataDir, 'configs'), { recursive: true });
    mkdirSync(inbox);
    mkdirSync(burst);
    const orchestrator = readFileSync(join(ROOT, 'configs', 'orchestrator.yaml'), 'utf8').replace('max_queued: 1000', 'max_queued: 10000');
    writeFileSync(join(dataDir, 'configs', 'orchestrator.yaml'), orchestrator);
    serve = await startServeProcess([], ADMIN, dataDir);
    expect((await api('POST', '/api/templates', { name: 'ingest', yaml: TEMPLATE })).status).toBe(201);
  });
  afterAll(async () => {
    serve.child.kill('SIGTERM');
    await serve.exited;
    rmSync(root, { recursive: true, force: true });
  });

  it('runs a dropped file with its path; files created while serve is stopped are handled after the restart, once', async () => {
    const created = await api('POST', '/api/watchers', { id: 'inbox', name: '受信箱', watch_path: inbox, template: 'ingest', patterns: ['*.pdf'], debounce_ms: 300 });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    await poll('the watcher to watch', () => watcherView('inbox'), (w) => w.state === 'watching');
    writeFileSync(join(inbox, 'first.pdf'), 'one');
    writeFileSync(join(inbox, 'ignored.txt'), 'not a pdf');
    await poll('the first run', () => runFiles('inbox'), (f) => f.length === 1);
    expect(runFiles('inbox')).toEqual([join(inbox, 'first.pdf')]);

    serve.child.kill('SIGTERM');
    expect(await serve.exited).toBe(0);
    for (const n of ['a', 'b', 'c']) writeFileSync(join(inbox, `while-stopped-${n}.pdf`), n);
    serve = await startServeProcess([], ADMIN, dataDir);
    await poll('the three files after the restart', () => runFiles('inbox'), (f) => f.length >= 4, 60_000);
    await poll('the watcher to settle', () => watcherView('inbox'), (w) => w.state === 'watching' && w.pending === 0);
    expect(runFiles('inbox').sort()).toEqual(['first.pdf', 'while-stopped-a.pdf', 'while-stopped-b.pdf', 'while-stopped-c.pdf'].map((n) => join(inbox, n)));
    const events = (await api('GET', '/api/watchers/inbox/events')).body.items as { event: string; outcome: string }[];
    expect(events).toHaveLength(4);
    expect(events.every((e) => e.event === 'created' && e.outcome === 'queued')).toBe(true);
  });

  it('5,000 files dropped at once by another process: a SIGKILL during the hand-over loses none and runs none twice', async () => {
    expect((await api('POST', '/api/queues/default/pause')).status).toBe(200);
    expect((await api('POST', '/api/watchers', { id: 'burst', name: 'Burst', watch_path: burst, template: 'ingest', debounce_ms: 200 })).status).toBe(201);
    await poll('the burst watcher to watch', () => watcherView('burst'), (w) => w.state === 'watching');
    const writer = spawn(process.execPath, ['-e', `const fs=require('fs');for(let i=0;i<5000;i++)fs.writeFileSync(require('path').join(${JSON.stringify(burst)},'f'+String(i).padStart(5,'0')+'.txt'),'file '+i)`]);
    await new Promise((r) => writer.once('exit', r));
    await poll('the first runs of the burst', () => runFiles('burst').length, (n) => n > 0);
    serve.child.kill('SIGKILL');
    await serve.exited;
    const atKill = runFiles('burst').length;

    serve = await startServeProcess([], ADMIN, dataDir);
    await poll('5,000 runs', () => runFiles('burst').length, (n) => n >= 5000, 120_000);
    await poll('the burst watcher to settle', () => watcherView('burst'), (w) => w.state === 'watching' && w.pending === 0, 60_000);
    const files = runFiles('burst');
    expect(files).toHaveLength(5000);
    expect(new Set(files).size).toBe(5000);
    // Said, not asserted: on a fast machine the whole burst may be queued before the kill lands.
    console.log(`burst: ${atKill} of 5000 runs were queued when serve was killed`);
  }, 240_000);
});
