import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Database, Statement } from 'better-sqlite3';
import type { Issue } from '@shared/contract/errors';
import { normalizeTemplateName, slugOf, type TemplateSummary } from '@shared/contract/templates';
import { allSteps, type TemplateModel } from '@shared/dsl/template-model';
import { validateTemplate, type ValidationReport } from '@shared/dsl/validate';
import { AppError } from '../kernel/errors';
import type { Clock } from '../kernel/ports';
import type { TemplateCatalog as QueueTemplateCatalog, TemplateFacts } from '../queue';

/**
 * Where templates live (SPEC section 12): saved through the API/UI in the `templates` table, and
 * as files `<config-dir>/templates/<name>.yaml`. A name resolves to the saved template first, then
 * to the file (docs/decisions/0014-templates-saved-over-files.md). `weekly_report`,
 * `weekly_report.yaml` and `weekly_report.yml` name the same template.
 */

interface Row {
  name: string;
  yaml: string;
  hash: string;
  created_at: number;
  updated_at: number;
  updated_by: string | null;
}

export interface StoredTemplate {
  name: string;
  yaml: string;
  source: 'database' | 'file';
  path: string | null;
  updatedAt: number | null;
  updatedBy: string | null;
}

const CACHE_SIZE = 500;
const MAX_FILE_BYTES = 1_000_000;

export function templateHash(yaml: string): string {
  return createHash('sha256').update(yaml).digest('hex');
}

/** The template name a run of YAML text records: its storage name when the title is ASCII, else the title. */
export function runIdentityOf(title: string): string {
  return /^[\x20-\x7E]*$/.test(title) ? slugOf(title) : title.trim();
}

export class TemplateCatalog implements QueueTemplateCatalog {
  private readonly reports = new Map<string, ValidationReport>();
  private byName: Statement | undefined;

  constructor(
    private readonly o: {
      db: Database;
      clock: Clock;
      /** `<config-dir>/templates` */
      dir: string;
      /** The shipped templates (`configs/templates`), copied in on first start. */
      defaultDir?: string;
      onChanged?: (name: string) => void;
    },
  ) {}

  /** First start: the shipped templates become the user's files (a deleted one does not come back). */
  seed(): void {
    if (existsSync(this.o.dir)) return;
    mkdirSync(this.o.dir, { recursive: true });
    if (this.o.defaultDir && existsSync(this.o.defaultDir)) cpSync(this.o.defaultDir, this.o.dir, { recursive: true, errorOnExist: false, force: false });
  }

  /** Validation of a text, cached by content. */
  validate(yaml: string): ValidationReport {
    const key = templateHash(yaml);
    const hit = this.reports.get(key);
    if (hit) return hit;
    const report = validateTemplate(yaml);
    this.reports.set(key, report);
    if (this.reports.size > CACHE_SIZE) this.reports.delete(this.reports.keys().next().value!);
    return report;
  }

  // ---- the queue's port ------------------------------------------------------------------

  load(name: string): string | undefined {
    return this.find(name)?.yaml;
  }

  inspect(yaml: string): { ok: true; facts: TemplateFacts } | { ok: false; issues: Issue[] } {
    const report = this.validate(yaml);
    if (!report.valid || !report.template) return { ok: false, issues: report.errors };
    const t: TemplateModel = report.template;
    // The storage name ("Weekly report" → weekly_report), so runs of YAML text and of the stored
    // template share one identity. A name in Japanese (or any non-ASCII) has no storage name worth
    // showing ("template"), so it stays as written.
    return { ok: true, facts: { name: runIdentityOf(t.name), hash: templateHash(yaml), execution: t.execution } };
  }

  // ---- reading ---------------------------------------------------------------------------

  find(rawName: string): StoredTemplate | undefined {
    const name = normalizeTemplateName(rawName);
    if (!name) return undefined;
    // Prepared once: every enqueue (a webhook burst, a watcher batch) looks its template up here.
    this.byName ??= this.o.db.prepare('select * from templates where name = ?');
    const row = this.byName.get(name) as Row | undefined;
    if (row) return { name, yaml: row.yaml, source: 'database', path: null, updatedAt: row.updated_at, updatedBy: row.updated_by };
    const path = this.fileOf(name);
    if (!path) return undefined;
    return { name, yaml: readFileSync(path, 'utf8'), source: 'file', path, updatedAt: statSync(path).mtimeMs, updatedBy: null };
  }

