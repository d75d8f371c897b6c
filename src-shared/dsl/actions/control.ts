import { z } from 'zod';
import { RISK_LEVELS } from '../../config/orchestrator';
import { ROLES } from '../../rbac/roles';
import { defineActionSpec } from '../action-spec';
import { int, nonEmpty, num, oneOf, path, text } from '../params';

export const log = defineActionSpec({
  name: 'log',
  family: 'control',
  summary: 'Write a message to the run log (secrets masked)',
  params: z.strictObject({ message: text(100_000, 'a message'), level: oneOf(['debug', 'info', 'warn', 'error']).default('info') }),
  idempotent: true,
  mutating: false,
  results: ['message', 'level'],
});

export const wait = defineActionSpec({
  name: 'wait',
  family: 'control',
  summary: 'Wait a number of milliseconds (stops at once on cancel)',
  params: z.strictObject({ ms: int(0, 86_400_000, 'milliseconds') }),
  idempotent: true,
  mutating: false,
  results: ['waited_ms'],
});

export const openPath = defineActionSpec({
  name: 'open_path',
  family: 'control',
  summary: "Open a file or folder with the desktop's default application",
  params: z.strictObject({ path: path('a file or folder') }),
  idempotent: true,
  mutating: true,
  results: ['opened', 'would_open'],
});

const roleName = z
  .string()
  .transform((r) => r.charAt(0).toUpperCase() + r.slice(1).toLowerCase())
  .pipe(z.enum(ROLES, { error: `expected one of ${ROLES.join(', ')}` }));

export const humanConfirm = defineActionSpec({
  name: 'human_confirm',
  family: 'control',
  summary: 'Stop the run until a person approves (approve → next step; deny → the step fails)',
  params: z
    .strictObject({
      message: nonEmpty(10_000, 'the question to the approver'),
      timeout_minutes: num(0.1, 43_200).optional(),
      auto_action: oneOf(['deny', 'approve', 'fail']).optional(),
      required_role: roleName.optional(),
      risk_level: z.enum(RISK_LEVELS, { error: `expected one of ${RISK_LEVELS.join(', ')}` }).default('medium'),
      details: text(100_000).optional(),
    }),
  idempotent: true,
  mutating: false,
  results: ['approved', 'decided_by', 'comment', 'decided_at', 'would_ask'],
  control: 'human_confirm',
});

export const forEach = defineActionSpec({
  name: 'for_each',
  family: 'control',
  summary: 'Run nested steps once per item of a list (CSV rows: the item is `row`, its index `loop.index`)',
  params: z.strictObject({
    items: z.array(z.unknown(), { error: 'expected a list, e.g. "{{steps.csv.rows}}"' }).max(10_000, { error: 'at most 10000 items' }),
    as: z
      .string()
      .regex(/^[\p{L}_][\p{L}\p{N}_]*$/u, { error: 'a name of letters, digits and _' })
      .default('row'),
    steps: z.array(z.unknown()).min(1, { error: 'at least one nested step' }),
    on_item_error: oneOf(['stop', 'continue']).default('stop'),
  }),
  idempotent: true,
  mutating: false,
  results: ['count', 'succeeded', 'failed', 'iterations', 'would_iterate'],
  control: 'for_each',
});

export const CONTROL_ACTION_SPECS = [log, wait, openPath, humanConfirm, forEach] as const;
