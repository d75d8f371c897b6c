import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RunView } from '../../src-shared/contract/runs';
import { startServe, type ServeHandle } from '../../src-main/host/start-serve';
import { FAST_SCRYPT, addUser, basic } from '../../test-support/users';
import { ApiSession, captureEvents, type EventCapture } from './api-session';

/**
 * The server in-process (`startServe`, real HTTP on 127.0.0.1) on a fresh data dir, with an
 * Editor (posts templates, approves), a Viewer (reads runs, listens to events) and an Admin
 * (stores secrets), each a recording ApiSession, for tests that search everything they were told.
 */
export interface RolesServe {
  serve: ServeHandle;
  dataDir: string;
  editor: ApiSession;
  viewer: ApiSession;
  admin: ApiSession;
  /** The Viewer's `GET /api/events` since the start. */
  events: EventCapture;
  /** Polls the run as the Viewer until `until` holds (two minutes at most). */
  waitFor(id: string, until: (r: RunView) => boolean): Promise<RunView>;
  /** Stops the server and removes the data dir. */
  cleanup(): Promise<void>;
}

export async function startRolesServe(options: { orchestratorYaml: string; env: NodeJS.ProcessEnv; browserPath?: string }): Promise<RolesServe> {
  const dataDir = mkdtempSync(join(tmpdir(), 'da-roles-'));
  mkdirSync(join(dataDir, 'configs'));
  writeFileSync(join(dataDir, 'configs', 'orchestrator.yaml'), options.orchestratorYaml);
  const serve = await startServe({
    dataDir,
    host: '127.0.0.1',
    port: 0,
    allowRemote: false,
    env: {},
    browserPath: options.browserPath,
    coreOverrides: { env: options.env, watchConfig: false, users: { scrypt: FAST_SCRYPT } },
  });
  await Promise.all([addUser(serve.core, 'ed', 'Editor'), addUser(serve.core, 'vic', 'Viewer'), addUser(serve.core, 'ada', 'Admin')]);
  const viewer = new ApiSession(serve.url, basic('vic'));
  const events = await captureEvents(viewer);
  return {
    serve,
    dataDir,
    editor: new ApiSession(serve.url, basic('ed')),
    viewer,
    admin: new ApiSession(serve.url, basic('ada')),
    events,
    async waitFor(id, until) {
      const deadline = Date.now() + 120_000;
      for (;;) {
        const r = await viewer.call<RunView>('GET', `/api/runs/${id}`);
        if (r.status === 200 && until(r.body)) return r.body;
        if (Date.now() > deadline) throw new Error(`run ${id} is still ${r.body.status}: ${r.text.slice(0, 400)}`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    },
    async cleanup() {
      await events.close();
      await serve.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
