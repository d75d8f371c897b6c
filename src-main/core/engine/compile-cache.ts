import { createHash } from 'node:crypto';
import type { Issue } from '@shared/contract/errors';
import type { TemplateModel } from '@shared/dsl/template-model';
import { validateTemplate } from '@shared/dsl/validate';

export type Compiled = { ok: true; model: TemplateModel } | { ok: false; issues: Issue[] };

const CACHE_SIZE = 200;

/** Validates and compiles a template once per content hash (least recently used out first). */
export class CompileCache {
  private readonly cache = new Map<string, Compiled>();

  compile(yaml: string, hash?: string): Compiled {
    const key = hash || createHash('sha256').update(yaml).digest('hex');
    const hit = this.cache.get(key);
    if (hit) {
      this.cache.delete(key);
      this.cache.set(key, hit);
      return hit;
    }
    const report = validateTemplate(yaml);
    const entry: Compiled = report.valid && report.template ? { ok: true, model: report.template } : { ok: false, issues: report.errors };
    this.cache.set(key, entry);
    if (this.cache.size > CACHE_SIZE) this.cache.delete(this.cache.keys().next().value!);
    return entry;
  }
}
