import { z } from 'zod';
import { defineProcedure, rawResponse } from './procedure';

export const APPROVAL_STATUSES = ['pending', 'approved', 'denied', 'timed_out'] as const;

export const approvalView = z.object({
  id: z.string(),
  run_id: z.string(),
  step: z.number().int(),
  template: z.string(),
  message: z.string(),
  details: z.string().nullable(),
  risk_level: z.string(),
  required_role: z.string(),
  auto_action: z.string(),
  requested_by: z.string().nullable(),
  requested_at: z.string(),
  expires_at: z.string(),
  status: z.enum(APPROVAL_STATUSES),
  decided_by: z.string().nullable(),
  decided_at: z.string().nullable(),
  comment: z.string().nullable(),
});
export type ApprovalView = z.infer<typeof approvalView>;

const decision = z.strictObject({ id: z.string().min(1).max(100), comment: z.string().max(2000).optional() });

export const approvalsContract = {
  'approvals.list': defineProcedure({
    name: 'approvals.list',
    summary: 'Approval requests (human_confirm), pending first',
    access: 'read_runs',
    kind: 'query',
    input: z.strictObject({ status: z.enum([...APPROVAL_STATUSES, 'all']).default('pending'), limit: z.coerce.number().int().min(1).max(1000).default(100) }),
    output: z.object({ items: z.array(approvalView) }),
    http: { method: 'GET', path: '/api/approvals' },
  }),
  'approvals.approve': defineProcedure({
    name: 'approvals.approve',
    summary: 'Approve: the run continues with the next step',
    access: 'respond_hitl',
    kind: 'mutation',
    input: decision,
    output: approvalView,
    http: { method: 'POST', path: '/api/approvals/{id}/approve' },
  }),
  'approvals.deny': defineProcedure({
    name: 'approvals.deny',
    summary: 'Deny: the step fails with "denied by <user>" and the run fails (or continues on continue_on_error)',
    access: 'respond_hitl',
    kind: 'mutation',
    input: decision,
    output: approvalView,
    http: { method: 'POST', path: '/api/approvals/{id}/deny' },
  }),
  'approvals.page': defineProcedure({
    name: 'approvals.page',
    summary: 'The approval page of a run (the guide\'s /hitl/approve/{run_id})',
    access: 'read_runs',
    kind: 'query',
    input: z.strictObject({ run_id: z.string().min(1).max(100) }),
    output: rawResponse,
    http: { method: 'GET', path: '/hitl/approve/{run_id}', raw: true, appRoute: '/#/approvals/{run_id}' },
  }),
  'approvals.decideForm': defineProcedure({
    name: 'approvals.decideForm',
    summary: 'The approval page\'s form: action=approve|deny, comment',
    access: 'respond_hitl',
    kind: 'mutation',
    input: z.strictObject({ run_id: z.string().min(1).max(100), action: z.enum(['approve', 'deny']), comment: z.string().max(2000).optional() }),
    output: rawResponse,
    http: { method: 'POST', path: '/hitl/approve/{run_id}', raw: true, form: true },
  }),
} as const;
