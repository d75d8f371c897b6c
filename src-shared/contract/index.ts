import type { z } from 'zod';
import { approvalsContract } from './approvals';
import { auditContract } from './audit';
import { clustersContract } from './clusters';
import { metricsContract } from './metrics';
import { authContract } from './auth';
import type { ProcedureDef } from './procedure';
import { runsContract } from './runs';
import { schedulesContract } from './schedules';
import { watchersContract } from './watchers';
import { webhooksContract } from './webhooks';
import { secretsContract } from './secrets';
import { systemContract } from './system';
import { templatesContract } from './templates';
import { usersContract } from './users';

/**
 * Every procedure of the product, by name. One file per domain; add the domain's map here.
 * The dispatcher refuses to start unless each has a handler, and a test checks that each
 * has a permission and a REST binding.
 */
export const CONTRACT = {
  ...systemContract,
  ...templatesContract,
  ...runsContract,
  ...authContract,
  ...usersContract,
  ...auditContract,
  ...approvalsContract,
  ...secretsContract,
  ...metricsContract,
  ...clustersContract,
  ...schedulesContract,
  ...webhooksContract,
  ...watchersContract,
} as const;

export type Contract = typeof CONTRACT;
export type ProcedureName = keyof Contract;
export type Input<N extends ProcedureName> = z.input<Contract[N]['input']>;
export type Output<N extends ProcedureName> = z.output<Contract[N]['output']>;

export const PROCEDURES: readonly ProcedureDef[] = Object.values(CONTRACT);

export * from './errors';
export * from './events';
export * from './procedure';
