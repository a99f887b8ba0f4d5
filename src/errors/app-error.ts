/**
 * The codes the service reports. Each maps to one HTTP status and log level in
 * `src/http/error-map.ts`; nothing else decides how an error is shown.
 */
export const ERROR_CODES = [
  'MISSING_HEADER',
  'BAD_REQUEST',
  'NOT_FOUND',
  'LOGIN_EXPIRED',
  'LOGIN_STATE_MISMATCH',
  'PROVIDER_DENIED',
  'CODE_REJECTED',
  'TOKEN_INVALID',
  'PROVIDER_UNAVAILABLE',
  'SESSION_STORE_UNAVAILABLE',
  'SESSION_TOO_LARGE',
  'UPSTREAM_UNAVAILABLE',
  'INTERNAL',
] as const;

/** One of `ERROR_CODES`. */
export type ErrorCode = (typeof ERROR_CODES)[number];

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

/** What the log keeps of an error's cause: its name, message and code, nothing else it carries. */
export interface CauseSummary {
  readonly name: string;
  readonly message: string;
  readonly code?: string;
}

/**
 * The loggable part of `err.cause`, or undefined: the innermost error of the cause
 * chain (the most specific reason, e.g. `JWT signature verification failed` or
 * `connect ECONNREFUSED`) and the innermost string `code` on the way. Only these
 * string fields are read: openid-client's causes also carry token claims and signing
 * input, which are never logged.
 */
export function causeSummary(err: Error): CauseSummary | undefined {
  let innermost: Error | undefined;
  let code: string | undefined;
  for (let e: unknown = err.cause, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth++) {
    innermost = e;
    const c = (e as { code?: unknown }).code;
    if (typeof c === 'string') code = c;
  }
  if (!innermost) return undefined;
  return { name: innermost.name, message: innermost.message.slice(0, 300), ...(code ? { code } : {}) };
}
