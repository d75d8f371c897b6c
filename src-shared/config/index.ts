import type { z } from 'zod';
import { failureRulesFileSchema } from './failure-rules';
import { orchestratorSchema } from './orchestrator';
import { schedulesFileSchema, watchersFileSchema, webhooksFileSchema } from './triggers';

/** The configuration files of SPEC section 2 and the schema each is validated with. */
export const CONFIG_FILES = {
  'orchestrator.yaml': orchestratorSchema,
  'schedules.yaml': schedulesFileSchema,
  'watchers.yaml': watchersFileSchema,
  'webhooks.yaml': webhooksFileSchema,
  'failure_rules.yaml': failureRulesFileSchema,
} as const;

export type ConfigFileName = keyof typeof CONFIG_FILES;
export type ConfigFileValue<F extends ConfigFileName> = z.output<(typeof CONFIG_FILES)[F]>;

export * from './failure-rules';
export * from './file-roots';
export * from './fleet-settings';
export * from './orchestrator';
export * from './triggers';
