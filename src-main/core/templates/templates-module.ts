import { join } from 'node:path';
import { actionSpec } from '@shared/dsl/actions';
import { assessTemplateRisk } from '@shared/dsl/template-risk';
import { AppError } from '../kernel/errors';
import type { Database } from 'better-sqlite3';
import type { EventBus } from '../kernel/event-bus';
import { contractHandlers, type CoreModule } from '../kernel/module';
import type { Clock, Paths } from '../kernel/ports';
import { principalName } from '../kernel/principal';
import type { ActionRegistry } from '../engine';
import { TemplateCatalog } from './template-catalog';

export interface TemplatesModule extends CoreModule {
  catalog: TemplateCatalog;
}

export interface TemplatesModulePorts {
  db: Database;
  clock: Clock;
  bus: EventBus;
  paths: Pick<Paths, 'configDir' | 'defaultConfigDir'>;
}

/** templates.* procedures of SPEC section 12 over the catalog; `template.changed` on every change. */
export function createTemplatesModule(services: TemplatesModulePorts, deps: { registry?: ActionRegistry } = {}): TemplatesModule {
  const catalog = new TemplateCatalog({
    db: services.db,
    clock: services.clock,
    dir: join(services.paths.configDir, 'templates'),
    defaultDir: join(services.paths.defaultConfigDir, 'templates'),
    onChanged: (name) => services.bus.publish('template.changed', { name }),
  });
  // Actions of a family this build does not have are valid DSL but cannot run here: say so.
  const unavailable = (yaml: string) => {
    const report = catalog.validate(yaml);
    if (!deps.registry || !report.template) return report.warnings;
    return [
      ...report.warnings,
      ...deps.registry.missing(report.template).map((a) => ({ path: '(root)', message: `action '${a}' is not available in this build; runs of this template will fail`, line: 1, column: 1 })),
    ];
  };
  const checked = (yaml: string) => {
    const r = catalog.validate(yaml);
    return { valid: r.valid, errors: r.errors, warnings: unavailable(yaml), ...(r.template ? { risk: assessTemplateRisk(r.template, actionSpec) } : {}) };
  };
  return {
    name: 'templates',
    catalog,
    start: () => catalog.seed(),
    handlers: contractHandlers({
      'templates.validate': ({ yaml }) => checked(yaml),
      'templates.list': () => ({ items: catalog.list() }),
      'templates.get': ({ name }) => {
        const t = catalog.find(name);
        if (!t) throw new AppError('NOT_FOUND', `Template '${name}' not found`);
        const shadows = t.source === 'database' && Boolean(catalog.list().find((x) => x.name === t.name)?.shadows_file);
        return { ...catalog.summary(t, shadows), yaml: t.yaml, ...checked(t.yaml) };
      },
      'templates.save': (input, ctx) => catalog.save(input, principalName(ctx.principal)),
      'templates.delete': ({ name }) => catalog.delete(name),
    }),
  };
}
