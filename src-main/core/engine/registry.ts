import { ACTION_SPECS } from '@shared/dsl/actions';
import type { ActionSpec } from '@shared/dsl/action-spec';
import { allSteps, type TemplateModel } from '@shared/dsl/template-model';
import type { ActionDef } from './action-types';
import { controlActions } from './actions/control';
import { createDesktopActions, desktopActions } from './actions/desktop';
import { systemDesktop } from './desktop/preflight';
import { fileActions } from './actions/files';
import { httpActions } from './actions/http';
import { mailActions } from './actions/mail';
import { pdfActions } from './actions/pdf';
import { webActions } from './actions/web';

/**
 * Every action family this build implements. A family is an array of ActionDefs whose params are
 * the schemas of their shared specs (src-shared/dsl/actions/<family>.ts); to add one, import its
 * array and list it here.
 */
export const ACTION_FAMILIES: readonly (readonly ActionDef[])[] = [fileActions, pdfActions, mailActions, httpActions, webActions, desktopActions, controlActions];

/** The families with the desktop one built against a host's screen-lock knowledge (Electron's powerMonitor). */
export function familiesWithScreenLock(screenLocked: () => boolean | undefined): readonly (readonly ActionDef[])[] {
  const desktop = createDesktopActions(systemDesktop(process.env, process.platform, screenLocked));
  return ACTION_FAMILIES.map((f) => (f === desktopActions ? desktop : f));
}

export class ActionRegistry {
  private readonly byName = new Map<string, ActionDef>();
  /** Per compiled template (the compile cache keeps one model per content): asked on every run. */
  private readonly missingByModel = new WeakMap<TemplateModel, string[]>();

  constructor(families: readonly (readonly ActionDef[])[] = ACTION_FAMILIES, private readonly specs: ReadonlyMap<string, ActionSpec> = ACTION_SPECS) {
    for (const family of families) {
      for (const def of family) {
        const spec = specs.get(def.name);
        if (!spec) throw new Error(`Action '${def.name}' has no spec in src-shared/dsl/actions; validation would reject it`);
        if (def.params !== spec.params) throw new Error(`Action '${def.name}' must use the param schema of its spec (build it with implement(spec, …))`);
        if (spec.control) throw new Error(`Action '${def.name}' is handled by the runner (${spec.control}); it needs no implementation`);
        if (this.byName.has(def.name)) throw new Error(`Action '${def.name}' is implemented twice`);
        if (def.mutating && !def.dryRun) throw new Error(`Action '${def.name}' is mutating and needs a dryRun`);
        this.byName.set(def.name, def);
      }
    }
  }

  get(name: string): ActionDef | undefined {
    return this.byName.get(name);
  }

  spec(name: string): ActionSpec | undefined {
    return this.specs.get(name);
  }

  /** Implemented here, or handled by the runner itself. */
  available(name: string): boolean {
    return this.byName.has(name) || Boolean(this.specs.get(name)?.control);
  }

  /** Actions a template uses that this build cannot run (e.g. web actions without their family). */
  missing(template: TemplateModel): string[] {
    let found = this.missingByModel.get(template);
    if (!found) this.missingByModel.set(template, (found = [...new Set(allSteps(template.steps).map((s) => s.action))].filter((a) => !this.available(a))));
    return found;
  }

  names(): string[] {
    return [...this.byName.keys()];
  }
}
