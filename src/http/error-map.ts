import type { ErrorCode } from '../errors/app-error.js';

/** How one error code is shown: HTTP status, log level and page title. */
export interface ErrorPresentation {
  readonly status: number;
  readonly level: 'info' | 'warn' | 'error';
  readonly title: string;
  /** Seconds sent as `Retry-After`, for answers that say "try again shortly". */
  readonly retryAfter?: number;
}

/** The one place that maps error codes to status and log level. */
export const ERROR_MAP: Readonly<Record<ErrorCode, ErrorPresentation>> = {
  MISSING_HEADER: { status: 400, level: 'warn', title: 'Bad request' },
  BAD_REQUEST: { status: 400, level: 'info', title: 'Bad request' },
  NOT_FOUND: { status: 404, level: 'info', title: 'Not found' },
  LOGIN_EXPIRED: { status: 400, level: 'info', title: 'Sign-in expired' },
  LOGIN_STATE_MISMATCH: { status: 400, level: 'warn', title: 'Sign-in could not be completed' },
  PROVIDER_DENIED: { status: 401, level: 'info', title: 'Sign-in was not completed' },
  CODE_REJECTED: { status: 400, level: 'warn', title: 'Sign-in could not be completed' },
  TOKEN_INVALID: { status: 400, level: 'warn', title: 'Sign-in could not be verified' },
  PROVIDER_UNAVAILABLE: { status: 503, level: 'error', title: 'Sign-in is unavailable' },
  SESSION_STORE_UNAVAILABLE: { status: 503, level: 'error', title: 'Service unavailable', retryAfter: 1 },
  SESSION_TOO_LARGE: { status: 500, level: 'error', title: 'Sign-in could not be stored' },
  UPSTREAM_UNAVAILABLE: { status: 502, level: 'error', title: 'The application is unavailable' },
  INTERNAL: { status: 500, level: 'error', title: 'Something went wrong' },
};
