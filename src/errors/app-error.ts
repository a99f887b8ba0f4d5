/**
 * The codes the service reports. Each maps to one HTTP status and log level in
 * `src/http/error-map.ts`; nothing else decides how an error is shown.
 */
export type ErrorCode =
  | 'MISSING_HEADER'
  | 'BAD_REQUEST'
  | 'NOT_FOUND'
  | 'LOGIN_EXPIRED'
  | 'LOGIN_STATE_MISMATCH'
  | 'PROVIDER_DENIED'
  | 'CODE_REJECTED'
  | 'TOKEN_INVALID'
  | 'PROVIDER_UNAVAILABLE'
  | 'SESSION_STORE_UNAVAILABLE'
  | 'SESSION_TOO_LARGE'
  | 'UPSTREAM_UNAVAILABLE'
  | 'INTERNAL';

/**
 * An error with a stable code. `message` is safe to show a user; `detail` goes
 * only to the log and must never hold a token, cookie or secret.
 */
export class AppError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly detail?: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'AppError';
  }
}

/** True for an `AppError`, also across module copies (jest's module registry). */
export function isAppError(err: unknown): err is AppError {
  return err instanceof AppError || (err instanceof Error && err.name === 'AppError' && 'code' in err);
}
