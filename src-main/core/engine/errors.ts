import { ActionError } from './action-types';

/**
 * Turns whatever an action threw into an ActionError with a stable code and a message a person
 * can act on. The messages are what failure clusters match (SPEC section 10), so they name the
 * problem plainly: "Permission denied", "No such file or folder", "No space left on the disk".
 */
export function toActionError(e: unknown): ActionError {
  if (e instanceof ActionError) return e;
  const err = e as (NodeJS.ErrnoException & { dest?: string }) | undefined;
  const where = err?.path ? `: ${err.path}${err.dest ? ` → ${err.dest}` : ''}` : '';
  switch (err?.code) {
    case 'ENOENT':
      return new ActionError('FILE_NOT_FOUND', `No such file or folder${where}`);
    case 'EACCES':
    case 'EPERM':
      return new ActionError('PERMISSION_DENIED', `Permission denied${where}`);
    case 'ENOTDIR':
      return new ActionError('NOT_A_FOLDER', `A part of the path is a file, not a folder${where}`);
    case 'EISDIR':
      return new ActionError('IS_A_FOLDER', `Is a folder, not a file${where}`);
    case 'EEXIST':
      return new ActionError('FILE_EXISTS', `Already exists${where}`);
    case 'ENOSPC':
      return new ActionError('DISK_FULL', `No space left on the disk${where}`);
    case 'EROFS':
      return new ActionError('READ_ONLY', `The disk is read-only${where}`);
    case 'ENAMETOOLONG':
      return new ActionError('NAME_TOO_LONG', `File name too long${where}`);
    case 'EMFILE':
    case 'ENFILE':
      return new ActionError('RESOURCE_EXHAUSTED', `Too many open files${where}`, true);
    case 'EBUSY':
      return new ActionError('FILE_BUSY', `The file is in use by another program${where}`, true);
    default:
      return new ActionError('ACTION_ERROR', err?.message ?? String(e));
  }
}

/** Thrown when the step's signal fires (cancel, step or run timeout, shutdown). */
export class StepAborted extends Error {
  constructor(readonly reason: string) {
    super(`stopped: ${reason}`);
    this.name = 'StepAborted';
  }
}

export function throwIfAborted(signal: AbortSignal): void {
  if (signal.aborted) throw new StepAborted(typeof signal.reason === 'string' ? signal.reason : 'cancel');
}
