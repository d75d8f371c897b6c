import type { OrchestratorConfig } from '@shared/config';
import type { ActionContext } from './action-types';
import type { PathGuard } from './path-guard';
import type { EngineParts, RunContext } from './run-context';
import { actionSecretResolver } from './step-secrets';

/**
 * What an action sees during one attempt of a step. One object whose parts are read through its
 * prototype, and made only when the action reads them (its signal, the configuration's path guard,
 * the secret resolver): an object literal with four closures per attempt was 1.3 KiB of a no-op
 * run's 33 KiB of garbage (issue 18). The configuration is the one in force when the action first
 * reads it (or its path guard), and stays that one for the attempt.
 */
export class StepActionContext implements ActionContext {
  readonly runId: string;
  readonly stepIndex: number;
  /** The run's mode: read-only actions run in a dry run too and see what earlier steps would have done. */
  readonly dryRun: boolean;
  private configInForce: OrchestratorConfig | undefined;
  private resolver: ((reference: string) => Promise<string>) | undefined;

  constructor(
    private readonly e: EngineParts,
    private readonly rc: RunContext,
    top: number,
    /** The attempt's stop (or a screenshot's controller): its signal is made when first read. */
    private readonly stop: { readonly signal: AbortSignal },
  ) {
    this.runId = rc.run.id;
    this.stepIndex = top;
    this.dryRun = rc.run.dryRun;
  }

  get signal(): AbortSignal {
    return this.stop.signal;
  }

  get logger() {
    return this.e.log;
  }

  get clock() {
    return this.e.o.clock;
  }

  get notifier() {
    return this.e.o.notifier;
  }

  get artifacts() {
    return this.rc.artifacts;
  }

  get scratch() {
    return this.rc.scratch;
  }

  get config(): OrchestratorConfig {
    return (this.configInForce ??= this.e.o.config());
  }

  get files(): PathGuard {
    return this.e.files(this.config);
  }

  get browserPath(): string | undefined {
    return this.e.o.browserPath;
  }

  registerSecret(value: string): void {
    this.e.o.redactor.register(value);
  }

  onRunEnd(cleanup: () => Promise<void> | void): void {
    this.rc.cleanups.push(cleanup);
  }

  resolveSecret(reference: string): Promise<string> {
    this.resolver ??= actionSecretResolver({ secrets: this.e.o.secrets, redactor: this.e.o.redactor, access: { runId: this.runId, step: this.stepIndex, user: this.rc.run.requestedBy } });
    return this.resolver(reference);
  }
}
