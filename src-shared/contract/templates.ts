import { z } from 'zod';
import { issue } from './errors';
import { defineProcedure } from './procedure';

export const validationResult = z.object({
  valid: z.boolean(),
  errors: z.array(issue),
  warnings: z.array(issue),
});
export type ValidationResult = z.infer<typeof validationResult>;

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
} as const;
