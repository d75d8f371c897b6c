import { z } from 'zod';
import { RISK_LEVELS } from './orchestrator';
import { unsafePatternReason } from './pattern-safety';

/** A user pattern: a valid regular expression that cannot backtrack catastrophically (decision 0022). */
const safePattern = z
  .string()
  .min(1)
  .max(500)
  .superRefine((pattern, ctx) => {
    const reason = unsafePatternReason(pattern);
    if (reason) ctx.addIssue({ code: 'custom', message: `pattern refused: ${reason}` });
  });

/** failure_rules.yaml in the guide's shape (SPEC sections 2 and 10). */
export const failureRuleSchema = z.strictObject({
  patterns: z.array(safePattern).min(1),
  display_name: z.string().min(1),
  recommended_actions: z.array(z.string()).default([]),
  severity: z.enum(RISK_LEVELS).default('medium'),
});
export type FailureRuleConfig = z.infer<typeof failureRuleSchema>;

export const failureRulesFileSchema = z.strictObject({
  rules: z
    .record(z.string().regex(/^[A-Z][A-Z0-9_]{0,63}$/, 'rule ids are UPPER_SNAKE_CASE'), failureRuleSchema)
    .nullable()
    .default({})
    .transform((v) => v ?? {}),
});
