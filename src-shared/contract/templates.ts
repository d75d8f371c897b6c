import { z } from 'zod';
import { RISK_LEVELS } from '../config/orchestrator';
import { issue } from './errors';
import { defineProcedure } from './procedure';

/** What the pre-run risk check (approval_policy) sees in a valid template. */
export const templateRisk = z.object({
  level: z.enum(RISK_LEVELS).optional(),
  risks: z.array(
    z.object({
      where: z.string(),
      action: z.string(),
      level: z.enum(RISK_LEVELS),
      reason: z.string(),
      phrase: z.object({ key: z.enum(['sends_request']), args: z.record(z.string(), z.string().nullable()) }).optional(),
    }),
  ),
});

export const validationResult = z.object({
  valid: z.boolean(),
  errors: z.array(issue),
  warnings: z.array(issue),
  risk: templateRisk.optional(),
});
export type ValidationResult = z.infer<typeof validationResult>;

/** Template names: file-name safe (`weekly_report`); a `.yaml` suffix is accepted and dropped. */
export const TEMPLATE_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$/;
/** `weekly_report.yaml` → `weekly_report`; undefined when the name is not a plain template name. */
export function normalizeTemplateName(name: string): string | undefined {
  const bare = name.trim().replace(/\.ya?ml$/i, '');
  return TEMPLATE_NAME.test(bare) ? bare : undefined;
}

/** A storage name from a template's own `name:` ("Weekly report" → "weekly_report"). */
export function slugOf(title: string): string {
  const slug = title
    .normalize('NFKC')
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}_.-]+/gu, '_')
    .replace(/[^A-Za-z0-9_.-]/g, '')
    .replace(/^[_.-]+|_+$/g, '')
    .slice(0, 100);
  return slug || 'template';
}

const templateName = z.string().regex(TEMPLATE_NAME, 'a template name: letters, digits, _ . - (at most 100)');

export const templateSummary = z.object({
  name: z.string(),
  /** The template's own `name:` (shown to people). */
  title: z.string().nullable(),
  description: z.string().nullable(),
  /** Saved through the API/UI (database) or a file in <config-dir>/templates. */
  source: z.enum(['database', 'file']),
  path: z.string().nullable(),
  hash: z.string(),
  updated_at: z.string().nullable(),
  updated_by: z.string().nullable(),
  valid: z.boolean(),
  error_count: z.number().int(),
  steps: z.number().int(),
  /** A database template with the same name as a file: the database one is used. */
  shadows_file: z.boolean(),
});
export type TemplateSummary = z.infer<typeof templateSummary>;

export const templatesContract = {
  'templates.validate': defineProcedure({
    name: 'templates.validate',
    summary: 'Validates a DSL 1.1 template; every problem with path, line and column',
    access: 'execute_templates',
    kind: 'query',
    input: z.strictObject({ yaml: z.string().max(1_000_000, 'a template is at most 1 MB') }),
    output: validationResult,
    http: { method: 'POST', path: '/api/templates/validate', rawBodyField: 'yaml' },
  }),
  'templates.list': defineProcedure({
    name: 'templates.list',
    summary: 'Templates saved in the app and in <config-dir>/templates, with their validity',
    access: 'read_runs',
    kind: 'query',
    input: z.strictObject({}),
    output: z.object({ items: z.array(templateSummary) }),
    http: { method: 'GET', path: '/api/templates' },
  }),
  'templates.get': defineProcedure({
    name: 'templates.get',
    summary: 'One template: its YAML and its validation',
    access: 'read_runs',
    kind: 'query',
    input: z.strictObject({ name: z.string().min(1).max(200) }),
    output: templateSummary.extend({ yaml: z.string(), errors: z.array(issue), warnings: z.array(issue), risk: templateRisk.optional() }),
    http: { method: 'GET', path: '/api/templates/{name}' },
  }),
  'templates.save': defineProcedure({
    name: 'templates.save',
    summary: 'Save a template (a YAML body, or JSON {name, yaml}); refused with every problem when invalid',
    access: 'manage_templates',
    kind: 'mutation',
    input: z.strictObject({ name: templateName.optional(), yaml: z.string().min(1).max(1_000_000, 'a template is at most 1 MB') }),
    output: z.object({ name: z.string(), hash: z.string(), created: z.boolean(), warnings: z.array(issue) }),
    http: { method: 'POST', path: '/api/templates', status: 201, rawBodyField: 'yaml' },
  }),
  'templates.delete': defineProcedure({
    name: 'templates.delete',
    summary: 'Delete a template: the saved one, or else its file in <config-dir>/templates',
    access: 'manage_templates',
    kind: 'mutation',
    input: z.strictObject({ name: z.string().min(1).max(200) }),
    output: z.object({ deleted: z.boolean(), name: z.string() }),
    http: { method: 'DELETE', path: '/api/templates/{name}' },
  }),
} as const;
