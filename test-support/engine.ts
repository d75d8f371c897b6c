import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { orchestratorSchema, resolveOrchestrator, type OrchestratorConfig } from '../src-shared/config';
import type { z } from 'zod';
import { newId } from '../src-shared/domain/ids';
import { systemClock, type FakeClock } from '../src-main/core/kernel/clock';
import { EventBus } from '../src-main/core/kernel/event-bus';
import { MemorySink, createLogger } from '../src-main/core/kernel/logger';
import type { Clock, Notifier } from '../src-main/core/kernel/ports';
import { openDatabase, type Database } from '../src-main/core/db/database';
import { Engine, type EngineOutcome, type ExecuteOptions, type SecretResolver } from '../src-main/core/engine/runner';
import type { ActionRegistry } from '../src-main/core/engine/registry';
import { RunRepository } from '../src-main/core/runs';
import type { RunView } from '../src-shared/contract/runs';
import { Redactor } from '../src-main/core/security/redaction';

/** A secrets port over a map (`service/key` or `key`), recording every lookup. */
export function mapSecrets(values: Record<string, string>): SecretResolver & { lookups: string[] } {
  const lookups: string[] = [];
  return {
    lookups,
    resolve: async (ref) => {
      const key = ref.service ? `${ref.service}/${ref.key}` : ref.key;
      lookups.push(key);
      const value = values[key];
      return value === undefined ? { found: false } : { found: true, value };
    },
  };
}

export interface EngineHarness {
  dir: string;
  db: Database;
  engine: Engine;
  /** The runs repository the engine writes through. */
  runs: RunRepository;
  redactor: Redactor;
  bus: EventBus;
  logs: MemorySink;
  opened: string[];
  artifactsDir: string;
  /** Inserts a run of `yaml` (as the CLI does) and executes it. */
  run(yaml: string, options?: { variables?: Record<string, unknown>; dryRun?: boolean; trigger?: string; triggerData?: Record<string, unknown>; execute?: ExecuteOptions; requestedBy?: string }): Promise<{ runId: string; outcome: EngineOutcome; view: RunView }>;
  /** Inserts a run without executing it. */
  insert(yaml: string, options?: { variables?: Record<string, unknown>; dryRun?: boolean }): string;
  resume(runId: string, execute?: ExecuteOptions): Promise<{ outcome: EngineOutcome; view: RunView }>;
  cleanup(): void;
}

export function engineHarness(options: { clock?: Clock | FakeClock; secrets?: SecretResolver; config?: z.input<typeof orchestratorSchema>; registry?: ActionRegistry } = {}): EngineHarness {
  const dir = mkdtempSync(join(tmpdir(), 'da-engine-'));
  const db = openDatabase({ file: join(dir, 'desktop-agent.db') });
  const clock = options.clock ?? systemClock;
  const redactor = new Redactor();
  const logs = new MemorySink();
  const logger = createLogger({ sinks: [logs], level: 'debug', redact: (v) => redactor.maskDeep(v), now: () => clock.now() });
  const bus = new EventBus(() => clock.now(), (v) => redactor.maskDeep(v));
  const config: OrchestratorConfig = resolveOrchestrator(orchestratorSchema.parse(options.config ?? {}));
  const opened: string[] = [];
  const notifier: Notifier = { notify: () => undefined, openPath: async (p) => void opened.push(p) };
  const artifactsDir = join(dir, 'artifacts');
  const runs = new RunRepository(db);
  const engine = new Engine({
    runs,
    clock,
    logger,
    bus,
    redactor,
    config: () => config,
    secrets: options.secrets ?? mapSecrets({}),
    notifier,
    artifactsDir,
    dirs: { dataDir: dir, configDir: join(dir, 'configs') },
    registry: options.registry,
  });
  const insert = (yaml: string, o: { variables?: Record<string, unknown>; dryRun?: boolean; trigger?: string; triggerData?: Record<string, unknown>; requestedBy?: string } = {}) => {
    const id = newId('run', clock.now());
    runs.startLocal({
      id,
      template: 'test',
      templateHash: createHash('sha256').update(yaml).digest('hex'),
      templateYaml: yaml,
      variables: o.variables ?? {},
      trigger: o.trigger ?? 'manual',
      triggerData: o.triggerData,
      requestedBy: o.requestedBy ?? 'tester',
      queue: 'default',
      priority: 5,
      concurrencyTag: null,
      dryRun: o.dryRun ?? false,
      now: clock.now(),
    });
    return id;
  };
  return {
    dir,
    db,
    engine,
    runs,
    redactor,
    bus,
    logs,
    opened,
    artifactsDir,
    insert,
    async run(yaml, o = {}) {
      const runId = insert(yaml, o);
      const outcome = await engine.executeRun(runId, o.execute);
      return { runId, outcome, view: runs.read.view(runId) };
    },
    async resume(runId, execute) {
      db.prepare("update runs set status = 'running' where id = ?").run(runId);
      const outcome = await engine.executeRun(runId, execute);
      return { outcome, view: runs.read.view(runId) };
    },
    cleanup() {
      db.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A template from steps written as YAML lines (indented under `steps:`). */
export function template(steps: string, extra = ''): string {
  return `dsl_version: "1.1"\nname: test\n${extra}steps:\n${steps}`;
}
