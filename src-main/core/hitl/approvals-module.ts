import type { approvalsContract } from '@shared/contract/approvals';
import { text } from '@shared/i18n';
import { AppError } from '../kernel/errors';
import type { Database } from 'better-sqlite3';
import type { ConfigStore } from '../config';
import type { EventBus } from '../kernel/event-bus';
import type { CoreModule, Handler, HandlerMap } from '../kernel/module';
import type { Clock, Logger } from '../kernel/ports';
import type { RunsStorage } from '../runs';
import { renderApprovalPage } from './approval-page';
import { Approvals, type ApprovalQueue } from './approvals';

type ApprovalHandlers = { [N in keyof typeof approvalsContract]: Handler<(typeof approvalsContract)[N]> };

export interface ApprovalsModule extends CoreModule {
  approvals: Approvals;
}

const html = (body: string, status = 200) => ({ contentType: 'text/html; charset=utf-8', body, status });

/** Approvals as a core module: the procedures, the guide's page, and the requests the queue's port announces. */
export interface ApprovalsModulePorts {
  db: Database;
  clock: Clock;
  logger: Logger;
  bus: EventBus;
  config: Pick<ConfigStore, 'orchestrator'>;
}

export function createApprovalsModule(services: ApprovalsModulePorts, deps: { runs: RunsStorage; queue: ApprovalQueue }): ApprovalsModule {
  const approvals = new Approvals({
    db: services.db,
    clock: services.clock,
    logger: services.logger.child('HITL'),
    bus: services.bus,
    runs: deps.runs,
    queue: deps.queue,
    selfApproval: () => services.config.orchestrator.hitl.self_approval,
  });
  let unsubscribe: (() => void) | undefined;
  const byRun = (runId: string) => {
    const a = approvals.forRun(runId);
    if (!a) throw new AppError('NOT_FOUND', `Run ${runId} has no approval request`);
    return a;
  };
  return {
    name: 'approvals',
    approvals,
    start: () => {
      // The queue tells this port of a run that stopped to wait (human_confirm, the pre-run gate)
      // once that is on disk; run.updated is the UI's event, not a contract between modules.
      unsubscribe = deps.queue.onWaitingApproval((runId) => {
        try {
          approvals.recordRequest(runId);
        } catch (err) {
          services.logger.child('HITL').error('Could not record an approval request', { runId, error: err as Error });
        }
      });
      approvals.start();
    },
    stop: () => {
      unsubscribe?.();
      approvals.stop();
    },
    handlers: {
      'approvals.list': ({ status, limit }) => ({ items: approvals.list(status, limit) }),
      'approvals.approve': ({ id, comment }, ctx) => approvals.decide(id, 'approved', ctx.principal, comment),
      'approvals.deny': ({ id, comment }, ctx) => approvals.decide(id, 'denied', ctx.principal, comment),
      'approvals.page': ({ run_id }) => html(renderApprovalPage(approvals.forRun(run_id), run_id), approvals.forRun(run_id) ? 200 : 404),
      'approvals.decideForm': ({ run_id, action, comment }, ctx) => {
        const a = byRun(run_id);
        try {
          const decided = approvals.decide(a.id, action === 'approve' ? 'approved' : 'denied', ctx.principal, comment || undefined);
          return html(renderApprovalPage(decided, run_id, text(action === 'approve' ? 'approvalPage.approvedNotice' : 'approvalPage.deniedNotice')));
        } catch (e) {
          if (e instanceof AppError && (e.code === 'ALREADY_DECIDED' || e.code === 'FORBIDDEN')) {
            const refused = e.code === 'FORBIDDEN' ? text('approvalPage.forbidden', e.message) : text('approvalPage.alreadyDecided', e.message);
            return html(renderApprovalPage(approvals.forRun(run_id), run_id, refused), e.code === 'FORBIDDEN' ? 403 : 409);
          }
          throw e;
        }
      },
    } satisfies ApprovalHandlers as HandlerMap,
  };
}