  list(): TemplateSummary[] {
    const rows = this.o.db.prepare('select * from templates order by name').all() as Row[];
    const files = this.files();
    const out: TemplateSummary[] = rows.map((r) => this.summary({ name: r.name, yaml: r.yaml, source: 'database', path: null, updatedAt: r.updated_at, updatedBy: r.updated_by }, files.has(r.name)));
    for (const [name, path] of files) {
      if (rows.some((r) => r.name === name)) continue;
      try {
        out.push(this.summary({ name, yaml: readFileSync(path, 'utf8'), source: 'file', path, updatedAt: statSync(path).mtimeMs, updatedBy: null }, false));
      } catch {
        // A file removed while listing is simply not listed.
      }
    }
    return out.sort((a, b) => a.name.localeCompare(b.name));
  }

  summary(t: StoredTemplate, shadowsFile = false): TemplateSummary {
    const report = this.validate(t.yaml);
    const title = report.template?.name ?? titleOf(t.yaml);
    return {
      name: t.name,
      title,
      description: report.template?.description ?? null,
      source: t.source,
      path: t.path,
      hash: templateHash(t.yaml),
      updated_at: t.updatedAt === null ? null : new Date(t.updatedAt).toISOString(),
      updated_by: t.updatedBy,
      valid: report.valid,
      error_count: report.errors.length,
      steps: report.template ? allSteps(report.template.steps).length : 0,
      shadows_file: shadowsFile,
    };
  }

  // ---- writing ---------------------------------------------------------------------------

  /** Saves a valid template; an invalid one is refused with every problem. */
  save(input: { name?: string; yaml: string }, by: string | null): { name: string; hash: string; created: boolean; warnings: Issue[] } {
    const report = this.validate(input.yaml);
    if (!report.valid || !report.template) {
      throw new AppError('VALIDATION_ERROR', `The template is invalid: ${report.errors.slice(0, 3).map((e) => `${e.path} (line ${e.line}): ${e.message}`).join('; ')}`, {
        issues: report.errors,
      });
    }
    const name = input.name !== undefined ? normalizeTemplateName(input.name) : slugOf(report.template.name);
    if (!name) throw new AppError('VALIDATION_ERROR', `'${input.name}' is not a template name`, { issues: [{ path: 'name', message: 'letters, digits, _ . - (at most 100)' }] });
    const now = this.o.clock.now();
    const hash = templateHash(input.yaml);
    const existed = this.o.db.prepare('select 1 from templates where name = ?').get(name) !== undefined;
    this.o.db
      .prepare(
        `insert into templates (name, yaml, hash, created_at, updated_at, updated_by) values (?, ?, ?, ?, ?, ?)
         on conflict(name) do update set yaml = excluded.yaml, hash = excluded.hash, updated_at = excluded.updated_at, updated_by = excluded.updated_by`,
      )
      .run(name, input.yaml, hash, now, now, by);
    this.o.onChanged?.(name);
    return { name, hash, created: !existed, warnings: report.warnings };
  }

  delete(rawName: string): { deleted: boolean; name: string } {
    const name = normalizeTemplateName(rawName);
    if (!name) throw new AppError('NOT_FOUND', `Template '${rawName}' not found`);
    const removed = this.o.db.prepare('delete from templates where name = ?').run(name).changes > 0;
    if (!removed) {
      const path = this.fileOf(name);
      if (!path) throw new AppError('NOT_FOUND', `Template '${name}' not found`);
      rmSync(path);
    }
    this.o.onChanged?.(name);
    return { deleted: true, name };
  }

  private fileOf(name: string): string | undefined {
    for (const ext of ['.yaml', '.yml']) {
      const p = join(this.o.dir, name + ext);
      try {
        const s = statSync(p);
        if (s.isFile() && s.size <= MAX_FILE_BYTES) return p;
      } catch {
        // not there
      }
    }
    return undefined;
  }

  private files(): Map<string, string> {
    const out = new Map<string, string>();
    let names: string[];
    try {
      names = readdirSync(this.o.dir);
    } catch {
      return out;
    }
    for (const f of names.sort()) {
      const name = /\.ya?ml$/i.test(f) ? normalizeTemplateName(f) : undefined;
      if (name && !out.has(name)) {
        const path = this.fileOf(name);
        if (path) out.set(name, path);
      }
    }
    return out;
  }
}

/** The `name:` of a template that does not validate (best effort, for listings). */
function titleOf(yaml: string): string | null {
  const m = /^name:\s*["']?(.+?)["']?\s*$/m.exec(yaml);
  return m ? m[1]! : null;
}
