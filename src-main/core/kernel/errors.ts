import type { ErrorCode, Issue } from '@shared/contract/errors';

/** An error with a code the transports map to a status and a message a user can act on. */
export class AppError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: unknown,
    /** Extra response headers (e.g. Retry-After). */
    readonly headers?: Record<string, string>,
  ) {
    super(message);
    this.name = 'AppError';
  }
}

export function validationError(message: string, issues: Issue[]): AppError {
  return new AppError('VALIDATION_ERROR', message, { issues });
}

export function notFound(what: string): AppError {
  return new AppError('NOT_FOUND', `${what} not found`);
}

export function conflict(message: string, details?: unknown): AppError {
  return new AppError('CONFLICT', message, details);
}
