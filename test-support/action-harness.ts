import { copyFileSync, mkdirSync, mkdtempSync, renameSync, rmSync, statSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { extname, join, basename } from 'node:path';
import type { z } from 'zod';
import { orchestratorSchema, resolveOrchestrator } from '../src-shared/config';
import { systemClock } from '../src-main/core/app/clock';
import { createLogger, MemorySink } from '../src-main/core/app/logger';
import type { ActionContext, ArtifactRef, ArtifactSink, RunScratch } from '../src-main/core/engine/action-types';

/**
 * A hand-built ActionContext for action-level tests: a real artifact directory in a temp dir, a
 * real AbortController, a scratch map and the run-end cleanups, as the engine's runner provides
 * them. `endRun()` runs the cleanups the way the runner does when a run ends or is cancelled.
 */

export class DirArtifactSink implements ArtifactSink {
  readonly refs: ArtifactRef[] = [];
  constructor(readonly dir: string) {}

  private unique(name: string): string {
    mkdirSync(this.dir, { recursive: true });
    const ext = extname(name);
    const stem = basename(name, ext);
    let candidate = name;
    for (let i = 2; existsSync(join(this.dir, candidate)); i++) candidate = `${stem}-${i}${ext}`;
    return candidate;
  }

  async write(name: string, data: Buffer | string, contentType: string, kind: string): Promise<ArtifactRef> {
    const file = this.unique(name);
    writeFileSync(join(this.dir, file), data);
    const ref = { name: file, contentType, bytes: statSync(join(this.dir, file)).size, kind };
    this.refs.push(ref);
    return ref;
  }

  async adopt(path: string, name: string, contentType: string, kind: string, move = false): Promise<ArtifactRef> {
    const file = this.unique(name);
    if (move) renameSync(path, join(this.dir, file));
    else copyFileSync(path, join(this.dir, file));
    const ref = { name: file, contentType, bytes: statSync(join(this.dir, file)).size, kind };
    this.refs.push(ref);
    return ref;
  }
}

export interface Harness {
  dir: string;
  artifacts: DirArtifactSink;
  logs: MemorySink;
  controller: AbortController;
  /** The context of step `stepIndex` (same run: same scratch, same cleanups). */
  ctx(stepIndex?: number, overrides?: Partial<ActionContext>): ActionContext;
  endRun(): Promise<void>;
  cleanup(): Promise<void>;
}

export function actionHarness(options: { config?: z.input<typeof orchestratorSchema>; browserPath?: string; runId?: string } = {}): Harness {
  const dir = mkdtempSync(join(tmpdir(), 'da-actions-'));
  const runId = options.runId ?? 'run-test';
  const artifacts = new DirArtifactSink(join(dir, 'artifacts', runId));
  const logs = new MemorySink();
  const logger = createLogger({ sinks: [logs], level: 'debug' }, 'Engine');
  const values = new Map<string, unknown>();
  const scratch: RunScratch = {
    get: <T>(key: string) => values.get(key) as T | undefined,
    set: (key, value) => void values.set(key, value),
    delete: (key) => void values.delete(key),
  };
  const cleanups: (() => Promise<void> | void)[] = [];
  const config = resolveOrchestrator(orchestratorSchema.parse(options.config ?? {}));
  const controller = new AbortController();
  const harness: Harness = {
    dir,
    artifacts,
    logs,
    controller,
    ctx: (stepIndex = 0, overrides = {}) => ({
      runId,
      stepIndex,
      dryRun: false,
      signal: controller.signal,
      logger,
      clock: systemClock,
      notifier: { notify: () => undefined, openPath: async () => undefined },
      artifacts,
      scratch,
      config,
      browserPath: options.browserPath,
      registerSecret: () => undefined,
      onRunEnd: (fn) => void cleanups.push(fn),
      ...overrides,
    }),
    endRun: async () => {
      for (const fn of cleanups.splice(0).reverse()) await fn();
    },
    cleanup: async () => {
      await harness.endRun();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return harness;
}
