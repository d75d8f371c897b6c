import { log, openPath, wait } from '@shared/dsl/actions/control';
import { ActionError, type ActionDef } from '../action-types';
import { StepAborted, toActionError } from '../errors';
import { FileView } from './file-access';
import { implement } from './implement';

/**
 * Control actions with an implementation. `human_confirm` (suspends the run) and `for_each`
 * (runs nested steps) are steps the runner handles itself (spec.control).
 */

const logAction = implement(log, {
  async run(p, ctx) {
    // The logger masks registered secrets, as the runner masks the stored result.
    ctx.logger[p.level](p.message, { runId: ctx.runId, step: ctx.stepIndex });
    return { message: p.message, level: p.level };
  },
});

const waitAction = implement(wait, {
  run(p, ctx) {
    return new Promise((resolve, reject) => {
      if (ctx.signal.aborted) return reject(new StepAborted(String(ctx.signal.reason ?? 'cancel')));
      const onAbort = () => {
        timer.cancel();
        reject(new StepAborted(String(ctx.signal.reason ?? 'cancel')));
      };
      const timer = ctx.clock.setTimer(p.ms, () => {
        ctx.signal.removeEventListener('abort', onAbort);
        resolve({ waited_ms: p.ms });
      });
      ctx.signal.addEventListener('abort', onAbort, { once: true });
    });
  },
});

const openPathAction = implement(openPath, {
  async run(p, ctx) {
    const path = ctx.files.check(p.path, 'open_path');
    if (!(await new FileView(ctx).stat(path))) throw new ActionError('FILE_NOT_FOUND', `open_path: no such file or folder: ${path}`);
    try {
      await ctx.notifier.openPath(path);
    } catch (e) {
      const err = toActionError(e);
      throw new ActionError(err.code === 'ACTION_ERROR' ? 'OPEN_FAILED' : err.code, `open_path: ${err.message}`);
    }
    return { opened: path };
  },
  async dryRun(p, ctx) {
    const path = ctx.files.check(p.path, 'open_path');
    if (!(await new FileView(ctx).stat(path))) throw new ActionError('FILE_NOT_FOUND', `open_path: no such file or folder: ${path}`);
    return { would_open: path };
  },
});

export const controlActions: readonly ActionDef[] = [logAction, waitAction, openPathAction];
