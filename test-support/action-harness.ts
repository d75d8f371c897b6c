import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { z } from 'zod';
import { orchestratorSchema, resolveOrchestrator } from '../src-shared/config';
import { systemClock } from '../src-main/core/kernel/clock';
import { createLogger, MemorySink } from '../src-main/core/kernel/logger';
import type { ActionContext, ArtifactRef, RunScratch } from '../src-main/core/engine/action-types';
import { RunArtifacts } from '../src-main/core/engine/artifacts';
import { pathGuards } from '../src-main/core/engine/path-guard';
import { Redactor } from '../src-main/core/security/redaction';

/**
 * A hand-built ActionContext for action-level tests: a real artifact directory in a temp dir, a
 * real AbortController, a scratch map and the run-end cleanups, as the engine's runner provides
 * them. `endRun()` runs the cleanups the way the runner does when a run ends or is cancelled.
 */

/** The engine's artifact sink, keeping every ref (the runner takes them per step). */
export class DirArtifactSink extends RunArtifacts {
  readonly refs: ArtifactRef[] = [];

  override async write(...args: Parameters<RunArtifacts['write']>): Promise<ArtifactRef> {
    const ref = await super.write(...args);
    this.refs.push(ref);
    return ref;
  }

  override async adopt(...args: Parameters<RunArtifacts['adopt']>): Promise<ArtifactRef> {
    const ref = await super.adopt(...args);
    this.refs.push(ref);
    return ref;
  }
}

export interface Harness {
  dir: string;
  artifacts: DirArtifactSink;
  /** Masks what registerSecret registered, in logs and artifacts, as the core's Redactor does. */
  redactor: Redactor;
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
  const redactor = new Redactor();
  // The data dir is a folder of its own, as in a core: the test's files in `dir` are not the app's data.
  const dataDir = join(dir, 'data');
  const artifacts = new DirArtifactSink(join(dataDir, 'artifacts', runId), redactor);
  const logs = new MemorySink();
  const logger = createLogger({ sinks: [logs], level: 'debug', redact: (v) => redactor.maskDeep(v) }, 'Engine');
  const values = new Map<string, unknown>();
  const scratch: RunScratch = {
    get: <T>(key: string) => values.get(key) as T | undefined,
    set: (key, value) => void values.set(key, value),
    delete: (key) => void values.delete(key),
  };
  const cleanups: (() => Promise<void> | void)[] = [];
  const config = resolveOrchestrator(orchestratorSchema.parse(options.config ?? {}));
  const files = pathGuards({ dataDir, artifactsDir: join(dataDir, 'artifacts'), configDir: join(dataDir, 'configs') }, logger)(config);
  const controller = new AbortController();
  const harness: Harness = {
    dir,
    artifacts,
    redactor,
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
      files,
      browserPath: options.browserPath,
      registerSecret: (value) => redactor.register(value),
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
